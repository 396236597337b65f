"""One artist, one group: artist names compared the way a listener would, credits joined.

Artist-aware splits are only as honest as their groups. Two spellings of one artist ("JS Bach",
"J.S. Bach"), a difference of case or accents would make two groups of one artist, which could
then fall on both sides of a split. :func:`artist_key` maps each of those to one key: Unicode
accents removed, case folded, every character that is not a letter or a digit removed.

A clip credited to several artists belongs with each of them: Sturm's 2024 GTZAN index writes a
joint credit ``A; B`` ("Lauryn Hill; Bob Marley"), and collections write guests as ``A feat. B``
or ``A with B``. :func:`credited` reads a credit's artists; ``A & B`` counts as two artists only
where one of them is also credited on its own in the same collection (so "Earth, Wind & Fire"
stays one band). :func:`artist_groups` then joins every artist a clip credits into one group,
and groups that share an artist merge: a group is a connected component of the artists credited
together, so no artist can be on two sides of a split through a joint credit.
"""

import re
import unicodedata

#: The separators of a credit's artists: ``;`` (the GTZAN index's joint credit), a guest credit
#: (``feat.``, ``featuring``, ``ft.``, ``with``, also in brackets).
CREDIT = re.compile(r"\s*;\s*|\s*[(\[]?\b(?:feat\.?|featuring|ft\.|with)\s+", re.IGNORECASE)
AMPERSAND = re.compile(r"\s+&\s+")


def artist_key(name):
    """The grouping key of one artist's name (see the module's docstring); ``""`` stays ``""``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", str(name)) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", plain.casefold())


def credited(name, solo=frozenset()):
    """The keys of the artists a credit names: split at :data:`CREDIT`'s separators, and at `` & ``
    where a part's key is in ``solo`` (artists credited on their own). A credit with no part left
    is its own key (``""`` for an empty one)."""
    keys = []
    for part in CREDIT.split(str(name)):
        pieces = AMPERSAND.split(part)
        if len(pieces) > 1 and any(artist_key(piece) in solo for piece in pieces):
            keys += [artist_key(piece) for piece in pieces]
        else:
            keys.append(artist_key(part))
    keys = [key for key in dict.fromkeys(keys) if key]
    return keys or [artist_key(name)]


def credits(names):
    """Each of ``names``' artist keys (:func:`credited`), ``&`` read against the credits of all of ``names``."""
    names = [str(name) for name in names]
    distinct = sorted(set(names))
    solo = {artist_key(part) for name in distinct for part in CREDIT.split(name)}
    found = {name: credited(name, solo) for name in distinct}
    return [found[name] for name in names]


def artist_groups(names):
    """Each of ``names``' group: a name of the connected component of artists it is credited with
    (see the module's docstring), the first in sorted order of its one-artist credits (of any credit
    where it has none). Spellings of one artist share a group; an ``unknown:<file>`` artist is a
    group of its own."""
    names = [str(name) for name in names]
    distinct = sorted(set(names))
    found = dict(zip(distinct, credits(distinct), strict=True))
    parent = {}

    def root(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]  # path halving
            key = parent[key]
        return key

    for keys in found.values():
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    label = {}
    for name in sorted(distinct, key=lambda name: (len(found[name]) > 1, name)):
        label.setdefault(root(found[name][0]), name)
    return [label[root(found[name][0])] for name in names]


def one_spelling(names):
    """``names`` (a sequence) with every name replaced by the first spelling of its key in sorted
    order, so that one artist is written one way."""
    spelling = {}
    for name in sorted(set(names)):
        spelling.setdefault(artist_key(name), name)
    return [spelling[artist_key(name)] for name in names]
