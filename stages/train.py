"""DVC stage ``train@<family>``: train one family on its input and save a self-contained bundle.

Families on tables (knn, rf, mlp on descriptors; musicnn on embeddings) are cross-validated on
the training set's folds under both clip rules (the chunks' soft vote and clip pooling,
:mod:`musicgenre.cliprules`), then fitted on the whole training set with their own rule
(``models.<family>.clip_rule``, chosen on validation data when it lists both). The networks (cnn,
transfer, and the user's own: a ``builder``) train once, early-stopped on the validation fold, and
log their learning curves with dvclive into ``data/models/<family>/live`` (drawn as
``learning_curve.png`` beside it, too).
"""

import sys
import time
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from musicgenre.errors import friendly_main
from musicgenre.excerpts import runs
from musicgenre.jsonio import write_json
from musicgenre.bundles import BUNDLE_NAME, make_bundle, save_bundle, training_data
from musicgenre.models import family_description, family_input, is_network
from musicgenre.params import chunk_grid, load_params, section
from musicgenre.paths import SPLIT, model_dir
from musicgenre.plots import learning_curve_png
from musicgenre.selection import SCORED_ON, candidates, validation_folds, validation_record
from musicgenre.splits import PUBLISHED, resolve_strategy
from musicgenre.training import VALIDATION_FOLD, choose, cross_validate, family_models, train_deep


def train_table(family, settings, params, table, representation, columns, strategy, lengths):
    """Choose the settings on validation data (the values to try, scored on ``strategy``'s validation
    folds at ``lengths``), cross-validate every clip model of the family with them
    (:func:`family_models`), then fit its own on the whole training set.
    Returns ``(model, folds_by_rule, selection, settings)``: the family's own rule first, and the
    settings it was fitted with."""
    scaler, seed = section(params, "train.scaler"), section(params, "seed")
    options = candidates(family, settings)
    train = table[table["set"] == "train"]
    selection, reused = None, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a param; reaching it is the user's choice
        if len(options) > 1:
            settings, selection, reused = choose(family, options, table, columns, validation_folds(strategy, train),
                                                 representation, params, lengths, section(params, "lengths.choose_by"))
            print(f"train@{family}: chose {selection['chosen']} (validation score {selection['validation_score']:.3f}, "
                  f"{selection['choose_by']} over lengths, {len(options)} candidates)")
        else:
            settings = options[0][1]
        models = family_models(family, settings, scaler, seed, representation, params)
        # the chosen settings' own rule was already cross-validated when every fold validated them
        own_done = len(reused) == train["fold"].nunique()
        folds = {name: reused if own_done and k == 0 else cross_validate(model, table, columns, None, lengths, seed)
                 for k, (name, model) in enumerate(models.items())}
        model = next(iter(models.values())).fit(train[columns].to_numpy(), train["genre"].to_numpy(),
                                                 train["file"].to_numpy(), folds=train["fold"].to_numpy(),
                                                 artists=train["group"].to_numpy())
    return model, folds, selection, settings


def train_network(family, settings, params, table, representation, out, lengths):
    """Train a deep family with its learning curves logged by dvclive, its validation fold also scored
    at ``lengths``; returns ``(model, description, folds)``."""
    from dvclive import Live

    from musicgenre.runtime import tensorflow

    settings.pop("input")
    threads = settings.pop("threads")
    tensorflow(threads, section(params, "seed"))
    with Live(dir=str(out / "live"), save_dvc_exp=False, dvcyaml=None) as live:
        model, description, folds = train_deep(family, settings, table, representation, section(params, "seed"), live,
                                               lengths)
    curves = {name: pd.read_csv(out / "live" / "plots" / "metrics" / f"{name}.tsv", sep="\t")[name].tolist()
              for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
    learning_curve_png(curves, f"{family}: learning curve", out / "learning_curve.png")
    return model, description, folds


@friendly_main
def main(family):
    params = load_params()
    settings = dict(section(params, f"models.{family}"))
    representation = family_input(family, settings, params)
    network = is_network(family, settings)
    sample_rate, chunk_seconds = chunk_grid(params)
    config = {"input": representation.name, "sample_rate": sample_rate, "chunk_seconds": chunk_seconds,
              **representation.config(params)}
    columns = representation.columns(params)
    table = representation.table(pd.read_csv(SPLIT), columns)
    train = table[table["set"] == "train"]
    out = model_dir(family)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
    lengths = runs(section(params, "lengths.seconds"), chunk_seconds)
    if network:  # they choose their epoch on the validation fold, and nothing else
        model, description, folds = train_network(family, settings, params, table, representation, out, lengths)
        by_rule, selection, held_out, scored_on = {}, None, [VALIDATION_FOLD], SCORED_ON["network"]
    else:
        model, by_rule, selection, settings = train_table(family, settings, params, table, representation, columns,
                                                          strategy, lengths)
        description = family_description(family, settings)
        folds = next(iter(by_rule.values()))  # the family's own rule comes first
        held_out = validation_folds(strategy, train)
        scored_on = SCORED_ON["published" if strategy in PUBLISHED else "other"]
        if selection:
            selection["scored_on"] = scored_on
    validation = validation_record(folds, held_out, section(params, "lengths.choose_by"), scored_on)
    seconds = time.perf_counter() - started
    description = {**representation.description(params), **description}
    learned_from = training_data(section(params, "dataset.source"), train["file"], train["genre"])
    save_bundle(make_bundle(model, family, columns, model.classes_, config, description, learned_from),
                out / BUNDLE_NAME)
    fitted = {"input": representation.name,  # what the model is
              **{k: v for k, v in settings.items() if k not in ("input", "threads", "n_jobs")}}
    write_json({"folds": folds, "rules": by_rule, "selection": selection, "settings": fitted, "validation": validation},
               out / "cv.json")
    mean = sum(f["clip_accuracy"] for f in folds) / len(folds)
    kind = "validation-fold" if network else f"{len(folds)}-fold CV"
    print(f"train@{family}: {kind} clip accuracy {mean:.3f}, validation score {validation['score']:.3f}; "
          f"trained in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1])
