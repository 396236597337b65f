"""The fusion family: members and an out-of-fold meta-learner that never see held-out clips or artists."""

import contextlib

import numpy as np
import pandas as pd
import pytest

from musicgenre.errors import MusicgenreError
from musicgenre import fusion as fusion_module
from musicgenre.fusion import FusionModel, members_from, shared_member_fits
from musicgenre.schema import family
from musicgenre.training import cross_validate, fold_scores

GENRES = ["blues", "jazz", "rock"]
COLUMNS = {"features": ["f0", "f1", "f2", "canary"], "embeddings": ["e0", "e1", "e2"]}
MEMBERS = {"early": {"inputs": ["embeddings", "features"], "classifier": "logistic", "C": 1.0, "clip_rule": "pool",
                     "pool_stats": ["mean", "max"]},
           "voter": {"inputs": ["features"], "classifier": "knn", "n_neighbors": 3, "clip_rule": "vote"}}


def split_table(seed=0, canary_in=()):
    """3 genres x 6 artists x 3 clips x 4 chunks of noise, artists in 3 training folds, 1 artist per genre
    tested. The ``canary`` column says the genre, but only in the clips of the ``canary_in`` folds
    (-1: the test set): a model that fitted on any of those rows scores them far above chance."""
    rng = np.random.default_rng(seed)
    rows = []
    for g, genre in enumerate(GENRES):
        for a in range(6):
            fold = -1 if a == 5 else a % 3
            for c in range(3):
                for k in range(4):
                    rows.append({"file": f"{genre}.{a}{c}.wav", "chunk": k, "genre": genre, "artist": f"{genre}{a}",
                                 "group": f"{genre}{a}", "set": "test" if fold == -1 else "train", "fold": fold, "code": g})
    table = pd.DataFrame(rows)
    for column in COLUMNS["features"][:-1] + COLUMNS["embeddings"]:
        table[column] = rng.normal(size=len(table))
    marked = table["fold"].isin(canary_in)
    table["canary"] = np.where(marked, table["code"] * 3.0, rng.normal(size=len(table)))
    return table


def built(members, seed=0):
    """The members as params.yaml would give them (checked by the schema, defaults filled in), built."""
    return members_from(family("fusion", {"members": members}), "standard", seed, COLUMNS)


def fusion(seed=0):
    return FusionModel(built(MEMBERS, seed), 1.0, seed)


def columns():
    return COLUMNS["features"] + COLUMNS["embeddings"]


def fit_on(model, rows):
    return model.fit(rows[columns()].to_numpy(), rows["genre"].to_numpy(), rows["file"].to_numpy(),
                     folds=rows["fold"].to_numpy(), artists=rows["group"].to_numpy())


def test_meta_learner_sees_only_the_training_folds_clips():
    table = split_table()
    train = table[table["set"] == "train"]
    for held in (0, 1, 2):
        fit_rows = train[train["fold"] != held]
        model = fit_on(fusion(), fit_rows)
        meta = set(model.meta_clips_)
        assert meta == set(fit_rows["file"])  # every training clip, out of fold, and nothing else
        held_rows = table[(table["fold"] == held) | (table["set"] == "test")]
        assert not meta & set(held_rows["file"])
        assert not set(table.loc[table["file"].isin(meta), "artist"]) & set(held_rows["artist"])


def test_a_planted_leak_is_caught_and_the_fusion_has_none():
    """The canary marks the validation fold's and the test set's clips. Fitted as the train stage and
    cross-validation fit it, the fusion scores them at chance; fitted with them planted among its
    fitting rows (the leak), it scores them almost perfectly. So a leak would show."""
    table = split_table(canary_in=(0, -1))
    train = table[table["set"] == "train"]
    validation, test = train[train["fold"] == 0], table[table["set"] == "test"]

    honest = cross_validate(fusion(), table, columns())[0]  # fold 0: fitted on folds 1 and 2 only
    assert honest["fold"] == 0 and honest["clip_accuracy"] < 0.6
    fitted = fit_on(fusion(), train)
    on_test = fold_scores(-1, test, fitted, test[columns()].to_numpy())["clip_accuracy"]
    assert on_test < 0.6

    # the leak: the validation clips planted among the fitting rows, spread over the other folds
    spread = validation.assign(fold=1 + validation["file"].str[-5].astype(int) % 2)
    leaky = fit_on(fusion(), pd.concat([train[train["fold"] != 0], spread]))
    planted = fold_scores(0, validation, leaky, validation[columns()].to_numpy())["clip_accuracy"]
    assert planted > 0.9


def test_out_of_fold_needs_clips_whole_in_one_fold():
    table = split_table()
    train = table[table["set"] == "train"].copy()
    train.loc[train.index[::4], "fold"] = (train.loc[train.index[::4], "fold"] + 1) % 3  # chunks of one clip apart
    with pytest.raises(MusicgenreError, match="has chunks in several folds"):
        fit_on(fusion(), train)


def test_one_member_is_early_fusion_alone():
    table = split_table()
    train = table[table["set"] == "train"]
    model = FusionModel(built({"early": MEMBERS["early"]}), 1.0, 0)
    fit_on(model, train)
    assert model.meta_ is None and model.meta_clips_ == []
    proba = model.clip_proba(train[columns()].to_numpy(), train["file"].to_numpy())
    assert list(proba.columns) == GENRES and np.allclose(proba.sum(axis=1), 1.0)


def test_members_are_checked():
    with pytest.raises(MusicgenreError, match="models.fusion.members must be a mapping"):
        built([])
    with pytest.raises(MusicgenreError, match=r"members.x.inputs is \['mels'\]; give a list of inputs from: "
                                              "embeddings, features"):
        built({"x": {"inputs": ["mels"], "classifier": "svm"}})
    with pytest.raises(MusicgenreError, match="members.x.classifier is 'tree'; expected one of: svm, logistic, knn"):
        built({"x": {"inputs": ["features"], "classifier": "tree"}})
    with pytest.raises(MusicgenreError, match=r"members.x has unknown setting\(s\) \['depth'\]"):
        built({"x": {"inputs": ["features"], "classifier": "rf", "depth": 3}})
    with pytest.raises(MusicgenreError, match=r"members.x has unknown setting\(s\) \['depth'\]"):
        built({"x": {"inputs": ["features"], "classifier": "svm", "depth": 3}})


def test_a_genre_with_one_clip_outside_a_fold_is_left_out_of_that_folds_members():
    """A lone mislabelled clip (the review fits on labels as downloaded) leaves its genre one clip
    outside the fold that holds its siblings; an SVM member's calibration needs two."""
    svm = {"pooled": {"inputs": ["embeddings"], "classifier": "svm", "C": 1.0, "clip_rule": "pool",
                      "pool_stats": ["mean"]}, "voter": MEMBERS["voter"]}
    train = split_table().query("set == 'train'").copy()
    train.loc[train["file"].isin(["blues.00.wav", "blues.10.wav"]), "genre"] = "country"  # folds 0 and 1
    model = fit_on(FusionModel(built(svm), 1.0, 0), train)  # each fold leaves one country clip to the others
    assert list(model.classes_) == list(model.meta_.classes_) == ["blues", "country", "jazz", "rock"]
    test = split_table().query("set == 'test'")
    proba = model.clip_proba(test[columns()].to_numpy(), test["file"].to_numpy())
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_candidates_share_the_fits_of_members_they_have_in_common(monkeypatch):
    """In a selection, a member fitted again with the same settings on the same rows is its earlier
    fit, and the fusion's probabilities are those of fitting every member afresh."""
    train, test = split_table().query("set == 'train'"), split_table().query("set == 'test'")
    candidates = [FusionModel(built({**MEMBERS, "early": {**MEMBERS["early"], "C": c}}), 1.0, 0) for c in (0.1, 1.0)]
    fits = []
    real_clone = fusion_module.clone

    def counted(model):
        fits.append(model)
        return real_clone(model)

    def probabilities(shared):
        fits.clear()
        with shared_member_fits() if shared else contextlib.nullcontext():
            fitted = [fit_on(real_clone(candidate), train) for candidate in candidates]
        return [m.clip_proba(test[columns()].to_numpy(), test["file"].to_numpy()) for m in fitted], len(fits)

    monkeypatch.setattr(fusion_module, "clone", counted)
    afresh, fitted_afresh = probabilities(shared=False)
    shared, fitted_shared = probabilities(shared=True)
    assert fitted_afresh == 2 * 2 * (3 + 1)  # 2 candidates x 2 members x (3 out-of-fold fits + the final one)
    assert fitted_shared == fitted_afresh - (3 + 1)  # the second candidate's voter is the first's
    for one, other in zip(afresh, shared, strict=True):
        pd.testing.assert_frame_equal(one, other)
    assert fusion_module._shared is None  # the fits are let go when the selection ends
