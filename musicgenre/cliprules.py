"""How a clip gets its genre from its chunks: the soft vote, or pooling.

* **vote** — classify every 3 s chunk, average the chunks' probabilities per clip (the original
  study's rule, and Kaggle's 3 s CSV's).
* **pool** — describe the clip once, by statistics of its chunks' vectors (mean, standard
  deviation, maximum, minimum per column), and classify that one vector. The classifier then sees
  how a clip varies over time, which no chunk shows. On real GTZAN, musicnn activations pooled as
  mean + std + max beat the same activations voted chunk by chunk in published probes.

Both are models with the same clip-level interface, ``fit(X, y, files, folds=None, artists=None)``
and ``clip_proba(X, files)`` on chunk rows (``files`` says which clip each row is from; ``artists``,
where known, its artist group, which a classifier's own internal validation keeps whole:
:func:`musicgenre.models.internal_groups`), so
cross-validation, evaluation and ``predict`` run one code path for either rule, and for the
fusion family built on them. Rows of one clip that a leaky split put in several sets or folds are
never pooled together, because every caller passes the rows of one set or fold at a time.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .models import fit_grouped, internal_groups

#: name → reduction over a clip's chunks (axis 0); the standard deviation is the population one (ddof
#: 0). The names params.yaml may give are :data:`musicgenre.schema.POOL_STATISTICS`.
STATISTICS = {"mean": np.mean, "std": np.std, "max": np.max, "min": np.min}


def clip_rule(settings):
    """``(rule, pooling, rest)``: ``clip_rule`` of a family's (or a fusion member's) settings, as
    the schema checked them, how the pool rule pools (``{"stats": pool_stats, "sub_clips":
    sub_clips}``, given for either rule, since both are reported) and a copy of ``settings`` without
    them (what an estimator is built from)."""
    rest = dict(settings)
    return rest.pop("clip_rule"), {"stats": list(rest.pop("pool_stats")), "sub_clips": rest.pop("sub_clips")}, rest


def clip_model(rule, estimator, pooling, seed):
    """The ``rule``'s model around a chunk-level scikit-learn ``estimator`` (``pooling``: :func:`clip_rule`'s)."""
    return PoolModel(estimator, seed=seed, **pooling) if rule == "pool" else VoteModel(estimator)


def clip_blocks(X, files):
    """``(blocks, clips)``: each clip's chunk rows (in their order in ``X``), clips sorted."""
    X = np.asarray(X, dtype=np.float64)
    files = np.asarray(files)
    clips, inverse = np.unique(files, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(clips)))
    return np.split(X[order], starts[1:]), clips


def pooled(block, stats):
    """One clip's pooled vector: each statistic of every column over its chunks."""
    return np.concatenate([STATISTICS[stat](block, axis=0) for stat in stats])


def pool_by_file(X, files, stats):
    """Chunk rows pooled per clip: ``(matrix, clips)`` with one row per clip, clips sorted."""
    blocks, clips = clip_blocks(X, files)
    return np.vstack([pooled(block, stats) for block in blocks]), clips


def first_per_file(values, files):
    """One value per clip (clips sorted), e.g. a clip's genre from its chunk rows."""
    return pd.Series(np.asarray(values)).groupby(np.asarray(files), sort=True).first().to_numpy()


#: A genre needs this many clips among a fit's rows to be learned in that fit.
MIN_CLIPS = 2


def learnable(y, files):
    """Which rows to fit on: those of genres with :data:`MIN_CLIPS` clips or more among them. One
    clip cannot teach a genre, and an SVM's calibration cannot fit it; a lone mislabelled clip in a
    fold of a small collection does that. A genre left out gets probability 0 from that fit."""
    y, files = np.asarray(y), np.asarray(files)
    clips = pd.Series(first_per_file(y, files)).value_counts()
    return np.isin(y, clips.index[clips >= MIN_CLIPS])


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

    def fit(self, X, y, files, folds=None, artists=None):
        self.estimator_ = fit_grouped(clone(self.estimator), X, y, internal_groups(y, files, artists))
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


class PoolModel(BaseEstimator):
    """A classifier of pooled clip vectors: ``stats`` of each column over a clip's chunks.

    A clip's statistics depend on how many chunks it has (a 3-chunk excerpt's spread and maximum
    are smaller than a 10-chunk clip's), so a classifier fitted on whole clips alone meets
    unfamiliar vectors on shorter files. With ``sub_clips`` > 0, each training clip also gives that
    many pooled vectors of random runs of its consecutive chunks (1 to all of them; drawn from
    ``seed``), so the classifier sees every length it will meet. A clip's rows are taken in their
    order in ``X`` (the tables keep them in chunk order)."""

    def __init__(self, estimator, stats, sub_clips=0, seed=0):
        self.estimator, self.stats, self.sub_clips, self.seed = estimator, stats, sub_clips, seed

    @property
    def rule(self):
        runs = f"; trained on {self.sub_clips} sub-clips per clip too" if self.sub_clips else ""
        return f"pool ({', '.join(self.stats)}{runs})"

    def fit(self, X, y, files, folds=None, artists=None):
        blocks, clips = clip_blocks(X, files)
        labels = first_per_file(y, files)
        groups = internal_groups(labels, clips, None if artists is None else first_per_file(artists, files))
        vectors, targets, owners = [pooled(block, self.stats) for block in blocks], list(labels), list(groups)
        rng = np.random.default_rng(self.seed)
        for block, label, group in zip(blocks, labels, groups, strict=True):
            for _ in range(self.sub_clips):
                size = rng.integers(1, len(block) + 1)
                start = rng.integers(0, len(block) - size + 1)
                vectors.append(pooled(block[start:start + size], self.stats))
                targets.append(label)
                owners.append(group)  # a sub-clip goes with its clip (and its artist)
        self.estimator_ = fit_grouped(clone(self.estimator), np.vstack(vectors), np.asarray(targets), np.asarray(owners))
        self.classes_ = self.estimator_.classes_
        return self

    def clip_proba(self, X, files):
        pooled, clips = pool_by_file(X, files, self.stats)
        return pd.DataFrame(self.estimator_.predict_proba(pooled), index=clips, columns=list(self.classes_))
