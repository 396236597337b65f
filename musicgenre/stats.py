"""Uncertainty of test scores.

A GTZAN test set holds a few hundred clips, so a single accuracy is a noisy number (at 80% on 290
clips the 95% interval is about ±4.6 points). Chunks of one clip are not independent samples,
so the bootstrap resamples *clips* and carries each clip's chunks along.
"""

import numpy as np
from scipy.stats import binomtest


def bootstrap_ci(correct, weights=None, n_boot=2000, level=0.95, seed=0):
    """Percentile bootstrap interval of a weighted accuracy, resampling clips.

    ``correct[i]`` is the number of correct predictions of clip ``i`` and ``weights[i]`` its
    number of predictions (chunks); with ``weights=None`` each clip counts once (clip accuracy).
    Returns ``(low, high)`` rounded to 4 places.
    """
    correct = np.asarray(correct, dtype=float)
    weights = np.ones_like(correct) if weights is None else np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(correct), size=(n_boot, len(correct)))
    estimates = correct[picks].sum(axis=1) / weights[picks].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(estimates, [tail, 100 - tail])
    return round(float(low), 4), round(float(high), 4)


def mcnemar(correct_a, correct_b):
    """Exact McNemar test of two classifiers on the same clips.

    Only discordant clips carry information: ``a_only`` (A right, B wrong) and ``b_only``. Under
    the null of equal accuracy each discordant clip is a fair coin; the p-value is the two-sided
    binomial test. Returns a dict with both counts and the p-value.
    """
    correct_a, correct_b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    a_only, b_only = int((correct_a & ~correct_b).sum()), int((~correct_a & correct_b).sum())
    p_value = 1.0 if a_only + b_only == 0 else binomtest(a_only, a_only + b_only, 0.5).pvalue
    return {"a_only": a_only, "b_only": b_only, "p_value": float(p_value)}
