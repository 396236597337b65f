"""One artist, one group: artist names compared the way a listener would.

Artist-aware splits are only as honest as their groups. Two spellings of one artist ("JS Bach",
"J.S. Bach"), a difference of case or accents, or a guest credit ("X feat. Y") would make two
groups of one artist, which could then fall on both sides of a split. :func:`artist_key` maps
each of those to one key: Unicode accents removed, case folded, a trailing ``feat.`` /
``featuring`` / ``ft.`` credit dropped, and every character that is not a letter or a digit
(spaces and punctuation) removed.
"""

import re
import unicodedata

FEATURING = re.compile(r"\s*[(\[]?\b(?:feat\.?|featuring|ft\.)\s.*$")


def artist_key(name):
    """The grouping key of an artist's name (see the module's docstring); ``""`` stays ``""``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", str(name)) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", FEATURING.sub("", plain.casefold()))


def one_spelling(names):
    """``names`` (a sequence) with every name replaced by the first spelling of its key in sorted
    order, so that one artist is written (and grouped) one way."""
    spelling = {}
    for name in sorted(set(names)):
        spelling.setdefault(artist_key(name), name)
    return [spelling[artist_key(name)] for name in names]
