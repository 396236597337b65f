"""Accuracy at other lengths: each test clip scored on excerpts, as ``predict`` scores a file that long.

``evaluate`` scores every test clip also on one excerpt of each length in ``lengths.seconds``: the
clip's decoded audio cut by :func:`musicgenre.excerpts.excerpt`, turned into model input by
:func:`musicgenre.predict.audio_input`, the function ``predict`` runs on a file, and named by the
family's clip rule as ``evaluate`` names a clip.
"""

import numpy as np
import pandas as pd

from .audio import decode
from .evaluation import clip_labels
from .excerpts import WHOLE, excerpt, length_key, scores_by_length
from .predict import audio_input


def by_length(bundle, clips, paths, lengths, seed, progress=None):
    """``(scores, predictions)`` of the test ``clips`` (``evaluate``'s frame: ``file, actual,
    predicted``) on excerpts of every length in ``lengths``, their audio read from ``paths[file]``.

    ``scores``: ``{key: {accuracy, accuracy_ci95_low, accuracy_ci95_high, seconds, excerpted}}`` per
    length, then the whole clips' (:data:`WHOLE`); ``seconds`` is the mean length scored and
    ``excerpted`` the number of clips longer than the excerpt. ``predictions``: one row per clip and
    length (``file, length, seconds, excerpted, predicted, actual``). ``progress`` wraps the clips'
    iterable (a progress bar).
    """
    sample_rate = bundle["config"]["sample_rate"]
    rows = []
    for file, whole in (progress or iter)(list(zip(clips["file"], clips["predicted"], strict=True))):
        y = decode(paths[file], sample_rate)
        for seconds in lengths:
            cut = excerpt(y, sample_rate, seconds, seed, file)
            predicted = whole if len(cut) == len(y) else _named(bundle, cut)
            rows.append({"file": file, "length": length_key(seconds), "seconds": len(cut) / sample_rate,
                         "excerpted": len(cut) < len(y), "predicted": predicted})
        rows.append({"file": file, "length": WHOLE, "seconds": len(y) / sample_rate, "excerpted": False,
                     "predicted": whole})
    predictions = pd.DataFrame(rows).merge(clips[["file", "actual"]], on="file")
    return scores_by_length(predictions, seed), predictions


def _named(bundle, y):
    """The genre of decoded audio ``y``: its model input as ``predict`` computes it, its clip
    probabilities by the family's rule, the most probable one (as :func:`evaluate` names a clip)."""
    batch, _, _ = audio_input(bundle, y)
    return clip_labels(bundle["model"].clip_proba(batch, np.zeros(len(batch)))).iloc[0]
