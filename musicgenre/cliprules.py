"""How a clip gets its genre from its chunks: the soft vote, or pooling.

* **vote** — classify every 3 s chunk, average the chunks' probabilities per clip (the original
  study's rule, and Kaggle's 3 s CSV's).
* **pool** — describe the clip once, by statistics of its chunks' vectors (mean, standard
  deviation, maximum, minimum per column), and classify that one vector. The classifier then sees
  how a clip varies over time, which no chunk shows. On real GTZAN, musicnn activations pooled as
  mean + std + max beat the same activations voted chunk by chunk in published probes.

Both are models with the same clip-level interface, ``fit(X, y, files)`` and
``clip_proba(X, files)`` on chunk rows (``files`` says which clip each row is from), so
cross-validation, evaluation and ``predict`` run one code path for either rule, and for the
fusion family built on them. Rows of one clip that a leaky split put in several sets or folds are
never pooled together, because every caller passes the rows of one set or fold at a time.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

#: name → reduction over a clip's chunks (axis 0); the standard deviation is the population one (ddof
#: 0). The names params.yaml may give are :data:`musicgenre.schema.POOL_STATISTICS`.
STATISTICS = {"mean": np.mean, "std": np.std, "max": np.max, "min": np.min}


def clip_rule(settings):
    """``(rule, stats, rest)``: ``clip_rule`` and ``pool_stats`` of a family's (or a fusion
    member's) settings, as the schema checked them, and a copy of ``settings`` without them (what an
    estimator is built from). ``stats`` is given for either rule, since both are reported."""
    rest = dict(settings)
    return rest.pop("clip_rule"), list(rest.pop("pool_stats")), rest


def clip_model(rule, estimator, stats):
    """The ``rule``'s model around a chunk-level scikit-learn ``estimator``."""
    return PoolModel(estimator, stats) if rule == "pool" else VoteModel(estimator)


def pool_by_file(X, files, stats):
    """Chunk rows pooled per clip: ``(matrix, clips)`` with one row per clip, clips sorted."""
    X = np.asarray(X, dtype=np.float64)
    files = np.asarray(files)
    clips, inverse = np.unique(files, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(clips)))
    blocks = np.split(X[order], starts[1:])
    pooled = np.vstack([np.concatenate([STATISTICS[stat](block, axis=0) for stat in stats]) for block in blocks])
    return pooled, clips


def first_per_file(values, files):
    """One value per clip (clips sorted), e.g. a clip's genre from its chunk rows."""
    return pd.Series(np.asarray(values)).groupby(np.asarray(files), sort=True).first().to_numpy()


def vote(chunk_proba, files, classes):
    """The soft vote: mean chunk probabilities per clip, one row per clip (sorted), one column per genre."""
    return pd.DataFrame(chunk_proba, columns=list(classes)).groupby(np.asarray(files), sort=True).mean()


class VoteByChunk:
    """The soft vote, for any model with ``classes_`` and chunk-level ``predict_proba``."""

    rule = "vote"

    def clip_proba(self, X, files):
        return vote(self.predict_proba(X), files, self.classes_)


class VoteModel(BaseEstimator, VoteByChunk):
    """A chunk classifier whose clips are the soft vote of their chunks."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, files=None, folds=None):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


class PoolModel(BaseEstimator):
    """A classifier of pooled clip vectors: ``stats`` of each column over a clip's chunks."""

    def __init__(self, estimator, stats):
        self.estimator, self.stats = estimator, stats

    @property
    def rule(self):
        return f"pool ({', '.join(self.stats)})"

    def fit(self, X, y, files, folds=None):
        pooled, _ = pool_by_file(X, files, self.stats)
        self.estimator_ = clone(self.estimator).fit(pooled, first_per_file(y, files))
        self.classes_ = self.estimator_.classes_
        return self

    def clip_proba(self, X, files):
        pooled, clips = pool_by_file(X, files, self.stats)
        return pd.DataFrame(self.estimator_.predict_proba(pooled), index=clips, columns=list(self.classes_))
