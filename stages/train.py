"""DVC stage ``train@<family>``: train one family on its input and save a self-contained bundle.

Families on tables (knn, rf, mlp on descriptors; musicnn on embeddings) are cross-validated on
the training set's folds, then fitted on the whole training set. The deep families (cnn,
transfer) train once, early-stopped on the validation fold, and log their learning curves with
dvclive into ``data/models/<family>/live`` (drawn as ``learning_curve.png`` beside it, too).
"""

import sys
import time
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from musicgenre.errors import friendly_main
from musicgenre.jsonio import write_json
from musicgenre.models import DEEP, build, family_description, family_input, make_bundle, save_bundle
from musicgenre.params import chunk_grid, load_params, number, section
from musicgenre.paths import SPLIT, model_dir
from musicgenre.plots import learning_curve_png
from musicgenre.training import cross_validate, train_deep


def train_table(family, settings, params, table, columns):
    """Cross-validate on ``columns``, then fit on the whole training set; returns ``(model, folds)``."""
    model = build(family, settings, section(params, "train.scaler"), section(params, "seed"))
    train = table[table["set"] == "train"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a param; reaching it is the user's choice
        folds = cross_validate(model, table, columns)
        model.fit(train[columns].to_numpy(), train["genre"].to_numpy())
    return model, folds


def train_network(family, settings, params, table, representation, out):
    """Train a deep family with its learning curves logged by dvclive; returns ``(model, description, folds)``."""
    from dvclive import Live

    from musicgenre.runtime import tensorflow

    settings.pop("input")
    threads = number(settings.pop("threads", 2), f"models.{family}.threads", 1, 256, integer=True)
    tensorflow(threads, section(params, "seed"))
    with Live(dir=str(out / "live"), save_dvc_exp=False, dvcyaml=None) as live:
        model, description, folds = train_deep(family, settings, table, representation, section(params, "seed"), live)
    curves = {name: pd.read_csv(out / "live" / "plots" / "metrics" / f"{name}.tsv", sep="\t")[name].tolist()
              for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
    learning_curve_png(curves, f"{family}: learning curve", out / "learning_curve.png")
    return model, description, folds


@friendly_main
def main(family):
    params = load_params()
    settings = dict(section(params, f"models.{family}"))
    representation = family_input(family, settings)
    sample_rate, chunk_seconds = chunk_grid(params)
    config = {"input": representation.name, "sample_rate": sample_rate, "chunk_seconds": chunk_seconds,
              **representation.config(params)}
    columns = representation.columns(params)
    table = representation.table(pd.read_csv(SPLIT))
    out = model_dir(family)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if family in DEEP:
        model, description, folds = train_network(family, settings, params, table, representation, out)
    else:
        model, folds = train_table(family, settings, params, table, columns)
        description = family_description(family, settings)
    seconds = time.perf_counter() - started
    description = {**representation.description(params), **description}
    save_bundle(make_bundle(model, family, columns, model.classes_, config, description), out / "model.joblib")
    write_json({"folds": folds}, out / "cv.json")
    mean = sum(f["clip_accuracy"] for f in folds) / len(folds)
    kind = "validation-fold" if family in DEEP else f"{len(folds)}-fold CV"
    print(f"train@{family}: {kind} clip accuracy {mean:.3f}; trained in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1])
