"""Clip rules: the vote and pooling as clip models; pooling in training equals pooling in predict."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from musicgenre.cliprules import PoolModel, VoteModel, clip_rule, pool_by_file, vote

STATS = ["mean", "std", "max", "min"]


def chunks():
    """Three clips of 4, 2 and 1 chunks, rows shuffled, two columns; genres by clip."""
    rng = np.random.default_rng(0)
    files = np.array(["a"] * 4 + ["b"] * 2 + ["c"])
    order = rng.permutation(len(files))
    return rng.normal(size=(len(files), 2))[order], files[order]


def test_pooling_reduces_each_clips_own_chunks():
    X, files = chunks()
    pooled, clips = pool_by_file(X, files, STATS)
    assert list(clips) == ["a", "b", "c"] and pooled.shape == (3, 8)
    for row, clip in zip(pooled, clips, strict=True):
        own = X[files == clip]
        expected = np.concatenate([own.mean(0), own.std(0), own.max(0), own.min(0)])
        np.testing.assert_allclose(row, expected, rtol=0, atol=1e-12)
    assert pooled[2, 2] == 0.0  # a one-chunk clip has no spread


def test_predict_on_one_file_equals_the_clips_row_in_a_batch():
    """predict pools a file's chunks alone; evaluation pools many clips at once: same probabilities."""
    X, files = chunks()
    genres = np.array([{"a": "rock", "b": "jazz", "c": "pop"}[f] for f in files])
    model = PoolModel(LogisticRegression(), ["mean", "max"]).fit(np.vstack([X, X + 1]), np.r_[genres, genres],
                                                                   np.r_[files, np.char.add(files, "2")])
    together = model.clip_proba(X, files)
    for clip in ("a", "b", "c"):
        alone = model.clip_proba(X[files == clip], np.zeros((files == clip).sum()))
        np.testing.assert_allclose(alone.to_numpy()[0], together.loc[clip].to_numpy(), rtol=1e-12)  # BLAS order


def test_the_vote_is_the_mean_of_chunk_probabilities():
    X, files = chunks()
    genres = np.where(X[:, 0] > 0, "rock", "jazz")
    model = VoteModel(LogisticRegression()).fit(X, genres, files)
    expected = pd.DataFrame(model.predict_proba(X), columns=model.classes_).groupby(files).mean()
    pd.testing.assert_frame_equal(model.clip_proba(X, files), expected)
    pd.testing.assert_frame_equal(vote(model.predict_proba(X), files, model.classes_), expected)


def test_the_rule_is_read_from_the_settings_which_are_left_alone():
    settings = {"n_neighbors": 3, "clip_rule": "pool", "pool_stats": ["mean", "max"], "sub_clips": 2}
    assert clip_rule(settings) == ("pool", {"stats": ["mean", "max"], "sub_clips": 2}, {"n_neighbors": 3})
    assert settings == {"n_neighbors": 3, "clip_rule": "pool", "pool_stats": ["mean", "max"], "sub_clips": 2}


def test_sub_clips_add_pooled_runs_of_each_training_clips_chunks():
    """Each clip gives its whole pool and ``sub_clips`` pools of random runs of consecutive chunks."""
    X = np.arange(10, dtype=float)[:, None] * np.array([[1.0, -1.0]])
    files = np.array(["a"] * 6 + ["b"] * 4)
    seen = []

    class Recorder(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen.append((X.copy(), y.copy()))
            return super().fit(X, y)

    genres = np.where(files == "a", "rock", "pop")
    model = PoolModel(Recorder(), ["mean", "max"], sub_clips=5, seed=3).fit(X, genres, files)
    vectors, targets = seen[0]
    assert len(vectors) == 2 + 2 * 5 and list(targets[:2]) == ["rock", "pop"] and list(targets[2:7]) == ["rock"] * 5
    own = {"a": X[:6], "b": X[6:]}
    for vector, target in zip(vectors[2:], targets[2:], strict=True):
        block = own["a" if target == "rock" else "b"]
        runs = [block[i:j] for i in range(len(block)) for j in range(i + 1, len(block) + 1)]
        assert any(np.allclose(vector, np.r_[run.mean(0), run.max(0)]) for run in runs)  # a run of its chunks
    assert "sub-clips" in model.rule
    PoolModel(Recorder(), ["mean", "max"], sub_clips=5, seed=3).fit(X, genres, files)
    np.testing.assert_array_equal(seen[1][0], vectors)  # seeded
