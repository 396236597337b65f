"""Choosing a family's settings on validation data only.

A setting of a family on tables given as a list in ``params.yaml`` (``n_neighbors: [5, 9, 14]``;
a list of lists for a setting that is itself a list) lists values to try; one value is used as
is, so no value is both fixed and searched. Every combination of the values to try is a candidate
(a fusion member's settings too, named ``members.early.C``). Each candidate is fitted and scored
on validation data, never on the test set:

* on GTZAN's fault-filtered split, its published **valid list** (fold 0 of ``split.csv``):
  fitted on the published train list, scored on the valid list;
* on the other splits, the training set's **grouped folds** (the mean over all of them).

Each candidate is scored at every length of ``lengths.seconds`` (its validation clips cut to runs
of chunks, :func:`musicgenre.excerpts.chunk_runs`) and on whole clips; ``lengths.choose_by``
says which score wins (:func:`validation_score`; the first in grid order on a tie), so a model is
not chosen for 30 s clips alone when it will meet 10 s previews. The train stage then fits the
chosen settings on the whole training set (train + valid), and only ``evaluate`` touches the
test list, once.

The same score, of the settings a family was trained with, is the family's **validation score**
(:func:`validation_record`, in ``metrics/<family>.json`` under ``validation``): it chooses the
family ``predict`` uses by default and the one ``compare`` tests every other against
(:func:`chosen_family`). It is the selection's own score, on the folds that chose: optimistic where
values were tried there, so it ranks; the test score estimates.
"""

import itertools
import json

import numpy as np

from . import schema
from .excerpts import WHOLE
from .splits import PUBLISHED

#: what the validation score means, per kind of split (and for a network, which has one validation fold)
SCORED_ON = {"published": "the published valid list (fold 0)", "other": "the mean over the grouped folds",
             "network": "the validation fold it early-stopped on (fold 0)"}


def candidates(family, settings):
    """``[(chosen, settings)]``: every combination of the values to try in ``settings``
    (``models.<family>``, as :func:`schema.family` checked it; :func:`schema.search_space` says
    which settings are searched), in grid order, each with one value per setting; one candidate,
    ``({}, settings)``, when nothing is searched. A combination that differs from an earlier one
    only in settings its clip rule ignores (the vote pools nothing: :func:`model_settings`) is the
    same model, so it is left out rather than fitted twice."""
    space = schema.search_space(family, settings)
    found, seen = [], set()
    for values in itertools.product(*space.values()):
        chosen = dict(zip(space, values, strict=True))
        candidate = schema.family(family, schema.assigned(settings, chosen))
        key = json.dumps(model_settings(candidate), sort_keys=True)
        if key not in seen:
            seen.add(key)
            found.append((chosen, candidate))
    return found


def model_settings(settings):
    """``settings`` (a family's, checked) without those its clip rule ignores: a vote's
    :data:`musicgenre.schema.POOLING` settings, and so for each fusion member by its own rule."""
    kept = {k: v for k, v in settings.items()
            if not (settings.get("clip_rule") == "vote" and k in schema.POOLING)}
    if isinstance(settings.get("members"), dict):
        kept["members"] = {name: model_settings(member) for name, member in settings["members"].items()}
    return kept


def validation_folds(strategy, train):
    """The folds a candidate is scored on: fold 0 (the published valid list) on a published split
    (GTZAN's fault-filtered, FMA's official), every training fold otherwise."""
    return [0] if strategy in PUBLISHED else sorted(int(f) for f in train["fold"].unique())


def validation_score(folds, choose_by):
    """A candidate's score from its validation ``folds`` (:func:`musicgenre.training.cross_validate`,
    with ``by_length``), by ``lengths.choose_by``: ``mean``, the clip accuracy averaged over the
    excerpt lengths and the whole clips; ``shortest``, at the shortest length; ``whole``, on whole
    clips only. The mean over the folds."""
    def one(fold):
        lengths = list(fold.get("by_length", {}).values())
        if choose_by == "whole" or not lengths:
            return fold["clip_accuracy"]
        return lengths[0] if choose_by == "shortest" else float(np.mean([*lengths, fold["clip_accuracy"]]))

    return float(np.mean([one(fold) for fold in folds]))


def validation_record(folds, held_out, choose_by, scored_on):
    """A trained family's validation score: :func:`validation_score` of its ``folds``
    (:func:`musicgenre.training.cross_validate`'s) that ``held_out`` names (:func:`validation_folds`),
    with what it was scored on; for a family that tried values, its selection's score."""
    return {"score": round(validation_score([f for f in folds if f["fold"] in held_out], choose_by), 4),
            "choose_by": choose_by, "scored_on": scored_on}


def chosen_family(scores):
    """The family of ``scores`` (family → validation score) with the best score, the first by name of equal ones."""
    return min(scores, key=lambda family: (-scores[family], family))


def by_length(folds):
    """``{key: mean clip accuracy over the folds}`` per excerpt length, then ``whole``."""
    keys = list(folds[0].get("by_length", {}))
    means = {key: np.mean([f["by_length"][key] for f in folds]) for key in keys}
    means[WHOLE] = np.mean([f["clip_accuracy"] for f in folds])
    return {key: round(float(value), 4) for key, value in means.items()}


def select(options, folds_of, choose_by):
    """The best of ``options`` (``[(chosen, settings)]``) by :func:`validation_score` of
    ``folds_of(settings)``; returns ``(settings, record)`` where ``record`` has the chosen values,
    the rule, their validation score and every candidate's, for the metrics."""
    scored = []
    for chosen, settings in options:
        folds = folds_of(settings)
        scored.append((chosen, settings, validation_score(folds, choose_by), by_length(folds)))
    best = int(np.argmax([s for _, _, s, _ in scored]))  # argmax: the first of equal scores
    chosen, settings, value, _ = scored[best]
    return settings, {"chosen": chosen, "choose_by": choose_by, "validation_score": round(value, 4),
                      "candidates": [{**c, "validation_score": round(s, 4), "validation_by_length": lengths}
                                     for c, _, s, lengths in scored]}
