"""DVC stage ``evaluate@<family>``: test-set metrics, confusion plot data and PNG."""

import sys

import numpy as np
import pandas as pd

from musicgenre.errors import friendly_main
from musicgenre.evaluation import evaluate
from musicgenre.jsonio import read_json, write_json
from musicgenre.models import family_input, load_bundle
from musicgenre.params import load_params, section
from musicgenre.paths import CONFUSION, IMAGES, SPLIT, family_metrics, model_dir
from musicgenre.plots import confusion_png
from musicgenre.splits import resolve_strategy


@friendly_main
def main(family):
    params = load_params()
    strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
    representation = family_input(family, section(params, f"models.{family}"))
    bundle = load_bundle(model_dir(family) / "model.joblib")
    table = representation.table(pd.read_csv(SPLIT))
    test = table[table["set"] == "test"]
    inputs = representation.inputs(test, bundle["feature_names"])
    metrics, clips = evaluate(bundle["model"], inputs, test, section(params, "seed"))
    folds = read_json(model_dir(family) / "cv.json")["folds"]
    clip_cv = [f["clip_accuracy"] for f in folds]
    metrics["cv"] = {"clip_accuracy_mean": round(float(np.mean(clip_cv)), 4),
                     "clip_accuracy_std": round(float(np.std(clip_cv)), 4), "folds": len(folds)}
    metrics["split"] = strategy
    if bundle["description"]:
        metrics["model"] = bundle["description"]
    write_json(metrics, family_metrics(family))
    CONFUSION.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    clips[["file", "actual", "predicted"]].to_csv(CONFUSION / f"{family}.csv", index=False)
    confusion_png(clips["actual"], clips["predicted"], bundle["labels"],
                  f"{family}: clip accuracy {metrics['clip']['accuracy']:.3f} ({strategy} split)",
                  IMAGES / f"{family}_confusion.png")
    print(f"evaluate@{family}: chunk accuracy {metrics['chunk']['accuracy']:.3f}, "
          f"clip accuracy {metrics['clip']['accuracy']:.3f} "
          f"[{metrics['clip']['accuracy_ci95_low']:.3f}, {metrics['clip']['accuracy_ci95_high']:.3f}] "
          f"on {metrics['test_size']['clips']} test clips")


if __name__ == "__main__":
    main(sys.argv[1])
