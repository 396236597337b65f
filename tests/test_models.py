import numpy as np
import pandas as pd
import pytest
import sklearn

from musicgenre.errors import MusicgenreError
from musicgenre.cliprules import vote
from musicgenre.evaluation import clip_labels, evaluate
from musicgenre.models import build
from musicgenre.schema import checked
from musicgenre.representations.features import descriptor_columns


def separable(n=60, seed=0):
    rng = np.random.default_rng(seed)
    genre = np.repeat(["blues", "jazz", "rock"], n // 3)
    centre = {"blues": 0.0, "jazz": 3.0, "rock": 6.0}
    features = np.stack([rng.normal([centre[g]] * 4, 1.0) for g in genre])
    return features, genre


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("family, settings", [
    ("knn", {"n_neighbors": 5, "p": 1, "leaf_size": 2}),
    ("rf", {"n_estimators": 20, "max_depth": 4}),
    ("mlp", {"hidden_layer_sizes": [16, 8], "solver": "adam", "max_iter": 300}),
    ("musicnn", {"input": "embeddings", "classifier": "svm", "C": 1.0, "pca": 2}),
    ("musicnn", {"input": "embeddings", "classifier": "logistic", "C": 0.5, "pca": 0}),
])
def test_families_learn_a_separable_problem(family, settings):
    features, genre = separable()
    model = build(family, settings, "standard", seed=0).fit(features, genre)
    test_features, test_genre = separable(seed=1)
    assert (model.predict(test_features) == test_genre).mean() > 0.9


def test_bad_model_settings_are_named():
    with pytest.raises(MusicgenreError, match=r"models.knn has unknown setting\(s\) \['neighbours'\]"):
        build("knn", {"neighbours": 3}, "standard", 0)
    with pytest.raises(MusicgenreError, match="models.rf is invalid.*n_estimators"):
        build("rf", {"n_estimators": -1}, "standard", 0)
    with pytest.raises(MusicgenreError, match="models.musicnn.classifier is 'knn'"):
        checked({"models": {"musicnn": {"classifier": "knn"}}})
    with pytest.raises(MusicgenreError, match=r"models.musicnn has unknown setting\(s\) \['layer'\]"):
        checked({"models": {"musicnn": {"layer": "max_pool"}}})
    with pytest.raises(MusicgenreError, match="train.scaler is 'robust'; expected one of: standard, minmax"):
        checked({"train": {"scaler": "robust"}})
    with pytest.raises(MusicgenreError, match="drop_features names unknown"):
        descriptor_columns(["mfcc21_mean"])
    assert "mfcc2_mean" not in descriptor_columns(["mfcc2_mean"])


def test_the_private_apis_used_exist():
    """Two private functions are called, each behind a pinned or tested version: if an upgrade drops
    one, this names it and the way out, before any stage trips over it."""
    import librosa.core.pitch
    from sklearn.neighbors import KNeighborsClassifier

    assert hasattr(KNeighborsClassifier(), "_validate_params"), (
        f"scikit-learn {sklearn.__version__} has no BaseEstimator._validate_params, which musicgenre.models.build "
        "calls to check a family's settings before training; pin scikit-learn below this version or port build()")
    assert callable(getattr(librosa.core.pitch, "_parabolic_interpolation", None)), (
        f"librosa {librosa.__version__} has no core.pitch._parabolic_interpolation, which "
        "musicgenre.dsp.features.estimate_tuning calls; install librosa==0.11.0 (pyproject pins it) or port it")


def test_clip_prediction_is_the_soft_vote_of_its_chunks():
    labels = ["blues", "jazz"]
    files = ["a", "a", "a", "b", "b"]
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55], [0.6, 0.4], [0.2, 0.8]])
    votes = clip_labels(vote(proba, files, labels))
    assert votes["a"] == "blues"  # mean 0.583 vs 0.417: one confident chunk outweighs two hesitant ones
    assert votes["b"] == "jazz"
    assert list(votes.index) == ["a", "b"]


def test_evaluate_reports_chunk_and_clip_scores():
    features, genre = separable()
    model = build("knn", {"n_neighbors": 3}, "standard", 0).fit(features, genre)
    rows = pd.DataFrame({"file": [f"{g}.{i // 2:05d}.wav" for i, g in enumerate(genre)], "genre": genre})
    metrics, clips = evaluate(model, features, rows)
    assert metrics["test_size"] == {"chunks": 60, "clips": 30}
    assert set(metrics) == {"chunk", "clip", "per_genre_f1", "test_size"}
    assert metrics["clip"]["accuracy"] > 0.9 and len(clips) == 30
    for level in ("chunk", "clip"):
        scores = metrics[level]
        assert scores["accuracy_ci95_low"] <= scores["accuracy"] <= scores["accuracy_ci95_high"]


def test_svm_calibration_fits_few_clips_per_genre_and_names_too_few():
    from sklearn.svm import SVC

    from musicgenre.models import GroupCalibrated

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3)) + np.repeat([[0.0], [5.0], [10.0]], 2, axis=0)
    y = np.repeat(["blues", "jazz", "rock"], 2)
    proba = GroupCalibrated(SVC()).fit(x, y).predict_proba(x)  # 2 rows per genre: 2 calibration folds
    assert proba.shape == (6, 3) and np.allclose(proba.sum(axis=1), 1.0)
    with pytest.raises(MusicgenreError, match="needs 2 groups \\(clips, or artists\\) or more of every genre"):
        GroupCalibrated(SVC()).fit(x[1:], y[1:])


def artist_clips(seed, genres=4, artists=20, clips=3, chunks=10, dim=6):
    """Chunk rows of clips whose sound is their genre's, their artist's and their own (an artist is
    as far from its genre as a clip is from its artist): ``X, genre, file, artist``."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(genres, dim))
    rows = []
    for g in range(genres):
        for a in range(artists):
            artist = centres[g] + rng.normal(size=dim)
            for c in range(clips):
                clip = artist + rng.normal(scale=0.7, size=dim)
                rows += [(clip + rng.normal(scale=1.5, size=dim), f"g{g}", f"g{g}a{a}c{c}", f"g{g}a{a}")
                         for _ in range(chunks)]
    X, *labels = zip(*rows, strict=True)
    return np.array(X), *map(np.array, labels)


@pytest.mark.parametrize("sub_clips", [0, 4])
def test_svm_probabilities_are_calibrated_on_artists_it_never_heard(sub_clips):
    """Calibrated in folds of whole artists, with each clip's sub-clips beside it, a pooled SVM's
    mean top probability on held-out artists is its accuracy there. Calibrated on rows as they
    came, a clip's vector was scored by a fit on its own sub-clips: 0.76 at an accuracy of 0.59."""
    from musicgenre.cliprules import PoolModel

    top, accuracy = [], []
    for seed in range(5):
        X, genre, file, artist = artist_clips(seed)
        held = np.isin(artist, [f"g{g}a{a}" for g in range(4) for a in (17, 18, 19)])
        model = PoolModel(build("svm", {"C": 1.0, "pca": 0}, "standard", seed), ["mean", "std", "max"],
                          sub_clips=sub_clips, seed=seed)
        model.fit(X[~held], genre[~held], file[~held], artists=artist[~held])
        proba = model.clip_proba(X[held], file[held])
        truth = pd.Series(genre[held], index=file[held]).groupby(level=0).first().loc[proba.index]
        top.append(proba.max(axis=1).mean())
        accuracy.append(np.mean(proba.idxmax(axis=1) == truth))
    assert abs(np.mean(top) - np.mean(accuracy)) < 0.05, (np.mean(top), np.mean(accuracy))


def test_internal_folds_keep_artists_whole_else_clips():
    from musicgenre.models import grouped_folds, internal_groups

    y = np.repeat(["blues", "jazz"], 6)
    files = np.repeat([f"clip{k}" for k in range(6)], 2)
    artists = np.repeat(["ann", "bo", "cy", "di"], 3)
    assert list(internal_groups(y, files, artists)) == list(artists)  # two artists per genre: by artist
    one_each = np.repeat(["ann", "bo"], 6)
    assert list(internal_groups(y, files, one_each)) == list(files)  # a genre of one artist: by clip
    for fit, held in grouped_folds(y, files, 5, seed=0):
        assert not set(files[fit]) & set(files[held]) and set(y[fit]) == {"blues", "jazz"}
    assert len(grouped_folds(y, files, 5, seed=0)) == 3  # as many as the genre with the fewest clips allows


def test_mlp_early_stopping_holds_out_whole_clips():
    """The validation rows an MLP early-stops on are whole groups, never a chunk of a clip it fits."""
    from musicgenre.models import GroupedMLP

    X, genre, file, artist = artist_clips(0, artists=6, chunks=4)
    seen = {}

    class Recording(GroupedMLP):
        def score(self, X_held, y_held, sample_weight=None):
            seen.setdefault("held", X_held)
            return super().score(X_held, y_held)

    model = Recording(hidden_layer_sizes=(8,), early_stopping=True, max_iter=30, random_state=0)
    model.fit(X, genre, groups=file)
    held_rows = np.flatnonzero((X[:, None, :] == seen["held"][None, :, :]).all(axis=2).any(axis=1))
    held_files = set(file[held_rows])
    assert set(np.flatnonzero(np.isin(file, list(held_files)))) == set(held_rows)  # every chunk of a held-out clip
    assert 0.05 < len(held_files) / len(set(file)) < 0.2  # validation_fraction 0.1, in whole clips
    assert model.n_iter_ == len(model.validation_scores_) and model.best_validation_score_ == max(model.validation_scores_)
    assert model.predict_proba(X).shape == (len(X), 4)
