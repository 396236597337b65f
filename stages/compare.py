"""DVC stage ``compare``: the cross-validation boxplot across families (the original study's figure)."""

import pandas as pd

from musicgenre.errors import friendly_main
from musicgenre.jsonio import read_json
from musicgenre.params import load_params, section
from musicgenre.paths import CV_SCORES, IMAGES, family_metrics, model_dir
from musicgenre.plots import comparison_png


@friendly_main
def main():
    params = load_params()
    families = list(section(params, "models"))
    cv = {f: [fold["clip_accuracy"] for fold in read_json(model_dir(f) / "cv.json")["folds"]] for f in families}
    test = {f: read_json(family_metrics(f))["clip"]["accuracy"] for f in families}
    rows = [{"family": f, "fold": k, "clip_accuracy": score} for f in families for k, score in enumerate(cv[f])]
    CV_SCORES.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(CV_SCORES, index=False)
    IMAGES.mkdir(parents=True, exist_ok=True)
    comparison_png(cv, test, f"clip accuracy, {section(params, 'split.strategy')} split", IMAGES / "comparison.png")
    print("compare: " + ", ".join(f"{f} test {test[f]:.3f}" for f in families))


if __name__ == "__main__":
    main()
