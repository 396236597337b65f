"""Choosing a family's settings on validation data only.

``models.<family>.search`` maps setting names to lists of values to try; every combination is a
candidate (dotted names reach into nested settings, e.g. ``members.early.C`` for fusion). Each
candidate is fitted and scored on validation data, never on the test set:

* on GTZAN's fault-filtered split, its published **valid list** (fold 0 of ``split.csv``):
  fitted on the published train list, scored on the valid list;
* on the other splits, the training set's **grouped folds** (the mean over all of them).

The best clip accuracy wins (the first in grid order on a tie). The train stage then fits the
chosen settings on the whole training set (train + valid), and only ``evaluate`` touches the
test list, once.
"""

import copy
import itertools

import numpy as np

from . import schema
from .errors import MusicgenreError
from .splits import PUBLISHED

#: what the validation score means, per kind of split
SCORED_ON = {"published": "the published valid list (fold 0)", "other": "the mean over the grouped folds"}


def candidates(family, settings):
    """``[(chosen, settings)]``: every combination of ``settings["search"]`` applied to ``settings``
    (``models.<family>``, as the schema checked it), in grid order, each candidate checked by the
    family's schema too (a value to try is checked like a fixed one) and without ``search``; one
    candidate, ``({}, settings)``, when there is no search."""
    name = f"models.{family}"
    space = settings.get("search") or {}
    keys = list(space)
    result = []
    for values in itertools.product(*(space[key] for key in keys)):
        candidate = copy.deepcopy(settings)
        for key, value in zip(keys, values, strict=True):
            _assign(candidate, key, value, name)
        candidate = schema.family(family, candidate)
        candidate.pop("search", None)
        result.append((dict(zip(keys, values, strict=True)), candidate))
    return result


def _assign(settings, dotted, value, name):
    *path, last = dotted.split(".")
    node = settings
    for key in path:
        if not isinstance(node.get(key), dict):
            raise MusicgenreError(f"params.yaml: {name}.search names {dotted!r}, but {name} has no {key!r} "
                                  "section to set it in")
        node = node[key]
    node[last] = value


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
