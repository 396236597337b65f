"""Scores at chunk and clip level.

A clip's prediction is the genre with the highest clip probability: the model's ``clip_proba``
(:mod:`cliprules`): the mean probability over its chunks for the soft vote, or the probability
of its pooled vector. ``predict`` applies the same rule to a file of any length, and reports
those probabilities, so the genre it names first is always the one the clip-level metric would
count. Chunk-level scores exist for models that classify chunks (the vote, the deep families).
"""

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from .cliprules import vote
from .stats import bootstrap_ci


def clip_labels(clip_proba):
    """One genre per clip (the frame's index): its most probable column."""
    return pd.Series(np.asarray(clip_proba.columns)[clip_proba.to_numpy().argmax(axis=1)], index=clip_proba.index)


def probabilities(model, features, files):
    """``(clip_proba, chunk_proba)``: the model's clip probabilities (one row per clip, sorted) and,
    for a model that classifies chunks, its chunk probabilities (else ``None``), computed once."""
    if hasattr(model, "predict_proba"):
        chunk_proba = model.predict_proba(features)
        return vote(chunk_proba, files, model.classes_), chunk_proba
    return model.clip_proba(features, files), None


def scores(y_true, y_pred, labels):
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "balanced_accuracy": round(float(balanced_accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
    }


def evaluate(model, features, rows, seed=0):
    """Score a fitted model on test ``rows`` (``file, genre``) with chunk ``features`` aligned to them.

    Accuracies carry a 95% bootstrap interval over test clips (``seed`` makes it repeatable).
    Returns ``(metrics, clips)`` where ``clips`` has one row per test clip: file, actual, predicted,
    and the clip probability of every genre (``p_<genre>``), which ``predict`` reproduces from audio.
    """
    labels = list(model.classes_)
    clip_proba, chunk_proba = probabilities(model, features, rows["file"].to_numpy())
    actual = rows.groupby("file", sort=True)["genre"].first()
    predicted = clip_labels(clip_proba)
    clips = pd.DataFrame({"file": actual.index, "actual": actual.to_numpy(),
                          "predicted": predicted.loc[actual.index].to_numpy(),
                          **{f"p_{label}": clip_proba.loc[actual.index, label].to_numpy() for label in labels}})
    per_genre = f1_score(clips["actual"], clips["predicted"], labels=labels, average=None, zero_division=0)
    clip_ci = bootstrap_ci(clips["actual"] == clips["predicted"], seed=seed)
    metrics = {
        "clip": {**scores(clips["actual"], clips["predicted"], labels),
                 "accuracy_ci95_low": clip_ci[0], "accuracy_ci95_high": clip_ci[1]},
        "per_genre_f1": {label: round(float(f), 4) for label, f in zip(labels, per_genre)},
        "test_size": {"chunks": int(len(rows)), "clips": int(len(clips))},
    }
    if chunk_proba is not None:  # a chunk classifier (the vote): its chunks are scored too
        chunk_pred = np.asarray(labels)[chunk_proba.argmax(axis=1)]
        per_clip = (pd.Series(chunk_pred == rows["genre"].to_numpy(), index=rows.index)
                    .groupby(rows["file"].to_numpy()).agg(["sum", "count"]))
        chunk_ci = bootstrap_ci(per_clip["sum"], per_clip["count"], seed=seed)
        metrics = {"chunk": {**scores(rows["genre"], chunk_pred, labels),
                             "accuracy_ci95_low": chunk_ci[0], "accuracy_ci95_high": chunk_ci[1]}, **metrics}
    return metrics, clips
