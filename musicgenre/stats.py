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


def holm(p_values):
    """Holm's step-down adjustment of ``p_values`` (name → p) for testing them all at once: the
    ``k``-th smallest is multiplied by ``m - k + 1`` (``m`` tests), kept at least the one before it
    and at most 1. Compare an adjusted p-value with the level, as a single test's; it keeps the
    chance of any false "differs" at that level, however many families are compared."""
    order = sorted(p_values, key=p_values.get)
    adjusted, running = {}, 0.0
    for k, name in enumerate(order):
        running = max(running, min(1.0, (len(order) - k) * p_values[name]))
        adjusted[name] = running
    return adjusted


def mcnemar_against(chosen, correct):
    """McNemar of the ``chosen`` family against every other on the same test clips (``correct``:
    family → clip → right or not), each with its Holm-adjusted p-value (``p_holm``) over them all."""
    tests = {f: {"clips": int(len(right)), **mcnemar(correct[chosen], right.loc[correct[chosen].index])}
             for f, right in correct.items() if f != chosen}
    adjusted = holm({f: result["p_value"] for f, result in tests.items()})
    return {f: {**result, "p_holm": adjusted[f]} for f, result in tests.items()}


def mcnemar_line(comparison):
    """``metrics/comparison.json``'s McNemar tests in one line."""
    chosen = comparison["chosen"]
    tests = sorted(comparison["mcnemar_vs_chosen"].items(), key=lambda item: item[1]["p_value"])
    return (f"McNemar of {chosen} (best validation score, {comparison['validation_score'][chosen]:.3f}) against "
            + (", ".join(f"{f} p = {t['p_value']:.3f} (Holm {t['p_holm']:.3f})" for f, t in tests) or "no other family"))
