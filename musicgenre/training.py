"""Assembling training data and cross-validating a family on it."""

import numpy as np
import pandas as pd
from sklearn.base import clone

from .errors import MusicgenreError
from .evaluation import clip_predictions
from .features import FEATURE_NAMES


def feature_columns(drop):
    """The Kaggle descriptors minus ``drop`` (params ``train.drop_features``); unknown names are errors."""
    unknown = sorted(set(drop or []) - set(FEATURE_NAMES))
    if unknown:
        raise MusicgenreError(f"params.yaml: train.drop_features names unknown feature(s) {unknown}; "
                              f"known: {', '.join(FEATURE_NAMES)}")
    return [name for name in FEATURE_NAMES if name not in set(drop or [])]


def labelled_chunks(chunks, split):
    """Chunk features joined to their split rows (``file, chunk, genre, artist, set, fold``)."""
    table = split.merge(chunks, on=["file", "chunk"], how="inner", validate="one_to_one")
    if len(table) != len(split):
        raise MusicgenreError("data/split/split.csv and data/features/chunks.parquet disagree; run dvc repro")
    return table


def cross_validate(model, table, columns):
    """Fit ``model`` on all folds but one, score the held-out one; repeat for every fold.

    Returns one dict per fold with chunk and clip accuracy (the clip vote of :mod:`evaluation`).
    """
    train = table[table["set"] == "train"]
    results = []
    for fold in sorted(train["fold"].unique()):
        fit_rows, val_rows = train[train["fold"] != fold], train[train["fold"] == fold]
        fitted = clone(model).fit(fit_rows[columns].to_numpy(), fit_rows["genre"].to_numpy())
        proba = fitted.predict_proba(val_rows[columns].to_numpy())
        chunk_pred = fitted.classes_[proba.argmax(axis=1)]
        clips = clip_predictions(val_rows["file"], proba, list(fitted.classes_))
        actual = val_rows.groupby("file", sort=True)["genre"].first()
        results.append({
            "fold": int(fold),
            "chunk_accuracy": round(float(np.mean(chunk_pred == val_rows["genre"].to_numpy())), 4),
            "clip_accuracy": round(float(np.mean(clips.loc[actual.index].to_numpy() == actual.to_numpy())), 4),
        })
    return results


def read_table(chunks_path, split_path):
    return labelled_chunks(pd.read_parquet(chunks_path), pd.read_csv(split_path))
