"""The user's own models, named by their import paths in params.yaml: a classifier
(``models.<family>.estimator``), a network's builder (``models.<family>.builder``) and an embedding
of the HEAR API (``hear.<name>``).

Checked where params.yaml is read (:func:`musicgenre.schema.family`), so a wrong path, a regressor
or a misspelt setting stops every stage before any work, with the fix; a classifier is built by
:func:`musicgenre.models.build` like the built-in families' classifiers, a network by
:func:`musicgenre.deep.own_network`, which checks what only building it can tell.
"""

import importlib
import importlib.util

from sklearn.base import is_classifier, is_regressor

from .errors import MusicgenreError

#: A family's settings that are the pipeline's, not its estimator's (:class:`musicgenre.schema.EstimatorFamily`).
PIPELINE_SETTINGS = ("input", "estimator", "clip_rule", "pool_stats", "sub_clips")


def own_estimator(path, key):
    """The classifier class at the import path ``path`` (``package.module.Class`` or
    ``package.module:Class``), checked: importable, a scikit-learn-compatible classifier (``fit``,
    ``get_params``, a classifier's tags) with ``predict_proba`` or ``decision_function``; ``key``
    is the params key errors name (``models.hgb``)."""
    where = f"params.yaml: {key}.estimator is {path!r}"
    found = imported(path, where, "a scikit-learn classifier, e.g. sklearn.ensemble.HistGradientBoostingClassifier")
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


def vouched(settings, hear):
    """What a family's params.yaml vouches for in its bundle, beside :data:`musicgenre.bundles.TRUSTED`:
    its own estimator's class (the user named it) and the HEAR module of its input (``hear``: params.yaml's
    ``hear``, name → module); none for a built-in family on a built-in input."""
    settings = settings or {}
    own = (".".join(split_path(settings["estimator"])),) if "estimator" in settings else ()
    return own + ((hear[settings["input"]],) if settings.get("input") in hear else ())


def split_path(path):
    """``(module, name)`` of an import path, ``package.module.name`` or ``package.module:name``."""
    module, _, name = str(path).replace(":", ".").rpartition(".")
    return module, name


def imported(path, where, what):
    """The object at the import path ``path`` (``package.module.name`` or ``package.module:name``); when
    it cannot be imported, the message starts with ``where`` and asks for the path of ``what``."""
    module, attribute = split_path(path)
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as err:
        raise MusicgenreError(f"{where}, which cannot be imported ({type(err).__name__}: {err}). Give the import "
                              f"path of {what}, and install its package first (pip install ...)") from None


#: What a builder's message asks for.
BUILDER = "a function (input_shape, n_labels, **settings) -> keras.Model, e.g. mypackage.nets:small_cnn"


def check_builder(path, key):
    """A network's builder module can be found (without running it: importing it imports Keras, which
    each stage would pay for); :func:`musicgenre.deep.own_network` checks the rest when it builds it."""
    module, attribute = split_path(path)
    where = f"params.yaml: {key}.builder is {path!r}"
    if not (module and attribute and findable(module)):
        raise MusicgenreError(f"{where}, whose module {module or path!r} cannot be found. Give the import path of "
                              f"{BUILDER} (a module in the project folder or an installed package)")


def check_hear(module, key):
    """A HEAR module's package is installed (found, not imported: most import PyTorch, which each
    stage would pay for); :func:`musicgenre.dsp.hear.hear_module` checks its functions before any clip."""
    top = str(module).split(".")[0]
    if not findable(top):
        raise MusicgenreError(f"params.yaml: {key} is {module!r}, but no package {top!r} is installed here. Install "
                              f"it (pip install {top}, or the name its documentation gives), or correct the module's "
                              "import path (docs/representations.md, Your own embedding)")


def findable(module):
    """Whether the module ``module`` can be imported here, found without running it (its parent
    packages are imported to find it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
