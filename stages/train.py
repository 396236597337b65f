"""DVC stage ``train@<family>``: train one family on its input and save a self-contained bundle.

Families on tables (knn, rf, mlp on descriptors; musicnn on embeddings) are cross-validated on
the training set's folds, then fitted on the whole training set. The deep families (cnn,
transfer) train once, early-stopped on the validation fold, and log their learning curves with
dvclive into ``data/models/<family>/live`` (drawn as ``learning_curve.png`` beside it, too).
"""

import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from musicgenre.embeddings import column_names
from musicgenre.errors import friendly_main
from musicgenre.jsonio import read_json, write_json
from musicgenre.models import EMBEDDINGS_INPUT, FEATURES_INPUT, MELS_INPUT, build, family_input, make_bundle, save_bundle
from musicgenre.params import load_params, number, section
from musicgenre.paths import EMBEDDINGS_INFO, MELS_ARRAY, MELS_CONFIG, SPLIT, model_dir
from musicgenre.plots import learning_curve_png
from musicgenre.training import cross_validate, feature_columns, read_table, train_deep


def train_table(family, settings, params, source, columns):
    """Cross-validate on ``columns``, then fit on the whole training set; returns ``(model, folds)``."""
    model = build(family, settings, section(params, "train.scaler"), section(params, "seed"))
    table = read_table(source, SPLIT)
    train = table[table["set"] == "train"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a param; reaching it is the user's choice
        folds = cross_validate(model, table, columns)
        model.fit(train[columns].to_numpy(), train["genre"].to_numpy())
    return model, folds


@friendly_main
def main(family):
    params = load_params()
    settings = dict(section(params, f"models.{family}"))
    source = family_input(family, settings)
    features = section(params, "features")
    config = {"input": {FEATURES_INPUT: "features", EMBEDDINGS_INPUT: "embeddings", MELS_INPUT: "mels"}[source],
              "sample_rate": features["sample_rate"], "chunk_seconds": features["chunk_seconds"]}
    out = model_dir(family)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if source == MELS_INPUT:
        from dvclive import Live

        from musicgenre.runtime import tensorflow

        settings.pop("input")
        threads = number(settings.pop("threads", 2), f"models.{family}.threads", 1, 256, integer=True)
        tensorflow(threads, section(params, "seed"))
        table = read_table(source, SPLIT)
        mels = np.load(MELS_ARRAY, mmap_mode="r")
        with Live(dir=str(out / "live"), save_dvc_exp=False, dvcyaml=None) as live:
            model, description, folds = train_deep(family, settings, table, mels, section(params, "seed"), live)
        curves = {name: pd.read_csv(out / "live" / "plots" / "metrics" / f"{name}.tsv", sep="\t")[name].tolist()
                  for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
        learning_curve_png(curves, f"{family}: learning curve", out / "learning_curve.png")
        columns = []
        config.update(read_json(MELS_CONFIG))
    elif source == EMBEDDINGS_INPUT:
        info = read_json(EMBEDDINGS_INFO)
        columns = column_names(info["dimensions"])
        model, folds = train_table(family, settings, params, source, columns)
        config.update({"model": info["model"], "layer": info["layer"]})
        description = {"embedding": f"{info['model']} {info['layer']} ({info['package']})",
                       "classifier": settings.get("classifier", "svm")}
    else:
        columns = feature_columns(section(params, "train.drop_features"))
        model, folds = train_table(family, settings, params, source, columns)
        description = {}
    seconds = time.perf_counter() - started
    save_bundle(make_bundle(model, family, columns, model.classes_, config, description), out / "model.joblib")
    write_json({"folds": folds}, out / "cv.json")
    mean = sum(f["clip_accuracy"] for f in folds) / len(folds)
    kind = "validation-fold" if source == MELS_INPUT else f"{len(folds)}-fold CV"
    print(f"train@{family}: {kind} clip accuracy {mean:.3f}; trained in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1])
