"""Assembling training data, cross-validating a family on it, and training the deep families.

Every input is a table of chunks keyed by ``file, chunk``, joined to ``split.csv``: the
descriptors (``chunks.parquet``), the embeddings (same layout) or, for the deep families, the mel
array through its index (a ``mel_row`` column pointing into ``mels.npy``).
"""

import numpy as np
import pandas as pd
from sklearn.base import clone

from .errors import MusicgenreError
from .evaluation import clip_predictions
from .features import FEATURE_NAMES
from .models import EMBEDDINGS_INPUT, FEATURES_INPUT, MELS_INPUT
from .paths import EMBEDDINGS, MELS_INDEX

VALIDATION_FOLD = 0  # the training set's fold that early-stops the deep families (grouped like the split)


def feature_columns(drop):
    """The Kaggle descriptors minus ``drop`` (params ``train.drop_features``); unknown names are errors."""
    unknown = sorted(set(drop or []) - set(FEATURE_NAMES))
    if unknown:
        raise MusicgenreError(f"params.yaml: train.drop_features names unknown feature(s) {unknown}; "
                              f"known: {', '.join(FEATURE_NAMES)}")
    return [name for name in FEATURE_NAMES if name not in set(drop or [])]


def labelled_chunks(chunks, split, source=FEATURES_INPUT):
    """Chunk rows joined to their split rows (``file, chunk, genre, artist, set, fold``)."""
    table = split.merge(chunks, on=["file", "chunk"], how="inner", validate="one_to_one")
    if len(table) != len(split):
        raise MusicgenreError(f"data/split/split.csv and {source} disagree on the chunks; run dvc repro")
    return table


def fold_scores(fold, rows, proba, classes):
    """Chunk and clip accuracy (the clip vote of :mod:`evaluation`) of ``proba`` on held-out ``rows``."""
    classes = np.asarray(classes)
    clips = clip_predictions(rows["file"], proba, list(classes))
    actual = rows.groupby("file", sort=True)["genre"].first()
    return {"fold": int(fold),
            "chunk_accuracy": round(float(np.mean(classes[proba.argmax(axis=1)] == rows["genre"].to_numpy())), 4),
            "clip_accuracy": round(float(np.mean(clips.loc[actual.index].to_numpy() == actual.to_numpy())), 4)}


def cross_validate(model, table, columns):
    """Fit ``model`` on all folds but one, score the held-out one; repeat for every fold.

    Returns one dict per fold with chunk and clip accuracy (the clip vote of :mod:`evaluation`).
    """
    train = table[table["set"] == "train"]
    results = []
    for fold in sorted(train["fold"].unique()):
        fit_rows, val_rows = train[train["fold"] != fold], train[train["fold"] == fold]
        fitted = clone(model).fit(fit_rows[columns].to_numpy(), fit_rows["genre"].to_numpy())
        results.append(fold_scores(fold, val_rows, fitted.predict_proba(val_rows[columns].to_numpy()), fitted.classes_))
    return results


def read_table(source, split_path):
    """The split joined to ``source`` (a family's input: descriptors, embeddings or mels; for mels
    a ``mel_row`` column points into ``mels.npy``)."""
    split = pd.read_csv(split_path)
    if source == MELS_INPUT:
        return labelled_chunks(pd.read_csv(MELS_INDEX).rename(columns={"row": "mel_row"}), split, source)
    return labelled_chunks(pd.read_parquet(EMBEDDINGS if source == EMBEDDINGS_INPUT else source), split, source)


def model_inputs(rows, columns, mels=None):
    """The model input of ``rows``: their ``columns``, or their mel chunks when ``mels`` (the array) is given."""
    if mels is not None:
        return np.asarray(mels[rows["mel_row"].to_numpy()], dtype=np.float32)
    return rows[columns].to_numpy()


def train_deep(family, settings, table, mels, seed, live):
    """Train ``cnn``/``transfer`` on the training set's chunks, early-stopped on its artist-disjoint
    validation fold. Returns ``(classifier, description, folds)``; ``folds`` holds the validation
    fold's chunk and clip accuracy, in the shape of :func:`cross_validate`'s result."""
    from .deep import MelClassifier, band_statistics, standardise, train_network

    train = table[table["set"] == "train"]
    fit_rows, val_rows = train[train["fold"] != VALIDATION_FOLD], train[train["fold"] == VALIDATION_FOLD]
    if fit_rows.empty or val_rows.empty:
        raise MusicgenreError("the training set has no validation fold to early-stop on; raise split.folds")
    classes = np.array(sorted(train["genre"].unique()))
    x_fit, x_val = model_inputs(fit_rows, None, mels), model_inputs(val_rows, None, mels)
    mean, std = band_statistics(x_fit)
    code = {genre: k for k, genre in enumerate(classes)}
    data = (standardise(x_fit, mean, std), fit_rows["genre"].map(code).to_numpy(),
            standardise(x_val, mean, std), val_rows["genre"].map(code).to_numpy())
    network, description = train_network(family, settings, data, seed, live)
    classifier = MelClassifier(network, classes, mean, std)
    return classifier, description, [fold_scores(VALIDATION_FOLD, val_rows, classifier.predict_proba(x_val), classes)]
