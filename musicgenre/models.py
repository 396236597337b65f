"""Model families, what each learns from, and their self-contained bundles.

The classical families (knn, rf, mlp on the 57 descriptors) and the embeddings family (musicnn
activations under a light classifier) are sklearn ``Pipeline(scaler, ..., classifier)``s: the
scaler is fitted on training rows only, inside cross-validation folds too, so no statistic of a
test row leaks into training. The deep families (cnn, transfer) live in :mod:`musicgenre.deep`.
A bundle is everything needed to use a fitted model without DVC, params.yaml or the training data.
"""

import platform

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from . import __version__
from .errors import MusicgenreError
from .params import choice
from .representations import REPRESENTATIONS
from .schema import EMBEDDING_CLASSIFIERS, SEARCHABLE

FAMILIES = {"knn": KNeighborsClassifier, "rf": RandomForestClassifier, "mlp": MLPClassifier}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}
#: Families that train a network once, early-stopped on a validation fold (:mod:`musicgenre.deep`).
DEEP = ("cnn", "transfer")
BUNDLE_FORMAT = 3  # 3: the model is a clip model (musicgenre.cliprules), with clip_proba
#: Packages whose major version a network's bundle records and must share with the loading machine.
NETWORK_PACKAGES = ("keras", "tensorflow")


def family_input(family, settings):
    """The representation ``family`` learns from: the one ``models.<family>.input`` names, which must
    be of the kind the family reads (a table for the families on tables, an array for the networks).
    Its folder, ``data/inputs/<input>``, is the dependency of ``train@<family>`` and ``evaluate@<family>``."""
    choice(family, "the family name (a key of models)", (*SEARCHABLE, *DEEP))
    network = family in DEEP
    fitting = tuple(name for name, representation in REPRESENTATIONS.items() if representation.tabular != network)
    name = choice(settings["input"], f"models.{family}.input ({'an array' if network else 'a table'} input: "
                  "a representation)", fitting)
    return REPRESENTATIONS[name]


def family_description(family, settings):
    """What the metrics record about the family's own model, beside its input's description."""
    if family == "musicnn":
        return {"classifier": settings["classifier"]}
    if family == "fusion":
        members = settings["members"]
        return {"members": {name: f"{m['classifier']} on {' + '.join(m['inputs'])}, {m['clip_rule']}"
                            for name, m in members.items()},
                "combination": "logistic meta-learner on out-of-fold clip probabilities" if len(members) > 1
                               else "one member"}
    return {}


def build(family, settings, scaler, seed, name=None):
    """An unfitted chunk-level pipeline for ``family`` with ``settings`` from ``params.yaml:
    models.<family>`` (checked by the schema, with their defaults). ``family`` may also be a
    classifier kind of a fusion member (``svm``, ``logistic``, or a family's); ``name`` is the
    params key that errors name. scikit-learn checks its own settings (of knn, rf, mlp)."""
    name = name or f"models.{family}"
    settings = {k: v for k, v in (settings or {}).items() if k != "input"}
    if family == "musicnn":
        return _embedding_classifier(settings, scaler, seed)
    if family in EMBEDDING_CLASSIFIERS:  # a fusion member's classifier
        return _embedding_classifier({**settings, "classifier": family}, scaler, seed)
    choice(family, f"{name} (a classifier)", (*FAMILIES, *EMBEDDING_CLASSIFIERS))
    estimator_class = FAMILIES[family]
    unknown = sorted(set(settings) - set(estimator_class().get_params()))
    if unknown:
        raise MusicgenreError(
            f"params.yaml: {name} has unknown setting(s) {unknown} for "
            f"{estimator_class.__name__}; see its scikit-learn documentation")
    if "hidden_layer_sizes" in settings:
        settings["hidden_layer_sizes"] = tuple(settings["hidden_layer_sizes"])
    if "random_state" in estimator_class().get_params():
        settings.setdefault("random_state", seed)
    try:
        estimator = estimator_class(**settings)
        estimator._validate_params()  # private; pinned by tests/test_models.py::test_the_private_apis_used_exist
    except (TypeError, ValueError) as err:
        raise MusicgenreError(f"params.yaml: {name} is invalid: {err}") from None
    return Pipeline([("scale", SCALERS[scaler]()), ("classify", estimator)])


def _embedding_classifier(settings, scaler, seed):
    """Scaler, optional PCA, then an RBF SVM or logistic regression: the light classifier that
    pretrained embeddings are probed with (the published musicnn anchor is an SVM). ``settings``:
    ``classifier``, ``C`` and ``pca`` (:class:`musicgenre.schema.LightClassifier`)."""
    kind, c, components = settings["classifier"], settings["C"], settings["pca"]
    # an SVM has no probabilities of its own; a sigmoid calibration (scikit-learn's replacement
    # for SVC(probability=True)) gives the chunk probabilities the clip vote averages
    classifier = (CalibratedSVM(C=c) if kind == "svm"
                  else LogisticRegression(C=c, max_iter=2000, random_state=seed))
    steps = [("scale", SCALERS[scaler]())]
    if components:
        steps.append(("pca", PCA(components, random_state=seed)))
    return Pipeline(steps + [("classify", classifier)])


class CalibratedSVM(ClassifierMixin, BaseEstimator):
    """An RBF SVM with sigmoid-calibrated probabilities, cross-validated over up to 5 folds: as many
    as the rarest genre's rows allow, so a pooled table of few clips per genre still fits."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        rarest = int(np.unique(y, return_counts=True)[1].min())
        if rarest < 2:
            raise MusicgenreError("an SVM's probability calibration needs 2 rows or more of every genre in each fit, "
                                  "and a genre here has 1 (a pooled table of very few clips?); use classifier: "
                                  "logistic, or clip_rule: vote")
        self.calibrated_ = CalibratedClassifierCV(SVC(C=self.C), cv=min(5, rarest), ensemble=False).fit(X, y)
        self.classes_ = self.calibrated_.classes_
        return self

    def predict_proba(self, X):
        return self.calibrated_.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def make_bundle(model, family, feature_names, labels, config, description=None):
    """``config`` says how to turn audio into the model's input: ``input`` (features, mels or
    embeddings), ``sample_rate``, ``chunk_seconds`` and the settings of that input."""
    versions = {"musicgenre": __version__, "scikit-learn": sklearn.__version__,
                "numpy": np.__version__, "python": platform.python_version()}
    if family in DEEP:  # a network's bundle holds Keras objects, made under these
        versions.update({package: installed(package) for package in NETWORK_PACKAGES})
    return {
        "format": BUNDLE_FORMAT,
        "family": family,
        "model": model,
        "feature_names": list(feature_names),
        "labels": list(labels),
        "config": dict(config),
        "description": dict(description or {}),
        "versions": versions,
    }


def save_bundle(bundle, path):
    joblib.dump(bundle, path, compress=3)


def installed(package):
    """The version of ``package`` here (imported: a network's bundle has imported it already)."""
    import importlib

    try:
        return importlib.import_module(package).__version__
    except ImportError:
        return None


def load_bundle(path):
    """Load a bundle; a bundle of another format, another scikit-learn version, or another major
    version of Keras or TensorFlow than the installed ones is refused, not trusted."""
    try:
        bundle = joblib.load(path)
    except FileNotFoundError:
        raise MusicgenreError(f"model bundle {path} not found; run dvc repro to train it") from None
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise MusicgenreError(f"{path} is not a musicgenre bundle of format {BUNDLE_FORMAT}; retrain it")
    made_with = bundle["versions"]["scikit-learn"]
    if made_with != sklearn.__version__:  # scikit-learn's pickles are only promised within one version
        raise MusicgenreError(
            f"{path} was made with scikit-learn {made_with}, this is {sklearn.__version__}; "
            f"retrain it (dvc repro) or install scikit-learn=={made_with}")
    for package in NETWORK_PACKAGES:
        made_with = bundle["versions"].get(package)
        if not made_with:  # only a network's bundle records them (and its unpickling imported them)
            continue
        here = installed(package)
        if (here or "none").split(".")[0] != made_with.split(".")[0]:
            raise MusicgenreError(
                f"{path} was made with {package} {made_with}, and this is {package} {here or '(not installed)'}, "
                f"another major version; retrain it (dvc repro) or install {package}=={made_with}")
    return bundle
