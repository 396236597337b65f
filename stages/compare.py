"""DVC stage ``compare``: families side by side.

Writes the cross-validation boxplot (the original study's figure, test accuracy as a dot),
every family's accuracy against the seconds it heard (excerpts and whole clips: table and plot), and
``metrics/comparison.json``: exact McNemar tests on the same test clips of the family chosen on
validation data (the best validation score, :func:`musicgenre.selection.chosen_family`: the one
``predict`` uses by default) against every other family, with Holm-adjusted p-values beside the raw
ones, so a gap can be told apart from noise. The test set chooses nothing: picking the two best on
test and then testing their gap there would test a gap the selection made.
"""

import pandas as pd

from musicgenre.errors import friendly_main
from musicgenre.excerpts import scores_by_length
from musicgenre.files import atomic_write
from musicgenre.jsonio import read_json, write_json
from musicgenre.params import load_params, section
from musicgenre.paths import BY_LENGTH, COMPARISON, CONFUSION, CV_SCORES, EXCERPTS, IMAGES, model_dir
from musicgenre.plots import by_length_png, comparison_png
from musicgenre.selection import chosen_family
from musicgenre.splits import resolve_strategy
from musicgenre.stats import mcnemar_against, mcnemar_line


@friendly_main
def main():
    params = load_params()
    families = list(section(params, "models"))
    trained = {f: read_json(model_dir(f) / "cv.json") for f in families}
    cv = {f: [fold["clip_accuracy"] for fold in trained[f]["folds"]] for f in families}
    clips = {f: pd.read_csv(CONFUSION / f"{f}.csv").set_index("file").sort_index() for f in families}
    correct = {f: clips[f]["actual"] == clips[f]["predicted"] for f in families}
    test = {f: round(float(correct[f].mean()), 4) for f in families}
    rows = [{"family": f, "fold": k, "clip_accuracy": score} for f in families for k, score in enumerate(cv[f])]
    with atomic_write(CV_SCORES) as temporary:
        pd.DataFrame(rows).to_csv(temporary, index=False)
    strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
    comparison_png(cv, test, f"clip accuracy, {strategy} split", IMAGES / "comparison.png")
    by_length = lengths_table(families, seed=section(params, "seed"))
    with atomic_write(BY_LENGTH) as temporary:
        by_length.to_csv(temporary, index=False)
    by_length_png(by_length, f"clip accuracy by length, {strategy} split", IMAGES / "accuracy_by_length.png")
    ranked = sorted(families, key=lambda f: -test[f])
    validation = {f: trained[f]["validation"]["score"] for f in families}
    chosen = chosen_family(validation)
    summary = {"clip_accuracy": test, "split": strategy, "validation_score": validation,
               "clip_accuracy_by_length": {f: dict(zip(rows["length"], rows["accuracy"]))
                                           for f, rows in by_length.groupby("family", sort=False)},
               "chosen": chosen, "mcnemar_vs_chosen": mcnemar_against(chosen, correct)}
    write_json(summary, COMPARISON)
    print("compare: " + ", ".join(f"{f} test {test[f]:.3f}" for f in ranked))
    print("compare: " + mcnemar_line(summary))
    for family in ranked:
        print(f"compare: {family} by length: " + ", ".join(
            f"{length} {accuracy:.3f}" for length, accuracy in summary["clip_accuracy_by_length"][family].items()))


LENGTH_COLUMNS = ["seconds", "accuracy", "accuracy_ci95_low", "accuracy_ci95_high"]


def lengths_table(families, seed):
    """Each family's test clip accuracy per excerpt length and whole, with the mean seconds scored
    and a 95% interval (from ``plots/excerpts/<family>.csv``, written by ``evaluate``)."""
    rows = [{"family": family, "length": length, **{k: scores[k] for k in LENGTH_COLUMNS}}
            for family in families
            for length, scores in scores_by_length(pd.read_csv(EXCERPTS / f"{family}.csv"), seed).items()]
    return pd.DataFrame(rows, columns=["family", "length", *LENGTH_COLUMNS])


if __name__ == "__main__":
    main()
