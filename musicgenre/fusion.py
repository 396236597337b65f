"""The fusion family: several inputs and classifiers in one model.

* **Early fusion** is a member that reads several inputs: its chunks' vectors (the descriptors
  and the musicnn activations of the same 3 s chunk) are concatenated, pooled per clip if its
  clip rule is ``pool``, scaled, and classified once.
* **Late fusion** is several members, combined by a meta-learner (a logistic regression) that
  reads their clip probabilities. It is fitted on *out-of-fold* probabilities: each training
  clip's probabilities come from members fitted on the other folds of the training set, which
  the split groups by artist (GTZAN's published split: its train and valid lists). So the
  meta-learner learns how far to trust each member on clips, and artists, it has not seen,
  as on the test set. The members are then refitted on the whole training set.

Everything :meth:`FusionModel.fit` sees is the rows it is given: the training set in ``train``,
the other folds in cross-validation, so no test clip and no held-out artist reaches a member or
the meta-learner. It records the clips its meta-learner was fitted on (``meta_clips_``) so
tests can check exactly that.

A selection tries fusion candidates that differ in one member's settings at a time, and every
candidate fits every member on the same rows; inside :func:`shared_member_fits` a member already
fitted with the same settings on the same rows is not fitted again.
"""

from contextlib import contextmanager

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression

from .cliprules import clip_model, clip_rule, first_per_file, learnable
from .errors import MusicgenreError
from .models import build


#: fitted members by what they were fitted with, while a selection shares them (:func:`shared_member_fits`)
_shared = None


@contextmanager
def shared_member_fits():
    """Within it, fitting a member with the settings and rows of an earlier fit returns that fit.
    With ``sub_clips: [0, 4]`` on both members and three values of C, the 12 fusion candidates
    fit 8 distinct members, not 24. The fits are kept until the block ends."""
    global _shared
    previous, _shared = _shared, {}
    try:
        yield
    finally:
        _shared = previous


def fit_member(model, X, y, files, artists):
    """A fitted clone of the clip ``model`` on these rows, or the same one fitted before (:func:`shared_member_fits`)."""
    if _shared is None:
        return clone(model).fit(X, y, files, artists=artists)
    key = joblib.hash((model, X, y, files, artists))
    if key not in _shared:
        _shared[key] = clone(model).fit(X, y, files, artists=artists)
    return _shared[key]


def members_from(settings, scaler, seed, columns_by_input):
    """``[(name, column indices, clip model)]`` from ``models.fusion.members``.

    ``columns_by_input`` maps each input the members read to its columns, in the order they are
    concatenated in the fusion's input; a member takes the columns of its own inputs.
    """
    offsets, start = {}, 0
    for name, columns in columns_by_input.items():
        offsets[name] = range(start, start + len(columns))
        start += len(columns)
    built = []
    for name, member in settings["members"].items():
        key = f"models.fusion.members.{name}"
        rule, pooling, member = clip_rule(member)
        inputs, kind = member_inputs(key, member.pop("inputs"), columns_by_input), member.pop("classifier")
        indices = [i for source in inputs for i in offsets[source]]
        built.append((name, indices, clip_model(rule, build(kind, member, scaler, seed, key), pooling, seed)))
    return built


def member_inputs(key, inputs, columns_by_input):
    """A member's ``inputs``, checked against the inputs the fusion's own input holds
    (``models.fusion.input``; the representations are found at run time, so the schema cannot list them)."""
    if not set(inputs) <= set(columns_by_input):
        raise MusicgenreError(f"params.yaml: {key}.inputs is {inputs!r}; give a list of inputs from: "
                              f"{', '.join(sorted(columns_by_input))} (what models.fusion.input holds)")
    return inputs


class FusionModel(BaseEstimator):
    """Members (``(name, column indices, clip model)``) and, when there are several, a logistic
    meta-learner with inverse regularisation ``meta_C`` on their out-of-fold clip probabilities."""

    rule = "fusion"  # each member has its own clip rule; the fusion's clip is the meta-learner's

    def __init__(self, members, meta_C, seed):
        self.members, self.meta_C, self.seed = members, meta_C, seed

    def fit(self, X, y, files, folds=None, artists=None):
        X, y, files = np.asarray(X), np.asarray(y), np.asarray(files)
        artists = None if artists is None else np.asarray(artists)
        self.classes_ = np.unique(y)
        self.meta_, self.meta_clips_ = None, []
        if len(self.members) > 1:
            out_of_fold = self._out_of_fold(X, y, files, folds, artists)
            clip_genres = pd.Series(first_per_file(y, files), index=np.unique(files))
            self.meta_ = LogisticRegression(C=self.meta_C, max_iter=5000, random_state=self.seed).fit(
                out_of_fold.to_numpy(), clip_genres.loc[out_of_fold.index].to_numpy())
            self.meta_clips_ = list(out_of_fold.index)
        self.fitted_ = [(name, indices, fit_member(model, X[:, indices], y, files, artists))
                        for name, indices, model in self.members]
        return self

    def _out_of_fold(self, X, y, files, folds, artists):
        """Every clip's members' probabilities, from members fitted without the clip's fold."""
        if folds is None or len(np.unique(folds)) < 2:
            raise MusicgenreError("fusion with several members fits its meta-learner on out-of-fold probabilities, "
                                  "so the rows it is fitted on must span two folds or more: raise split.folds to 3 "
                                  "or more (cross-validation holds one fold out of the training set)")
        folds = np.asarray(folds)
        parts = []
        for fold in np.unique(folds):
            held = folds == fold
            shared = set(files[held]) & set(files[~held])
            if shared:
                raise MusicgenreError(f"fusion: clip {sorted(shared)[0]} has chunks in several folds, so its "
                                      "out-of-fold probabilities would not be; use a split grouped by clip or artist")
            rest = np.flatnonzero(~held)
            rest = rest[learnable(y[rest], files[rest])]  # the genres the members can learn without the fold
            members = [(name, indices, fit_member(model, X[rest][:, indices], y[rest], files[rest],
                                                  None if artists is None else artists[rest]))
                       for name, indices, model in self.members]
            parts.append(self._member_probabilities(members, X[held], files[held]))
        return pd.concat(parts).sort_index()

    def _member_probabilities(self, members, X, files):
        """The members' clip probabilities side by side: one row per clip, ``<member>:<genre>`` columns."""
        frames = []
        for name, indices, model in members:
            proba = model.clip_proba(X[:, indices], files).reindex(columns=self.classes_, fill_value=0.0)
            frames.append(proba.add_prefix(f"{name}:"))
        return pd.concat(frames, axis=1)

    def clip_proba(self, X, files):
        X, files = np.asarray(X), np.asarray(files)
        proba = self._member_probabilities(self.fitted_, X, files)
        if self.meta_ is None:  # one member: its own probabilities
            return proba.set_axis(list(self.classes_), axis=1)
        meta = pd.DataFrame(self.meta_.predict_proba(proba.to_numpy()), index=proba.index, columns=self.meta_.classes_)
        return meta.reindex(columns=self.classes_, fill_value=0.0)
