"""Model families, what each learns from, and how each is built.

The classical families (knn, rf, mlp on the 57 descriptors) and the embeddings family (musicnn
activations under a light classifier) are sklearn ``Pipeline(scaler, ..., classifier)``s: the
scaler is fitted on training rows only, inside cross-validation folds too, so no statistic of a
test row leaks into training. The deep families (cnn, transfer) live in :mod:`musicgenre.deep`.
A fitted model is saved in a bundle (:mod:`musicgenre.bundles`), all that is needed to use it
without DVC, params.yaml or the training data.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.utils import check_random_state
from sklearn.utils.validation import has_fit_parameter

from .errors import MusicgenreError
from .estimators import check_settings, own_estimator
from .params import choice
from .representations import available
from .schema import EMBEDDING_CLASSIFIERS, OWN_FAMILIES, SEARCHABLE


def internal_groups(y, files, artists=None):
    """The groups a model's own internal split of its rows keeps whole (:func:`grouped_folds`):
    ``artists`` (each row's artist group) where the rows carry them and every genre has two groups
    or more, so its held-out rows are of artists it did not fit on, as the test set's are; else the
    clips (``files``), so a clip's chunks and its sub-clips never sit on both sides."""
    if artists is not None:
        per_genre = pd.Series(np.asarray(artists)).groupby(np.asarray(y)).nunique()
        if per_genre.min() >= 2:
            return np.asarray(artists)
    return np.asarray(files)


def grouped_folds(y, groups, most, seed):
    """Up to ``most`` folds (``[(fit, held)]`` row indices) of whole ``groups``, each genre spread over
    them (``StratifiedGroupKFold``), every fit part holding every genre; as many folds as the genre
    with the fewest groups allows. ``groups`` ``None``: every row is its own group."""
    y = np.asarray(y)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    genres = np.unique(y)
    fewest = int(pd.Series(groups).groupby(y).nunique().min())
    for n in range(min(most, fewest), 1, -1):
        folds = list(StratifiedGroupKFold(n, shuffle=True, random_state=seed).split(y, y, groups))
        if all(len(np.unique(y[fit])) == len(genres) for fit, _ in folds):
            return folds
    raise MusicgenreError("an SVM's probability calibration (or an MLP's early stopping) needs 2 groups (clips, or "
                          "artists) or more of every genre in each fit, and a genre here has fewer (a pooled table "
                          "of very few clips?); use classifier: logistic, or clip_rule: vote")


def fit_grouped(estimator, X, y, groups):
    """Fit ``estimator`` (a pipeline or a classifier), giving ``groups`` to its classifier when it
    splits its rows on its own (a ``groups`` fit parameter: :class:`GroupCalibrated`, :class:`GroupedMLP`)."""
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return estimator.fit(X, y, **({f"{name}__groups": groups} if has_fit_parameter(last, "groups") else {}))
    return estimator.fit(X, y, **({"groups": groups} if has_fit_parameter(estimator, "groups") else {}))


class GroupedMLP(MLPClassifier):
    """scikit-learn's MLP, whose early stopping (``early_stopping: true``) holds out whole groups.

    ``MLPClassifier`` holds out random rows to early-stop on, so a clip's other chunks (and, pooled
    with sub-clips, its other vectors) sit on both sides and the stopping epoch is chosen on rows it
    has all but seen. Here the held-out ``validation_fraction`` is whole groups, one of
    ``round(1 / validation_fraction)`` stratified group folds (:func:`grouped_folds`), fewer where a
    genre has fewer groups: each fold then holds out more (half the rows at two artists per genre),
    so that every genre still trains and the held-out rows speak for every genre. The epochs, their
    scoring and stopping rule (``tol``, ``n_iter_no_change``, the best epoch's weights kept) follow
    scikit-learn's, one ``partial_fit`` epoch at a time (where scikit-learn's ``sgd`` with
    ``learning_rate: adaptive`` would lower its rate instead, this stops)."""

    def fit(self, X, y, groups=None):
        if not self.early_stopping or self.solver == "lbfgs":  # lbfgs ignores early stopping
            return super().fit(X, y)
        X, y = np.asarray(X), np.asarray(y)
        seed = self.random_state if isinstance(self.random_state, (int, np.integer)) else 0
        fit_rows, held = grouped_folds(y, groups, max(2, round(1 / self.validation_fraction)), seed)[0]
        network = clone(self).set_params(early_stopping=False, random_state=check_random_state(self.random_state))
        classes, scores, best, stale = np.unique(y), [], -np.inf, 0
        for _ in range(self.max_iter):
            MLPClassifier.partial_fit(network, X[fit_rows], y[fit_rows], classes=classes)
            scores.append(network.score(X[held], y[held]))
            stale = stale + 1 if scores[-1] < best + self.tol else 0
            if scores[-1] > best:
                best, weights = scores[-1], ([c.copy() for c in network.coefs_], [i.copy() for i in network.intercepts_])
            if stale > self.n_iter_no_change:
                break
        else:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                          "hasn't converged yet.", ConvergenceWarning)
        params = self.get_params()
        vars(self).update({k: v for k, v in vars(network).items() if k not in params})  # the fitted state
        self.coefs_, self.intercepts_ = weights
        self.validation_scores_, self.best_validation_score_, self.n_iter_ = scores, best, len(scores)
        return self


FAMILIES = {"knn": KNeighborsClassifier, "rf": RandomForestClassifier, "mlp": GroupedMLP}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}
#: Families that train a network once, early-stopped on a validation fold (:mod:`musicgenre.deep`).
DEEP = ("cnn", "transfer")


def is_network(family, settings):
    """Whether ``family`` trains a network once, early-stopped on a validation fold: a built-in deep
    family, or the user's own naming a ``builder``."""
    return family in DEEP or "builder" in settings


def family_input(family, settings, params):
    """The representation ``family`` learns from: the one ``models.<family>.input`` names (one of the
    package's, or a HEAR module ``params`` lists), which must be of the kind the family reads (a table
    for the families on tables, an array for the networks). Its folder, ``data/inputs/<input>``, is
    the dependency of ``train@<family>`` and ``evaluate@<family>``."""
    if not OWN_FAMILIES.keys() & set(settings):  # the user's own family may have any name
        choice(family, "the family name (a key of models)", (*SEARCHABLE, *DEEP))
    network = is_network(family, settings)
    representations = available(params)
    fitting = tuple(name for name, representation in representations.items() if representation.tabular != network)
    name = choice(settings["input"], f"models.{family}.input ({'an array' if network else 'a table'} input: "
                  "a representation)", fitting)
    return representations[name]


def family_description(family, settings):
    """What the metrics record about the family's own model, beside its input's description."""
    if "estimator" in settings:
        return {"estimator": settings["estimator"]}
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
    classifier kind of a fusion member (``svm``, ``logistic``, or a family's), or any family whose
    settings name an ``estimator`` (the user's own: :func:`own_estimator`); ``name`` is the params
    key that errors name. scikit-learn checks its own settings. A classifier without
    ``predict_proba`` gets probabilities calibrated on held-out groups (:class:`GroupCalibrated`)."""
    name = name or f"models.{family}"
    settings = {k: v for k, v in (settings or {}).items() if k != "input"}
    if family == "musicnn":
        return _embedding_classifier(settings, scaler, seed)
    if family in EMBEDDING_CLASSIFIERS:  # a fusion member's classifier
        return _embedding_classifier({**settings, "classifier": family}, scaler, seed)
    if "estimator" in settings:
        estimator_class = own_estimator(settings.pop("estimator"), name)
    else:
        choice(family, f"{name} (a classifier)", (*FAMILIES, *EMBEDDING_CLASSIFIERS))
        estimator_class = FAMILIES[family]
    check_settings(estimator_class, settings, name)
    if "hidden_layer_sizes" in settings:
        settings["hidden_layer_sizes"] = tuple(settings["hidden_layer_sizes"])
    if "random_state" in estimator_class().get_params():
        settings.setdefault("random_state", seed)
    try:
        estimator = estimator_class(**settings)
        estimator._validate_params()  # private; pinned by tests/test_models.py::test_the_private_apis_used_exist
    except (TypeError, ValueError) as err:
        raise MusicgenreError(f"params.yaml: {name} is invalid: {err}") from None
    if not hasattr(estimator, "predict_proba"):  # a margin (decision_function): calibrated on held-out groups
        estimator = GroupCalibrated(estimator, seed)
    return Pipeline([("scale", SCALERS[scaler]()), ("classify", estimator)])


def _embedding_classifier(settings, scaler, seed):
    """Scaler, optional PCA, then an RBF SVM or logistic regression: the light classifier that
    pretrained embeddings are probed with (the published musicnn anchor is an SVM). ``settings``:
    ``classifier``, ``C`` and ``pca`` (:class:`musicgenre.schema.LightClassifier`)."""
    kind, c, components = settings["classifier"], settings["C"], settings["pca"]
    # an SVM has no probabilities of its own; a calibration on held-out groups gives the chunk
    # probabilities the clip vote averages (GroupCalibrated)
    classifier = (GroupCalibrated(SVC(C=c), seed=seed) if kind == "svm"
                  else LogisticRegression(C=c, max_iter=2000, random_state=seed))
    steps = [("scale", SCALERS[scaler]())]
    if components:
        steps.append(("pca", PCA(components, random_state=seed)))
    return Pipeline(steps + [("classify", classifier)])


class GroupCalibrated(ClassifierMixin, BaseEstimator):
    """A classifier with probabilities by temperature scaling of its ``decision_function`` (an RBF
    SVM, a linear SVM, ...), calibrated over up to 5 folds of whole ``groups``
    (:func:`grouped_folds`; as many as the genre with the fewest groups allows), so the calibration
    sees the classifier's scores on clips (and artists) it did not fit, as the test set's are: folds
    of single rows would calibrate a clip's vector on its own sub-clips' fit and come out
    overconfident.

    One temperature over the decision values (``method="temperature"``, scikit-learn 1.8 and later)
    keeps their order of the genres, so calibration changes how sure the classifier is, never what
    it says; and one parameter fits on the few artists a genre may have. Per-genre sigmoids
    (``SVC(probability=True)``'s way), fitted on the demo set's held-out artists (2 or 3 per genre
    in a fit), turned musicnn's chunk accuracy from .721 to .578; with the temperature it stays .721
    (docs/models.md)."""

    def __init__(self, estimator, seed=0):
        self.estimator, self.seed = estimator, seed

    def fit(self, X, y, groups=None):
        folds = grouped_folds(y, groups, 5, self.seed)
        self.calibrated_ = CalibratedClassifierCV(clone(self.estimator), cv=folds, ensemble=False,
                                                  method="temperature").fit(X, y)
        self.classes_ = self.calibrated_.classes_
        return self

    def predict_proba(self, X):
        return self.calibrated_.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
