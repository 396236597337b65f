"""Selection on validation data: the grid, the folds it is scored on, and the choice."""

import itertools

import numpy as np
import pandas as pd
import pytest

from musicgenre.errors import MusicgenreError
from musicgenre.schema import POOLING, SEARCHABLE, assigned, family, search_space
from musicgenre.excerpts import chunk_runs, runs
from musicgenre.selection import candidates, select, validation_folds, validation_score
from musicgenre.training import choose


def test_every_combination_in_grid_order_with_dotted_names():
    settings = family("fusion", {"members": {"early": {"classifier": "svm", "C": [0.1, 10.0], "inputs": ["features"]}},
                                 "meta_C": [1.0, 2.0]})
    options = candidates("fusion", settings)
    assert [chosen for chosen, _ in options] == [
        {"meta_C": 1.0, "members.early.C": 0.1}, {"meta_C": 1.0, "members.early.C": 10.0},
        {"meta_C": 2.0, "members.early.C": 0.1}, {"meta_C": 2.0, "members.early.C": 10.0}]
    last = options[-1][1]
    assert last["meta_C"] == 2.0 and last["members"]["early"]["C"] == 10.0
    assert settings["members"]["early"]["C"] == [0.1, 10.0]  # the params themselves are left alone
    fixed = family("musicnn", {"C": 2.0, "clip_rule": "pool", "sub_clips": 4})
    assert candidates("musicnn", fixed) == [({}, fixed)]


def test_a_setting_that_is_a_list_is_searched_as_a_list_of_lists():
    fixed = family("mlp", {"hidden_layer_sizes": [64, 32], "clip_rule": "vote", "sub_clips": 0})
    assert [c for c, _ in candidates("mlp", fixed)] == [{}]
    grid = family("mlp", {"hidden_layer_sizes": [[64, 32], [16]], "pool_stats": [["mean"], ["mean", "std"]],
                          "clip_rule": "pool", "sub_clips": 0})
    assert [c for c, _ in candidates("mlp", grid)] == [
        {"pool_stats": ["mean"], "hidden_layer_sizes": [64, 32]}, {"pool_stats": ["mean"], "hidden_layer_sizes": [16]},
        {"pool_stats": ["mean", "std"], "hidden_layer_sizes": [64, 32]},
        {"pool_stats": ["mean", "std"], "hidden_layer_sizes": [16]}]
    member = {"classifier": "mlp", "inputs": [["features"], ["features", "embeddings"]], "hidden_layer_sizes": [8, 4]}
    options = candidates("fusion", family("fusion", {"members": {"m": member}}))
    assert [c for c, _ in options] == [{"members.m.inputs": ["features"]},
                                       {"members.m.inputs": ["features", "embeddings"]}]
    assert all(s["members"]["m"]["hidden_layer_sizes"] == [8, 4] for _, s in options)


def settings_of(settings, path=""):
    """``{dotted name: value}`` of every setting, a fusion member's ones included."""
    found = {}
    for key, value in settings.items():
        if key == "members":
            for member, values in value.items():
                found.update(settings_of(values, f"{path}members.{member}."))
        elif key not in ("input", "classifier"):
            found[path + key] = value
    return found


def dig(settings, dotted):
    for key in dotted.split("."):
        settings = settings[key]
    return settings


@pytest.mark.parametrize("name", SEARCHABLE)
def test_a_value_set_in_params_yaml_is_the_value_every_candidate_uses(name, project_params):
    """What ``dvc exp run -S models.<family>.<setting>=<value>`` does: one value given is the value
    trained, for every setting of every family (none is overridden by a search elsewhere)."""
    shipped = project_params["models"][name]
    space = search_space(name, family(name, shipped))
    assert space, f"{name} ships no setting to search"
    for dotted, value in settings_of(shipped).items():
        one = value[-1] if dotted in space else value  # a searched setting set to one of its values
        options = candidates(name, family(name, assigned(shipped, {dotted: one})))
        assert all(dig(settings, dotted) == one for _, settings in options), (name, dotted)
        assert dotted not in options[0][0]  # no longer searched, so not reported as chosen
        left = {k: v for k, v in space.items() if k != dotted}
        combinations = [dict(zip(left, v)) for v in itertools.product(*left.values())]
        # the vote pools nothing: a vote that differs from the first only in pooling settings is left out
        assert [c for c, _ in options] == [c for c in combinations if not (
            c.get("clip_rule") == "vote" and any(c[k] != left[k][0] for k in POOLING if k in c))]


def test_a_search_section_or_a_grid_where_none_is_read_is_refused():
    with pytest.raises(MusicgenreError, match=r"models.knn.search is not read any more: a setting holds the values "
                                              r"to try in its own place \(n_neighbors: \[5, 9, 14\]"):
        family("knn", {"n_neighbors": 7, "search": {"n_neighbors": [5, 9, 14]}})
    with pytest.raises(MusicgenreError, match=r"models.cnn.dropout lists values to try \(\[0.1, 0.5\]\), but "
                                              r"cnn chooses only its epoch on validation data \(early stopping\)"):
        family("cnn", {"dropout": [0.1, 0.5]})
    with pytest.raises(MusicgenreError, match="models.knn.n_neighbors is an empty list; give one value, or the values"):
        family("knn", {"n_neighbors": []})
    with pytest.raises(MusicgenreError, match="models.knn.n_neighbors must be an integer, got 'many'"):
        family("knn", {"n_neighbors": [5, "many"]})  # a value to try is checked like a fixed one
    with pytest.raises(MusicgenreError, match=r"models.musicnn.input must be text"):
        family("musicnn", {"input": ["embeddings", "features"]})  # what a family reads is never searched


def test_scored_on_the_published_valid_list_or_every_grouped_fold():
    train = pd.DataFrame({"fold": [0, 0, 1, 2, 3, 4]})
    assert validation_folds("fault_filtered", train) == [0]
    assert validation_folds("artist", train) == [0, 1, 2, 3, 4]


def test_the_best_validation_score_wins_and_ties_go_to_the_first():
    options = [({"k": k}, {"k": k}) for k in (5, 9, 14, 21)]
    scores = {5: 0.70, 9: 0.80, 14: 0.80, 21: 0.60}
    settings, record = select(options, lambda s: [{"clip_accuracy": scores[s["k"]]}], "whole")
    assert settings == {"k": 9} and record["chosen"] == {"k": 9} and record["validation_score"] == 0.8
    assert [c["validation_score"] for c in record["candidates"]] == [0.7, 0.8, 0.8, 0.6]
    assert record["choose_by"] == "whole" and record["candidates"][0]["validation_by_length"] == {"whole": 0.7}


def test_the_rule_over_lengths_decides():
    """A candidate best on whole clips but poor on excerpts loses under ``mean`` and ``shortest``."""
    folds = {"long": [{"clip_accuracy": 0.9, "by_length": {"3s": 0.4, "10s": 0.7}}] * 2,
             "robust": [{"clip_accuracy": 0.85, "by_length": {"3s": 0.75, "10s": 0.8}},
                        {"clip_accuracy": 0.8, "by_length": {"3s": 0.65, "10s": 0.8}}]}
    options = [({"rule": name}, {"rule": name}) for name in folds]
    assert validation_score(folds["long"], "mean") == pytest.approx((0.9 + 0.4 + 0.7) / 3)
    assert validation_score(folds["robust"], "shortest") == pytest.approx(0.7)
    assert select(options, lambda s: folds[s["rule"]], "whole")[0] == {"rule": "long"}
    for rule in ("mean", "shortest"):
        settings, record = select(options, lambda s: folds[s["rule"]], rule)
        assert settings == {"rule": "robust"}
    assert record["candidates"][1]["validation_by_length"] == {"3s": 0.7, "10s": 0.8, "whole": 0.825}


def test_validation_excerpts_are_seeded_runs_of_each_clips_chunks():
    rows = pd.DataFrame({"file": ["a"] * 10 + ["b"] * 2, "chunk": [*range(10), 0, 1]}).sample(frac=1, random_state=0)
    cut = chunk_runs(rows, 3, seed=1)
    a = sorted(cut.loc[cut["file"] == "a", "chunk"])
    assert len(a) == 3 and a == list(range(a[0], a[0] + 3))  # consecutive
    assert sorted(cut.loc[cut["file"] == "b", "chunk"]) == [0, 1]  # a clip not longer: whole
    assert cut.equals(chunk_runs(rows, 3, seed=1))
    assert {tuple(sorted(chunk_runs(rows, 3, seed=s).query("file == 'a'")["chunk"])) for s in range(8)} != {tuple(a)}
    assert runs([10, 3, 4.5], 3.0) == {"3s": 1, "4.5s": 1, "10s": 3}


def test_a_combination_its_clip_rule_ignores_is_not_tried_twice():
    """The vote pools nothing, so pooling settings to try multiply only the pool rule's candidates."""
    knn = family("knn", {"n_neighbors": 5, "clip_rule": ["vote", "pool"], "sub_clips": [0, 4],
                                "pool_stats": [["mean"], ["mean", "std"]]})
    tried = [chosen for chosen, _ in candidates("knn", knn)]
    assert [(c["clip_rule"], c["sub_clips"], c["pool_stats"]) for c in tried] == [
        ("vote", 0, ["mean"]), ("pool", 0, ["mean"]), ("pool", 4, ["mean"]), ("pool", 0, ["mean", "std"]),
        ("pool", 4, ["mean", "std"])]  # grid order, the vote's three copies left out
    members = {"early": {"inputs": ["features"], "classifier": "svm", "clip_rule": "vote", "sub_clips": [0, 4]},
               "late": {"inputs": ["embeddings"], "classifier": "svm", "clip_rule": "pool", "sub_clips": [0, 4]}}
    fusion = [chosen for chosen, _ in candidates("fusion", family("fusion", {"members": members}))]
    assert fusion == [{"members.early.sub_clips": 0, "members.late.sub_clips": 0},
                      {"members.early.sub_clips": 0, "members.late.sub_clips": 4}]  # each member by its own rule


def clips_of(chunks_of, seed=0):
    """A training table of 2 genres x 8 artists (4 grouped folds) x 3 clips of 10 chunks, whose one
    column ``x`` per chunk ``chunks_of(genre, rng)`` gives."""
    rng = np.random.default_rng(seed)
    rows = [{"file": f"{genre}.{artist}{clip}.wav", "chunk": k, "genre": genre, "group": f"{genre}{artist}",
             "set": "train", "fold": artist % 4, "x": x}
            for genre in ("a", "b") for artist in range(8) for clip in range(3)
            for k, x in enumerate(chunks_of(genre, rng))]
    return pd.DataFrame(rows)


def swinging_or_steady(genre, rng):
    """a swings between -2 and 2 from chunk to chunk, b holds near 0.5: pooled by mean and std, a
    whole clip of either is plain, but one chunk of a has std 0 like b's whole clips."""
    return (np.resize([-2.0, 2.0], 10) if genre == "a" else np.full(10, 0.5)) + rng.normal(0, 0.1, 10)


def quiet_with_a_burst_or_quiet(genre, rng):
    """Both are quiet; a ends in a burst. Most runs of a's chunks are quiet, as b's whole clips are,
    so sub-clips of a labelled a blur whole clips of b."""
    return rng.normal(0, 0.05, 10) + (np.r_[np.zeros(8), 5.0, 5.0] if genre == "a" else 0.0)


@pytest.mark.parametrize("chunks_of, chosen", [(swinging_or_steady, 4), (quiet_with_a_burst_or_quiet, 0)])
def test_sub_clips_are_chosen_where_validation_favours_them(chunks_of, chosen):
    """With ``sub_clips: [0, 4]`` a pooled family takes sub-clips when its validation clips, cut to
    3 s and whole, are classified better with them, and goes without where they blur the genres."""
    knn = family("knn", {"n_neighbors": 3, "clip_rule": "pool", "pool_stats": ["mean", "std"], "sub_clips": [0, 4]})
    params = {"train": {"scaler": "standard"}, "seed": 0}
    settings, record, folds = choose("knn", candidates("knn", knn), clips_of(chunks_of), ["x"], [0, 1, 2, 3], None,
                                     params, {"3s": 1}, "mean")
    assert record["chosen"] == {"sub_clips": chosen} and settings["sub_clips"] == chosen
    scores = {c["sub_clips"]: c["validation_by_length"] for c in record["candidates"]}
    other = 4 - chosen
    assert scores[chosen]["3s"] + scores[chosen]["whole"] > scores[other]["3s"] + scores[other]["whole"] + 0.1
