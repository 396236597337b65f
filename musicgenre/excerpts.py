"""Excerpts of a clip: a stretch of its audio, or a run of its chunk rows.

A model trained on 30 s clips meets 10 s previews and 4-minute songs, so its accuracy is also
measured at the lengths of ``lengths.seconds``: on the test clips' audio (:mod:`musicgenre.lengths`)
and, to choose settings, on the validation folds' chunk rows (:func:`chunk_runs`). An excerpt
starts at a random offset drawn from ``seed`` and the clip's name, so a rerun cuts the same ones
and every family is scored on the same ones. An excerpt as long as the clip or longer is the
whole clip.
"""

import zlib

import numpy as np

from .stats import bootstrap_ci

WHOLE = "whole"  #: the key of the whole clips' score beside the lengths' (``3s``, ``10s``, ...)


def length_key(seconds):
    """The metrics key of an excerpt length: ``3s``, ``10s``, ``2.5s``."""
    return f"{seconds:g}s"


def runs(lengths, chunk_seconds):
    """``{key: chunks}``: each length of ``lengths`` (seconds, none shorter than a chunk: the schema
    checks it) as the chunks an excerpt that long holds (a remainder shorter than a chunk is not one,
    as :func:`musicgenre.audio.cut_chunks` cuts a file)."""
    return {length_key(seconds): int(seconds / chunk_seconds + 1e-9) for seconds in sorted(lengths)}


def excerpt(y, sample_rate, seconds, seed, file):
    """``seconds`` of ``y`` from a random offset drawn from ``(seed, file)``; all of ``y`` when it
    is not longer."""
    length = int(round(seconds * sample_rate))
    if length >= len(y):
        return y
    start = _offsets(seed, file).integers(0, len(y) - length + 1)
    return y[start:start + length]


def chunk_runs(rows, chunks, seed):
    """``rows`` (chunk rows with ``file, chunk``) keeping, of each clip, a run of ``chunks``
    consecutive chunks from an offset drawn from ``(seed, file)``; all of a clip not longer.

    Validation's excerpts: selection scores a candidate at every length on rows the stage already
    computed, with no audio to decode. They equal an excerpt cut on the chunk grid, except that the
    descriptors' harmonic/percussive columns saw the whole clip around them."""
    keep = []
    for file, group in rows.groupby("file", sort=False):
        group = group.sort_values("chunk")
        start = 0 if chunks >= len(group) else _offsets(seed, file).integers(0, len(group) - chunks + 1)
        keep.append(group.index[start:start + chunks])
    return rows.loc[np.concatenate(keep)]


def _offsets(seed, file):
    """The random numbers of one clip's excerpts: the same for every family, and on every rerun."""
    return np.random.default_rng([seed, zlib.crc32(file.encode())])


def scores_by_length(predictions, seed):
    """``{length: {accuracy, accuracy_ci95_low, accuracy_ci95_high, seconds, excerpted}}`` of excerpt
    ``predictions`` (rows ``length, seconds, excerpted, predicted, actual``, as ``evaluate`` writes
    them to ``plots/excerpts/<family>.csv``), lengths in their order: the clip accuracy with its 95%
    bootstrap interval, the mean seconds scored and how many clips were cut shorter."""
    scores = {}
    for key, group in predictions.groupby("length", sort=False):
        correct = (group["predicted"] == group["actual"]).to_numpy()
        low, high = bootstrap_ci(correct, seed=seed)
        scores[key] = {"accuracy": round(float(correct.mean()), 4), "accuracy_ci95_low": low,
                       "accuracy_ci95_high": high, "seconds": round(float(group["seconds"].mean()), 2),
                       "excerpted": int(group["excerpted"].sum())}
    return scores
