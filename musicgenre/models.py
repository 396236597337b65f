"""Model families and their self-contained bundles.

Every family is an sklearn ``Pipeline(scaler, classifier)``: the scaler is fitted on training
rows only, inside cross-validation folds too, so no statistic of a test row leaks into training.
A bundle is everything needed to use a fitted model without DVC, params.yaml or the training data.
"""

import platform

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from . import __version__
from .errors import MusicgenreError
from .params import choice

FAMILIES = {"knn": KNeighborsClassifier, "rf": RandomForestClassifier, "mlp": MLPClassifier}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}
BUNDLE_FORMAT = 1


def build(family, settings, scaler, seed):
    """An unfitted pipeline for ``family`` with ``settings`` from ``params.yaml: models.<family>``."""
    choice(family, "model family", tuple(FAMILIES))
    choice(scaler, "train.scaler", tuple(SCALERS))
    estimator_class = FAMILIES[family]
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(estimator_class().get_params()))
    if unknown:
        raise MusicgenreError(
            f"params.yaml: models.{family} has unknown setting(s) {unknown} for "
            f"{estimator_class.__name__}; see its scikit-learn documentation")
    if "hidden_layer_sizes" in settings:
        settings["hidden_layer_sizes"] = tuple(settings["hidden_layer_sizes"])
    if "random_state" in estimator_class().get_params():
        settings.setdefault("random_state", seed)
    try:
        estimator = estimator_class(**settings)
        estimator._validate_params()
    except (TypeError, ValueError) as err:
        raise MusicgenreError(f"params.yaml: models.{family} is invalid: {err}") from None
    return Pipeline([("scale", SCALERS[scaler]()), ("classify", estimator)])


def make_bundle(model, family, feature_names, labels, feature_config):
    return {
        "format": BUNDLE_FORMAT,
        "family": family,
        "model": model,
        "feature_names": list(feature_names),
        "labels": list(labels),
        "feature_config": dict(feature_config),
        "versions": {"musicgenre": __version__, "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
    }


def save_bundle(bundle, path):
    joblib.dump(bundle, path, compress=3)


def load_bundle(path):
    """Load a bundle; a bundle of another format or scikit-learn version is refused, not trusted."""
    try:
        bundle = joblib.load(path)
    except FileNotFoundError:
        raise MusicgenreError(f"model bundle {path} not found; run dvc repro to train it") from None
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise MusicgenreError(f"{path} is not a musicgenre bundle of format {BUNDLE_FORMAT}; retrain it")
    made_with = bundle["versions"]["scikit-learn"]
    if made_with != sklearn.__version__:
        raise MusicgenreError(
            f"{path} was made with scikit-learn {made_with}, this is {sklearn.__version__}; "
            f"retrain it (dvc repro) or install scikit-learn=={made_with}")
    return bundle
