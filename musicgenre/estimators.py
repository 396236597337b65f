"""The user's own classifier, named by its import path in params.yaml (``models.<family>.estimator``).

Checked where params.yaml is read (:func:`musicgenre.schema.family`), so a wrong path, a regressor
or a misspelt setting stops every stage before any work, with the fix; built by
:func:`musicgenre.models.build` like the built-in families' classifiers.
"""

import importlib

from sklearn.base import is_classifier, is_regressor

from .errors import MusicgenreError

#: A family's settings that are the pipeline's, not its estimator's (:class:`musicgenre.schema.EstimatorFamily`).
PIPELINE_SETTINGS = ("input", "estimator", "clip_rule", "pool_stats", "sub_clips")


def own_estimator(path, key):
    """The classifier class at the import path ``path`` (``package.module.Class`` or
    ``package.module:Class``), checked: importable, a scikit-learn-compatible classifier (``fit``,
    ``get_params``, a classifier's tags) with ``predict_proba`` or ``decision_function``; ``key``
    is the params key errors name (``models.hgb``)."""
    module, _, attribute = str(path).replace(":", ".").rpartition(".")
    where = f"params.yaml: {key}.estimator is {path!r}"
    try:
        found = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as err:
        raise MusicgenreError(f"{where}, which cannot be imported ({type(err).__name__}: {err}). Give the import "
                              "path of a scikit-learn classifier, e.g. sklearn.ensemble.HistGradientBoostingClassifier, "
                              "and install its package first (pip install ...)") from None
    if not (isinstance(found, type) and hasattr(found, "fit") and hasattr(found, "get_params")):
        raise MusicgenreError(f"{where}: {found!r} is not a scikit-learn estimator class (one with fit and "
                              "get_params); name a classifier class, not a function or an instance")
    try:
        instance = found()
    except TypeError as err:
        raise MusicgenreError(f"{where}: it cannot be made with its default settings ({err}); musicgenre makes it "
                              "from the settings beside estimator:, so each must have a default") from None
    if not is_classifier(instance):
        kind = "a regressor" if is_regressor(instance) else "not a classifier"
        raise MusicgenreError(f"{where}: {found.__name__} is {kind}; a family needs a classifier (its genres are "
                              "classes), e.g. sklearn.ensemble.HistGradientBoostingClassifier")
    if not (hasattr(found, "predict_proba") or hasattr(found, "decision_function")):
        raise MusicgenreError(f"{where}: {found.__name__} has neither predict_proba nor decision_function, so its "
                              "genres cannot be given probabilities")
    return found


def check_settings(estimator_class, settings, key):
    """Every one of ``settings`` is a parameter of ``estimator_class``, or the message lists them."""
    known = estimator_class().get_params()
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise MusicgenreError(f"params.yaml: {key} has unknown setting(s) {unknown} for {estimator_class.__name__}; "
                              f"its settings are: {', '.join(sorted(known))}")


def check_family(settings, key):
    """A family of the user's own, as params.yaml gives it: its estimator, and each of its own
    settings (every value to try of a searched one is checked by the caller, one by one)."""
    estimator_class = own_estimator(settings["estimator"], key)
    check_settings(estimator_class, {k: v for k, v in settings.items() if k not in PIPELINE_SETTINGS}, key)


def vouched(settings):
    """The types a family's params.yaml vouches for in its bundle: its own estimator's class (the
    user named it), beside :data:`musicgenre.bundles.TRUSTED`; none for a built-in family."""
    return (str(settings["estimator"]).replace(":", "."),) if "estimator" in (settings or {}) else ()
