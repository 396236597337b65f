"""DVC stage ``leakage``: one family under four protocols, written to ``metrics/leakage.json`` and a bar chart."""

import pandas as pd

from musicgenre.datasets import is_gtzan
from musicgenre.errors import friendly_main
from musicgenre.gtzan import fault_filtered_split
from musicgenre.jsonio import write_json
from musicgenre.leakage import PROTOCOLS, run
from musicgenre.models import FAMILIES
from musicgenre.params import choice, load_params, section
from musicgenre.paths import CLEAN_MANIFEST, LEAKAGE_METRICS, LEAKAGE_PLOT
from musicgenre.plots import leakage_png
from musicgenre.selection import candidates
from musicgenre.cliprules import clip_rule
from musicgenre.representations import REPRESENTATIONS


@friendly_main
def main():
    params = load_params()
    # the protocols are compared on the descriptors, under a classical family that reads them
    models = section(params, "models")
    on_descriptors = tuple(f for f in models if f in FAMILIES and models[f]["input"] == "features")
    family = choice(section(params, "leakage.family"), "leakage.family", on_descriptors)
    protocols = list(PROTOCOLS)
    if not is_gtzan(section(params, "dataset.source")):
        protocols.remove("fault_filtered")  # the published split exists for GTZAN only
    descriptors = REPRESENTATIONS["features"]
    # one set of settings everywhere, so differences are the leak: a searched setting's first value.
    # The clip rule is then left out: the random protocol splits a clip's chunks, so every protocol
    # uses the chunks' vote, which all of them can
    settings = clip_rule(candidates(family, section(params, f"models.{family}"))[0][1])[2]
    model = (family, settings, section(params, "train.scaler"), descriptors.columns(params))
    chunks = descriptors.read()
    results = run(chunks, pd.read_csv(CLEAN_MANIFEST), model, protocols,
                  section(params, "split.test_fraction"), section(params, "seed"), fault_filtered_split())
    honest = results["fault_filtered" if "fault_filtered" in results else "artist"]["clip_accuracy"]
    for scores in results.values():
        scores["inflation_vs_honest"] = round(scores["clip_accuracy"] - honest, 4)
    write_json({"family": family, "protocols": results}, LEAKAGE_METRICS)
    leakage_png(results, f"{family}: one model, {len(results)} protocols", LEAKAGE_PLOT)
    for name, scores in results.items():
        print(f"leakage {name:<15} clip accuracy {scores['clip_accuracy']:.3f} "
              f"[{scores['clip_accuracy_ci95_low']:.3f}, {scores['clip_accuracy_ci95_high']:.3f}] "
              f"on {scores['test_clips']} clips ({scores['inflation_vs_honest']:+.3f})")


if __name__ == "__main__":
    main()
