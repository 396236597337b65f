"""Train/test splits and cross-validation folds.

Five strategies, so the cost of leakage can be measured rather than argued:

* ``fault_filtered`` — GTZAN only: the published fault-filtered, artist-conscious split
  (Kereliuk, Sturm & Larsen 2015); its train and valid lists train (the valid list as fold 0,
  the one that validates), its test list tests, and the 70 faulty clips it leaves out are left out.
* ``official`` — FMA only: its authors' artist-filtered training / validation / test split,
  used the same way (validation as fold 0).
* ``artist`` — honest: no artist (hence no song, no duplicate recording) on both sides; the test
  set holds whole artists, chosen per genre so every genre is tested.
* ``song`` — the original study's protocol: whole clips held out per genre; a clip's chunks never
  cross sets, but an artist's other songs may.
* ``random`` — chunk level, leaky: chunks of one clip land on both sides. Kept only to show the
  inflation.

Cross-validation folds inside the training set are grouped the same way (by artist, by clip, or
not at all), so CV scores are as honest as the test score. The artist groups are
:func:`musicgenre.artists.artist_groups`: spellings of one artist are one group, and a clip credited
to several artists (``A; B``, ``A feat. B``) joins the groups of all of them (the ``group`` column).
"""

import hashlib

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, train_test_split

from .datasets import auto_split, is_gtzan
from .errors import MusicgenreError
from .artists import artist_groups, credits, one_spelling
from .schema import STRATEGIES
#: The strategies that follow a published train/valid/test list: GTZAN's, and FMA's official split.
PUBLISHED = ("fault_filtered", "official")
SPLIT_COLUMNS = ["file", "chunk", "genre", "artist", "group", "set", "fold"]


def resolve_strategy(strategy, source):
    """``auto`` means the honest default of the source: GTZAN's fault-filtered split, FMA's official
    one, else ``artist``."""
    if strategy == "auto":
        return auto_split(source)
    if strategy == "fault_filtered" and not is_gtzan(source):
        raise MusicgenreError(f"split.strategy fault_filtered is GTZAN's published split; dataset.source {source} "
                              "has none: use artist (or auto)")
    if strategy == "official" and source != "fma":
        raise MusicgenreError(f"split.strategy official is FMA's published split; dataset.source {source} has "
                              "none: use artist (or auto)")
    return strategy


def grouped(clips):
    """``clips`` (with ``artist``) with each artist spelled one way and its ``group``
    (:func:`musicgenre.artists.artist_groups`)."""
    artists = one_spelling(clips["artist"].fillna("").astype(str))
    return clips.assign(artist=artists, group=artist_groups(artists))


def make_split(chunks, clips, strategy, test_fraction, folds, seed, published=None, held_out=None):
    """Assign every chunk to ``train``/``test`` and every training chunk to a CV fold.

    ``chunks`` has ``file, chunk``; ``clips`` has ``file, genre, artist`` (usable clips only);
    ``published`` maps file to ``train``/``valid``/``test`` for the :data:`PUBLISHED` strategies;
    ``held_out``, for the ``artist`` strategy, the artists (keys) to test, chosen elsewhere
    (:func:`held_out_artists`; by default chosen here the same way, on ``clips``).
    Returns a frame with :data:`SPLIT_COLUMNS`; test rows have ``fold = -1``.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown split strategy {strategy!r}")  # params.yaml's is checked by its schema
    clips = grouped(clips)
    table = chunks[["file", "chunk"]].merge(clips[["file", "genre", "artist", "group"]], on="file", how="inner")
    if table.empty:
        raise MusicgenreError("no usable chunks to split: check data/clean/manifest.csv statuses")
    if strategy not in PUBLISHED:
        _enough_per_label(table.drop_duplicates("file"), folds)
    if strategy == "random":
        train_idx, test_idx = train_test_split(
            table.index, test_size=test_fraction, stratify=table["genre"], random_state=seed)
        table["set"] = "train"
        table.loc[test_idx, "set"] = "test"
        train = table.loc[train_idx]
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        fold_of = fold_numbers(splitter, train, groups=None)
    else:
        group = "file" if strategy == "song" else "group"
        if strategy in PUBLISHED:
            table = table[table["file"].isin(published)].copy()
            if table.empty:
                raise MusicgenreError(f"no usable clip is in the published split ({strategy}); is the dataset the "
                                      "one it was published for (GTZAN's files named like blues.00012.wav, FMA's "
                                      "tracks)?")
            table["set"] = np.where(table["file"].map(published) == "test", "test", "train")
        elif strategy == "artist":
            if held_out is None:
                held_out = held_out_artists(table.drop_duplicates("file"), test_fraction, seed)
            tested = [not held_out.isdisjoint(keys) for keys in credits(table["artist"])]
            table["set"] = np.where(tested, "test", "train")
        else:
            test_files = _held_out_groups(table.drop_duplicates("file"), "file", test_fraction,
                                          np.random.default_rng(seed))
            table["set"] = np.where(table["file"].isin(test_files), "test", "train")
        train = table[table["set"] == "train"]
        if strategy in PUBLISHED:  # the published valid list is fold 0; the train list fills the others
            fold_of = _published_folds(train, published, folds, seed)
        else:
            n_groups = train[group].nunique()
            if n_groups < folds:
                raise MusicgenreError(
                    f"split.folds is {folds} but the training set has only {n_groups} "
                    f"{'clips' if group == 'file' else 'artist groups'}; "
                    "lower split.folds or use a larger dataset")
            splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
            fold_of = fold_numbers(splitter, train, groups=train[group])
    table["fold"] = -1
    table.loc[fold_of.index, "fold"] = fold_of
    return table[SPLIT_COLUMNS].sort_values(["file", "chunk"]).reset_index(drop=True)


def _enough_per_label(clips, folds):
    """Every label needs a clip for the test set and one per cross-validation fold."""
    counts = clips["genre"].value_counts()
    short = counts[counts < folds + 1]
    if len(short):
        listed = ", ".join(f"{label!r} has {count}" for label, count in short.sort_values().items())
        raise MusicgenreError(
            f"too few usable clips per label for the split: {listed}; each label needs at least {folds + 1} "
            f"(one for the test set and one per fold, split.folds is {folds}). Add clips to the label, lower "
            "split.folds, or remove the label's folder")


def held_out_artists(clips, test_fraction, seed):
    """The artists (their :func:`musicgenre.artists.artist_key`) the ``artist`` strategy tests: whole
    artist groups of ``clips`` (``file, genre, artist``; one row per clip), per genre
    (:func:`_held_out_groups`). Chosen once on the raw clips, they hold the leakage study's pair of
    artist splits on one set of artists (:mod:`musicgenre.leakage`)."""
    clips = grouped(clips)
    held = _held_out_groups(clips, "group", test_fraction, np.random.default_rng(seed))
    return frozenset(key for keys, group in zip(credits(clips["artist"]), clips["group"], strict=True)
                     if group in held for key in keys)


def artists_digest(artists):
    """A short hash of a set of artists (keys), to tell in a metrics file whether two splits test the same ones."""
    return hashlib.sha256("\n".join(sorted(artists)).encode()).hexdigest()[:16]


def _held_out_groups(clips, group, test_fraction, rng):
    """Per genre, hold out whole groups until ``test_fraction`` of its clips are held out.

    A group (artist) is filed under the genre most of its clips have. Each genre keeps at least
    one group for training and gives at least one to the test set when it has two or more.
    """
    home = clips.groupby(group)["genre"].agg(lambda g: g.value_counts().index[0])
    sizes = clips.groupby(group).size()
    held = []
    for genre in sorted(home.unique()):
        members = list(home.index[home == genre])
        members = [members[i] for i in rng.permutation(len(members))]
        total, taken = sizes[members].sum(), 0
        for member in members[:-1]:
            if taken >= test_fraction * total:
                break
            held.append(member)
            taken += sizes[member]
    return set(held)


def _published_folds(train, published, folds, seed):
    """Folds of a published split's training set: its valid list is fold 0 (the one that selects
    settings and early-stops the deep families), and its train list is spread over folds
    1 .. ``folds``-1, grouped by artist group. (The published lists are not quite artist-disjoint
    under Sturm's 2024 index: docs/cleaning.md lists the artists on two of them.)"""
    fold = pd.Series(0, index=train.index)
    listed = train[train["file"].map(published) == "train"]
    if folds == 2:
        fold[listed.index] = 1
    else:
        splitter = StratifiedGroupKFold(folds - 1, shuffle=True, random_state=seed)
        fold[listed.index] = fold_numbers(splitter, listed, groups=listed["group"]) + 1
    return fold


def fold_numbers(splitter, train, groups):
    """Each row of ``train``'s fold: the number of ``splitter``'s split that holds it out."""
    fold = pd.Series(-1, index=train.index)
    for k, (_, val) in enumerate(splitter.split(train, train["genre"], groups)):
        fold.iloc[val] = k
    return fold
