"""Choosing a family's settings on validation data only.

A setting of a family on tables given as a list in ``params.yaml`` (``n_neighbors: [5, 9, 14]``;
a list of lists for a setting that is itself a list) lists values to try; one value is used as
is, so no value is both fixed and searched. Every combination of the values to try is a candidate
(a fusion member's settings too, named ``members.early.C``). Each candidate is fitted and scored
on validation data, never on the test set:

* on GTZAN's fault-filtered split, its published **valid list** (fold 0 of ``split.csv``):
  fitted on the published train list, scored on the valid list;
* on the other splits, the training set's **grouped folds** (the mean over all of them).

The best clip accuracy wins (the first in grid order on a tie). The train stage then fits the
chosen settings on the whole training set (train + valid), and only ``evaluate`` touches the
test list, once.
"""

import itertools

import numpy as np

from . import schema
from .splits import PUBLISHED

#: what the validation score means, per kind of split
SCORED_ON = {"published": "the published valid list (fold 0)", "other": "the mean over the grouped folds"}


def candidates(family, settings):
    """``[(chosen, settings)]``: every combination of the values to try in ``settings``
    (``models.<family>``, as :func:`schema.family` checked it; :func:`schema.search_space` says
    which settings are searched), in grid order, each with one value per setting; one candidate,
    ``({}, settings)``, when nothing is searched."""
    space = schema.search_space(family, settings)
    combinations = [dict(zip(space, values, strict=True)) for values in itertools.product(*space.values())]
    return [(chosen, schema.family(family, schema.assigned(settings, chosen))) for chosen in combinations]


def validation_folds(strategy, train):
    """The folds a candidate is scored on: fold 0 (the published valid list) on a published split
    (GTZAN's fault-filtered, FMA's official), every training fold otherwise."""
    return [0] if strategy in PUBLISHED else sorted(int(f) for f in train["fold"].unique())


def select(options, score):
    """The best of ``options`` (``[(chosen, settings)]``) by ``score(settings)``; returns
    ``(settings, record)`` where ``record`` has the chosen values, their validation score and
    every candidate's score, for the metrics."""
    scored = [(chosen, settings, score(settings)) for chosen, settings in options]
    best = int(np.argmax([s for _, _, s in scored]))  # argmax: the first of equal scores
    chosen, settings, value = scored[best]
    return settings, {"chosen": chosen, "validation_clip_accuracy": round(float(value), 4),
                      "candidates": [{**c, "validation_clip_accuracy": round(float(s), 4)} for c, _, s in scored]}
