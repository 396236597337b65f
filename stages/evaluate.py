"""DVC stage ``evaluate@<family>``: test-set metrics, confusion plot data and PNG, and the test
clips' scores on excerpts of every ``lengths.seconds`` (:mod:`musicgenre.excerpts`)."""

import functools
import sys

import numpy as np
import pandas as pd
from tqdm import tqdm

from musicgenre.bundles import BUNDLE_NAME, load_bundle
from musicgenre.datasets.layout import audio_path
from musicgenre.errors import friendly_main
from musicgenre.estimators import vouched
from musicgenre.evaluation import evaluate
from musicgenre.files import atomic_write
from musicgenre.lengths import by_length as by_length_scores
from musicgenre.jsonio import read_json, write_json
from musicgenre.models import family_input
from musicgenre.params import load_params, section
from musicgenre.paths import CONFUSION, EXCERPTS, IMAGES, RAW, SPLIT, family_metrics, model_dir
from musicgenre.plots import confusion_png
from musicgenre.splits import resolve_strategy


@friendly_main
def main(family):
    params = load_params()
    strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
    settings = section(params, f"models.{family}")
    representation = family_input(family, settings, params)
    bundle = load_bundle(model_dir(family) / BUNDLE_NAME, trusted=vouched(settings, params["hear"]))
    table = representation.table(pd.read_csv(SPLIT), bundle["feature_names"])
    test = table[table["set"] == "test"]
    model = bundle["model"]
    seed = section(params, "seed")
    metrics, clips = evaluate(model, representation.inputs(test, bundle["feature_names"]), test, seed)
    bar = functools.partial(tqdm, desc=f"evaluate@{family}: excerpts", unit="clip", file=sys.stderr, disable=None)
    by_length, excerpts = by_length_scores(bundle, clips, {f: audio_path(RAW, f) for f in clips["file"]},
                                           section(params, "lengths.seconds"), seed, bar)
    metrics["clip_accuracy_by_length"] = by_length
    cv = read_json(model_dir(family) / "cv.json")
    clip_cv = [f["clip_accuracy"] for f in cv["folds"]]
    # the selection's side, not an estimate: the score that chose (docs/evaluation.md), and the folds' accuracy
    metrics["validation"] = {**cv["validation"], "clip_accuracy_mean": round(float(np.mean(clip_cv)), 4),
                             "clip_accuracy_std": round(float(np.std(clip_cv)), 4), "folds": len(cv["folds"])}
    metrics["clip_rule"] = model.rule
    metrics["settings"] = cv["settings"]  # every setting the model was trained with, a searched one as chosen
    if cv.get("selection"):  # settings chosen on validation data (the values to try)
        metrics["selection"] = cv["selection"]
    if len(cv["rules"]) > 1:  # a classical family: both clip rules' CV scores
        metrics["validation"]["by_rule"] = {rule: round(float(np.mean([f["clip_accuracy"] for f in folds])), 4)
                                    for rule, folds in cv["rules"].items()}
    metrics["split"] = strategy
    metrics["training_data"] = {k: bundle["training_data"][k] for k in ("source", "clips", "synthetic")}
    if bundle["description"]:
        metrics["model"] = bundle["description"]
    write_json(metrics, family_metrics(family))
    with atomic_write(CONFUSION / f"{family}.csv") as temporary:  # with each clip's probabilities
        clips.round(6).to_csv(temporary, index=False)
    with atomic_write(EXCERPTS / f"{family}.csv") as temporary:
        excerpts.round(3).to_csv(temporary, index=False)
    confusion_png(clips["actual"], clips["predicted"], bundle["labels"],
                  f"{family}: clip accuracy {metrics['clip']['accuracy']:.3f} ({strategy} split)",
                  IMAGES / f"{family}_confusion.png")
    chunk = f"chunk accuracy {metrics['chunk']['accuracy']:.3f}, " if "chunk" in metrics else ""
    print(f"evaluate@{family}: {chunk}"
          f"clip accuracy {metrics['clip']['accuracy']:.3f} "
          f"[{metrics['clip']['accuracy_ci95_low']:.3f}, {metrics['clip']['accuracy_ci95_high']:.3f}] "
          f"on {metrics['test_size']['clips']} test clips; by length: "
          + ", ".join(f"{key} {score['accuracy']:.3f}" for key, score in by_length.items()))


if __name__ == "__main__":
    main(sys.argv[1])
