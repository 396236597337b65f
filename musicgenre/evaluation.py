"""Scores at chunk and clip level.

A clip's prediction is the genre with the highest mean probability over its chunks (soft voting).
``predict`` applies the same rule to a file of any length, and reports those mean probabilities,
so the genre it names first is always the one the clip-level metric would count.
"""

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from .stats import bootstrap_ci


def clip_probabilities(files, proba, labels):
    """Mean chunk probabilities per clip: one row per file (sorted), one column per label."""
    frame = pd.DataFrame(proba, columns=labels)
    return frame.groupby(np.asarray(files), sort=True).mean()


def clip_predictions(files, proba, labels):
    """One label per clip: the soft vote of its chunks (rows of ``proba`` aligned with ``files``)."""
    means = clip_probabilities(files, proba, labels)
    return pd.Series(np.asarray(labels)[means.to_numpy().argmax(axis=1)], index=means.index)


def scores(y_true, y_pred, labels):
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "balanced_accuracy": round(float(balanced_accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
    }


def evaluate(model, features, rows, seed=0):
    """Score a fitted model on test ``rows`` (``file, genre``) with chunk ``features`` aligned to them.

    Accuracies carry a 95% bootstrap interval over test clips (``seed`` makes it repeatable).
    Returns ``(metrics, clips)`` where ``clips`` has one row per test clip: file, actual, predicted.
    """
    labels = list(model.classes_)
    proba = model.predict_proba(features)
    chunk_pred = np.asarray(labels)[proba.argmax(axis=1)]
    clip_pred = clip_predictions(rows["file"], proba, labels)
    actual = rows.groupby("file", sort=True)["genre"].first()
    clips = pd.DataFrame({"file": actual.index, "actual": actual.to_numpy(),
                          "predicted": clip_pred.loc[actual.index].to_numpy()})
    per_genre = f1_score(clips["actual"], clips["predicted"], labels=labels, average=None, zero_division=0)
    per_clip = (pd.Series(chunk_pred == rows["genre"].to_numpy(), index=rows.index)
                .groupby(rows["file"].to_numpy()).agg(["sum", "count"]))
    chunk_ci = bootstrap_ci(per_clip["sum"], per_clip["count"], seed=seed)
    clip_ci = bootstrap_ci(clips["actual"] == clips["predicted"], seed=seed)
    metrics = {
        "chunk": {**scores(rows["genre"], chunk_pred, labels),
                  "accuracy_ci95_low": chunk_ci[0], "accuracy_ci95_high": chunk_ci[1]},
        "clip": {**scores(clips["actual"], clips["predicted"], labels),
                 "accuracy_ci95_low": clip_ci[0], "accuracy_ci95_high": clip_ci[1]},
        "per_genre_f1": {label: round(float(f), 4) for label, f in zip(labels, per_genre)},
        "test_size": {"chunks": int(len(rows)), "clips": int(len(clips))},
    }
    return metrics, clips
