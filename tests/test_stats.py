import numpy as np
import pytest

from musicgenre.stats import bootstrap_ci, mcnemar


def test_interval_contains_the_estimate_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    widths = []
    for n in (50, 200, 800):
        correct = rng.random(n) < 0.7
        low, high = bootstrap_ci(correct, seed=1)
        assert low <= correct.mean() <= high
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]
    # binomial theory: half-width ~ 1.96 * sqrt(p(1-p)/n) = 0.0635 at n=200
    assert widths[1] / 2 == pytest.approx(1.96 * np.sqrt(0.21 / 200), rel=0.2)


def test_chunk_accuracy_interval_resamples_clips():
    correct_chunks = np.array([10, 0, 10, 0, 10, 5])
    chunks = np.full(6, 10)
    low, high = bootstrap_ci(correct_chunks, chunks, seed=0)
    assert low <= correct_chunks.sum() / chunks.sum() <= high
    # six clips, not sixty chunks: the interval is as wide as the clip count makes it
    assert high - low > 0.4


def test_interval_is_seeded():
    correct = np.arange(30) % 3 == 0
    assert bootstrap_ci(correct, seed=5) == bootstrap_ci(correct, seed=5)


def test_mcnemar_counts_discordant_clips():
    a = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 1], bool)
    b = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], bool)
    result = mcnemar(a, b)
    assert (result["a_only"], result["b_only"]) == (7, 1)
    assert result["p_value"] == pytest.approx(0.0703125)  # 2 * P(X <= 1), X ~ Bin(8, 1/2)
    assert mcnemar(a, a) == {"a_only": 0, "b_only": 0, "p_value": 1.0}


def test_holm_adjusts_step_down_and_keeps_the_order():
    from musicgenre.stats import holm

    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5})
    assert adjusted == pytest.approx({"a": 0.04, "c": 0.09, "b": 0.09, "d": 0.5})  # 4p, 3p, max(2p, 0.09), p
    assert holm({"a": 0.4, "b": 0.6}) == pytest.approx({"a": 0.8, "b": 0.8})  # never above 1, never below the one before
    assert holm({"only": 0.2}) == {"only": 0.2} and holm({}) == {}
