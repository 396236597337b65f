"""DVC stage ``train@<family>``: cross-validate, then fit on the whole training set and save a bundle."""

import sys
import warnings

from sklearn.exceptions import ConvergenceWarning

from musicgenre.errors import friendly_main
from musicgenre.jsonio import write_json
from musicgenre.models import build, make_bundle, save_bundle
from musicgenre.params import load_params, section
from musicgenre.paths import CHUNKS, SPLIT, model_dir
from musicgenre.training import cross_validate, feature_columns, read_table


@friendly_main
def main(family):
    params = load_params()
    train_settings = section(params, "train")
    model = build(family, section(params, f"models.{family}"), train_settings.get("scaler"), section(params, "seed"))
    columns = feature_columns(train_settings.get("drop_features"))
    table = read_table(CHUNKS, SPLIT)
    train = table[table["set"] == "train"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a param; reaching it is the user's choice
        folds = cross_validate(model, table, columns)
        model.fit(train[columns].to_numpy(), train["genre"].to_numpy())
    out = model_dir(family)
    out.mkdir(parents=True, exist_ok=True)
    features = section(params, "features")
    config = {"sample_rate": features["sample_rate"], "chunk_seconds": features["chunk_seconds"]}
    save_bundle(make_bundle(model, family, columns, model.classes_, config), out / "model.joblib")
    write_json({"folds": folds}, out / "cv.json")
    mean = sum(f["clip_accuracy"] for f in folds) / len(folds)
    print(f"train@{family}: {len(train)} chunks, {len(folds)}-fold CV clip accuracy {mean:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
