"""Cross-validating a family on its input's table, and training the deep families.

The table is a representation's chunk rows joined to ``split.csv`` (:mod:`representations`);
the representation also turns rows into model input, so nothing here knows which input it is.
"""

import numpy as np
from sklearn.base import clone

from .errors import MusicgenreError
from .cliprules import clip_model, clip_rule
from .evaluation import clip_labels, probabilities
from .excerpts import chunk_runs
from .fusion import FusionModel, members_from, shared_member_fits
from .models import build
from .schema import CLIP_RULES
from .selection import select

VALIDATION_FOLD = 0  # the training set's fold that early-stops the deep families (grouped like the split)


def fold_scores(fold, rows, model, inputs):
    """Clip accuracy (and chunk accuracy, for a chunk classifier) of a fitted ``model`` on held-out
    ``rows`` whose model input is ``inputs``."""
    clip_proba, chunk_proba = probabilities(model, inputs, rows["file"].to_numpy())
    actual = rows.groupby("file", sort=True)["genre"].first()
    scores = {"fold": int(fold),
              "clip_accuracy": round(float(np.mean(clip_labels(clip_proba).loc[actual.index] == actual)), 4)}
    if chunk_proba is not None:
        chunk_pred = np.asarray(model.classes_)[chunk_proba.argmax(axis=1)]
        scores["chunk_accuracy"] = round(float(np.mean(chunk_pred == rows["genre"].to_numpy())), 4)
    return scores


def family_models(family, settings, scaler, seed, representation, params):
    """``{rule: unfitted clip model}`` to cross-validate for a family on a table, its own rule first:
    both clip rules for a classical family (both are reported), the one model for fusion."""
    settings = {k: v for k, v in settings.items() if k != "input"}
    if family == "fusion":
        members = members_from(settings, scaler, seed, representation.columns_by_input(params))
        return {"fusion": FusionModel(members, settings["meta_C"], seed)}
    rule, pooling, settings = clip_rule(settings)
    estimator = build(family, settings, scaler, seed)
    return {name: clip_model(name, estimator, pooling, seed) for name in (rule, *(r for r in CLIP_RULES if r != rule))}


def choose(family, options, table, columns, held_out, representation, params, lengths, choose_by):
    """The best of ``options`` (``[(chosen, settings)]``, :func:`musicgenre.selection.candidates`):
    each candidate's own clip model cross-validated on the validation folds ``held_out`` (with
    excerpts of ``lengths``) and scored by ``choose_by`` (:func:`musicgenre.selection.select`).
    Returns ``(settings, record, folds)``: the chosen settings, the selection record and the chosen
    candidate's validation folds. Fusion candidates share their members' fits where they can
    (:func:`musicgenre.fusion.shared_member_fits`)."""
    scaler, seed, scored = params["train"]["scaler"], params["seed"], {}

    def folds_of(candidate):
        own = next(iter(family_models(family, candidate, scaler, seed, representation, params).values()))
        scored[id(candidate)] = cross_validate(own, table, columns, held_out, lengths, seed)
        return scored[id(candidate)]

    with shared_member_fits():
        settings, record = select(options, folds_of, choose_by)
    return settings, record, scored[id(settings)]


def cross_validate(model, table, columns, held_out=None, lengths=None, seed=0):
    """Fit ``model`` (a clip model, :mod:`cliprules`) on all folds but one, score the held-out one;
    repeat for every fold (or for the folds in ``held_out``). Returns one dict per fold
    (:func:`fold_scores`), with ``by_length``: the clip accuracy on each excerpt length of
    ``lengths`` (``{key: chunks}``, :func:`musicgenre.excerpts.runs`) when given."""
    train = table[table["set"] == "train"]
    results = []
    for fold in held_out if held_out is not None else sorted(train["fold"].unique()):
        fit_rows, val_rows = train[train["fold"] != fold], train[train["fold"] == fold]
        fitted = clone(model).fit(fit_rows[columns].to_numpy(), fit_rows["genre"].to_numpy(),
                                  fit_rows["file"].to_numpy(), folds=fit_rows["fold"].to_numpy(),
                                  artists=fit_rows["group"].to_numpy())
        results.append(held_out_scores(fold, val_rows, fitted, lambda rows: rows[columns].to_numpy(), lengths, seed))
    return results


def held_out_scores(fold, rows, model, inputs, lengths, seed):
    """:func:`fold_scores` of a fitted ``model`` on held-out ``rows`` (``inputs(rows)``: their model
    input), with ``by_length``: the clip accuracy on runs of each length of ``lengths`` (``{key:
    chunks}``, :func:`musicgenre.excerpts.chunk_runs`) when given."""
    scores = fold_scores(fold, rows, model, inputs(rows))
    if lengths:
        cut = {key: chunk_runs(rows, chunks, seed) for key, chunks in lengths.items()}
        scores["by_length"] = {key: fold_scores(fold, part, model, inputs(part))["clip_accuracy"]
                               for key, part in cut.items()}
    return scores


def train_deep(family, settings, table, representation, seed, live, lengths=None):
    """Train ``cnn``/``transfer`` on the training set's chunks, early-stopped on its artist-disjoint
    validation fold. Returns ``(classifier, description, folds)``; ``folds`` holds the validation
    fold's chunk and clip accuracy (and by length, with ``lengths``), in the shape of
    :func:`cross_validate`'s result."""
    from .deep import Chunks, MelClassifier, band_statistics, train_network

    train = table[table["set"] == "train"]
    fit_rows, val_rows = train[train["fold"] != VALIDATION_FOLD], train[train["fold"] == VALIDATION_FOLD]
    if fit_rows.empty or val_rows.empty:
        raise MusicgenreError("the training set has no validation fold to early-stop on; raise split.folds")
    classes = np.array(sorted(train["genre"].unique()))
    x_fit, x_val = representation.inputs(fit_rows, []), representation.inputs(val_rows, [])
    code = {genre: k for k, genre in enumerate(classes)}
    data = Chunks(x_fit, fit_rows["genre"].map(code).to_numpy(), x_val, val_rows["genre"].map(code).to_numpy(),
                  *band_statistics(x_fit))
    network, description = train_network(family, settings, data, seed, live)
    classifier = MelClassifier(network, classes, data.mean, data.std)
    return classifier, description, [held_out_scores(VALIDATION_FOLD, val_rows, classifier,
                                                     lambda rows: representation.inputs(rows, []), lengths, seed)]
