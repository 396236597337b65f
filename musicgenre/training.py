"""Cross-validating a family on its input's table, and training the deep families.

The table is a representation's chunk rows joined to ``split.csv`` (:mod:`representations`);
the representation also turns rows into model input, so nothing here knows which input it is.
"""

import numpy as np
from sklearn.base import clone

from .errors import MusicgenreError
from .evaluation import clip_predictions

VALIDATION_FOLD = 0  # the training set's fold that early-stops the deep families (grouped like the split)


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


def train_deep(family, settings, table, representation, seed, live):
    """Train ``cnn``/``transfer`` on the training set's chunks, early-stopped on its artist-disjoint
    validation fold. Returns ``(classifier, description, folds)``; ``folds`` holds the validation
    fold's chunk and clip accuracy, in the shape of :func:`cross_validate`'s result."""
    from .deep import MelClassifier, band_statistics, standardise, train_network

    train = table[table["set"] == "train"]
    fit_rows, val_rows = train[train["fold"] != VALIDATION_FOLD], train[train["fold"] == VALIDATION_FOLD]
    if fit_rows.empty or val_rows.empty:
        raise MusicgenreError("the training set has no validation fold to early-stop on; raise split.folds")
    classes = np.array(sorted(train["genre"].unique()))
    x_fit, x_val = representation.inputs(fit_rows, []), representation.inputs(val_rows, [])
    mean, std = band_statistics(x_fit)
    code = {genre: k for k, genre in enumerate(classes)}
    data = (standardise(x_fit, mean, std), fit_rows["genre"].map(code).to_numpy(),
            standardise(x_val, mean, std), val_rows["genre"].map(code).to_numpy())
    network, description = train_network(family, settings, data, seed, live)
    classifier = MelClassifier(network, classes, mean, std)
    return classifier, description, [fold_scores(VALIDATION_FOLD, val_rows, classifier.predict_proba(x_val), classes)]
