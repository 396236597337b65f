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
    settings = {"n_neighbors": 3, "clip_rule": "pool", "pool_stats": ["mean", "max"]}
    assert clip_rule(settings) == ("pool", ["mean", "max"], {"n_neighbors": 3})
    assert settings == {"n_neighbors": 3, "clip_rule": "pool", "pool_stats": ["mean", "max"]}
