"""Accuracy at other lengths: each test clip scored on excerpts, as ``predict`` scores a file that long.

``evaluate`` scores every test clip also on one excerpt of each length in ``lengths.seconds``: the
clip's decoded audio cut by :func:`musicgenre.excerpts.excerpt` and classified by
:func:`musicgenre.predict.classify_audio`, the very function ``predict`` runs on a file's samples,
with its defaults: a silent excerpt is refused (no genre: a miss), one longer than
:data:`~musicgenre.predict.MAX_CHUNKS` chunks is read by that many spread over it, one shorter than
a chunk is zero-padded to one. So the accuracy at 10 s is what ``predict`` makes of 10 s files.
"""

import pandas as pd

from .audio import decode
from .errors import MusicgenreError
from .excerpts import WHOLE, excerpt, length_key, scores_by_length
from .predict import MAX_CHUNKS, audible, classify_audio


def by_length(bundle, clips, paths, lengths, seed, progress=None):
    """``(scores, predictions)`` of the test ``clips`` (``evaluate``'s frame: ``file, actual,
    predicted``) on excerpts of every length in ``lengths``, their audio read from ``paths[file]``.

    ``scores``: ``{key: {accuracy, accuracy_ci95_low, accuracy_ci95_high, seconds, excerpted}}`` per
    length, then the whole clips' (:data:`WHOLE`); ``seconds`` is the mean length scored and
    ``excerpted`` the number of clips longer than the excerpt. ``predictions``: one row per clip and
    length (``file, length, seconds, excerpted, predicted, actual``; ``predicted`` is empty where
    ``predict`` would refuse the excerpt: silent). ``progress`` wraps the clips' iterable (a
    progress bar).
    """
    sample_rate = bundle["config"]["sample_rate"]
    rows = []
    for file, whole in (progress or iter)(list(zip(clips["file"], clips["predicted"], strict=True))):
        y = decode(paths[file], sample_rate)
        for seconds in lengths:
            cut = excerpt(y, sample_rate, seconds, seed, file)
            predicted = predicted_genre(bundle, cut)
            rows.append({"file": file, "length": length_key(seconds), "seconds": len(cut) / sample_rate,
                         "excerpted": len(cut) < len(y), "predicted": predicted})
        rows.append({"file": file, "length": WHOLE, "seconds": len(y) / sample_rate, "excerpted": False,
                     "predicted": whole})
    predictions = pd.DataFrame(rows).merge(clips[["file", "actual"]], on="file")
    return scores_by_length(predictions, seed), predictions


def predicted_genre(bundle, y):
    """The genre ``predict`` gives decoded audio ``y`` (its most probable, by the same function and
    defaults), or ``""`` where it gives none (silent audio)."""
    try:
        found = classify_audio(bundle, audible(y), MAX_CHUNKS)
    except MusicgenreError:  # the audio's own problem (silent): predict names no genre
        return ""
    return next(iter(found["probabilities"]))
