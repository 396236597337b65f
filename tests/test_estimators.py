"""A family of the user's own: any scikit-learn classifier named in params.yaml, checked where
params.yaml is read (a wrong path, a regressor, a setting it lacks stop with the fix), built,
searched and bundled like the built-in families."""

import numpy as np
import pytest

from musicgenre.bundles import load_bundle, make_bundle, save_bundle
from musicgenre.cliprules import VoteModel
from musicgenre.errors import MusicgenreError
from musicgenre.models import GroupCalibrated, build, family_description, family_input
from musicgenre.schema import checked
from musicgenre.selection import candidates
from test_models import separable

HGB = {"input": "features", "estimator": "sklearn.ensemble.HistGradientBoostingClassifier",
       "learning_rate": [0.05, 0.1], "max_iter": 30, "clip_rule": ["vote", "pool"]}


def test_an_estimator_named_in_params_is_a_family_searched_like_ours():
    settings = checked({"models": {"hgb": HGB}})["models"]["hgb"]
    assert settings["sub_clips"] == [0, 4] and settings["pool_stats"] == ["mean", "std", "max"]  # TableFamily's
    options = candidates("hgb", settings)  # 2 rates x (the vote, pooled without and with sub-clips)
    assert len(options) == 6 and {o[0]["learning_rate"] for o in options} == {0.05, 0.1}
    assert family_input("hgb", settings, {"hear": {}}).name == "features"
    assert family_description("hgb", settings) == {"estimator": HGB["estimator"]}
    lsvc = checked({"models": {"lsvc": {"input": "features", "estimator": "sklearn.svm:LinearSVC", "C": 0.5}}})
    model = build("lsvc", {k: v for k, v in lsvc["models"]["lsvc"].items() if k not in ("clip_rule", "pool_stats",
                                                                                          "sub_clips")}, "standard", 0)
    assert isinstance(model.steps[-1][1], GroupCalibrated)  # a margin, calibrated on held-out groups


@pytest.mark.parametrize("settings, message", [
    ({"input": "features", "estimator": "sklearn.ensemble.NoSuchClassifier"},
     "models.mine.estimator is 'sklearn.ensemble.NoSuchClassifier', which cannot be imported"),
    ({"input": "features", "estimator": "nosuchpackage.Classifier"},
     "No module named 'nosuchpackage'.*install its package first"),
    ({"input": "features", "estimator": "sklearn.ensemble.HistGradientBoostingRegressor"},
     "HistGradientBoostingRegressor is a regressor; a family needs a classifier"),
    ({"input": "features", "estimator": "sklearn.preprocessing.StandardScaler"}, "StandardScaler is not a classifier"),
    ({"input": "features", "estimator": "numpy.mean"}, "is not a scikit-learn estimator class"),
    ({"input": "features", "estimator": "sklearn.svm.LinearSVC", "learning_rate": [0.1, 0.2]},
     r"models.mine has unknown setting\(s\) \['learning_rate'\] for LinearSVC; its settings are: C, class_weight"),
    ({"estimator": "sklearn.svm.LinearSVC"}, "models.mine.input is missing"),
    ({"input": "features"}, "models.mine is not a model family.*or make it your own with estimator:"),
    ({"input": "mels", "builder": "nosuchpackage.nets:small_cnn"},  # found without importing Keras in every stage
     "models.mine.builder is 'nosuchpackage.nets:small_cnn', whose module 'nosuchpackage.nets' cannot be found"),
    ({"builder": "tests.own_models:small_net"}, "models.mine.input is missing"),
    ({"input": "mels", "builder": "tests.own_models:small_net", "learning_rate": [0.1, 0.01]},
     r"models.mine.learning_rate lists values to try \(\[0.1, 0.01\]\), but mine chooses only its epoch"),
    ({"input": "mels", "builder": "tests.own_models:small_net", "estimator": "sklearn.svm.LinearSVC"},
     "models.mine names both an estimator and a builder"),
])
def test_a_wrong_estimator_stops_where_params_are_read(settings, message):
    with pytest.raises(MusicgenreError, match=message):
        checked({"models": {"mine": settings}})


def fitted(settings):
    features, genre = separable()
    model = VoteModel(build("mine", settings, "standard", 0)).fit(features, genre, np.arange(len(genre)) // 2)
    return model, features


@pytest.mark.parametrize("estimator", ["sklearn.ensemble.HistGradientBoostingClassifier", "sklearn.svm.LinearSVC"])
def test_an_estimators_bundle_loads_and_classifies_as_it_was_saved(estimator, tmp_path):
    model, features = fitted({"estimator": estimator, **({"max_iter": 20} if "Hist" in estimator else {})})
    save_bundle(make_bundle(model, "mine", list("abcd"), model.classes_, {"input": "features"}), tmp_path / "m.bundle")
    loaded = load_bundle(tmp_path / "m.bundle")["model"]
    assert np.array_equal(loaded.predict_proba(features), model.predict_proba(features))


def test_a_gradient_boosting_tree_pointing_outside_its_nodes_is_refused(tmp_path):
    """Its trees (TreePredictor) are trusted because their indices are checked: scikit-learn follows
    a node's children without bounds checks."""
    model, _ = fitted({"estimator": "sklearn.ensemble.HistGradientBoostingClassifier", "max_iter": 5})
    nodes = model.estimator_.steps[-1][1]._predictors[0][0].nodes
    nodes["right"][0] = 10_000
    save_bundle(make_bundle(model, "mine", list("abcd"), model.classes_, {"input": "features"}), tmp_path / "m.bundle")
    with pytest.raises(MusicgenreError, match="a TreePredictor in its model holds indices outside its own arrays"):
        load_bundle(tmp_path / "m.bundle")


def test_a_bundle_holds_the_users_estimator_when_the_project_vouches_for_it(tmp_path):
    """An estimator class outside scikit-learn is not on the trusted list; the project's own stages
    and API trust the one its params.yaml names (``trusted``), and nothing else."""
    model, features = fitted({"estimator": "sklearn.svm.LinearSVC"})
    model.estimator_.steps[-1][1].calibrated_.estimator = Margin()  # as if the user's own class
    save_bundle(make_bundle(model, "mine", list("abcd"), model.classes_, {"input": "features"}), tmp_path / "m.bundle")
    with pytest.raises(MusicgenreError, match="test_estimators.Margin"):
        load_bundle(tmp_path / "m.bundle")
    assert load_bundle(tmp_path / "m.bundle", trusted=("test_estimators.Margin",))["family"] == "mine"


class Margin:
    """A stand-in for a user's own class."""
