"""Selection on validation data: the grid, the folds it is scored on, and the choice."""

import pandas as pd
import pytest

from musicgenre.errors import MusicgenreError
from musicgenre.schema import family
from musicgenre.selection import candidates, select, validation_folds


def test_every_combination_in_grid_order_with_dotted_names():
    settings = family("fusion", {"members": {"early": {"classifier": "svm", "C": 1.0, "inputs": ["features"]}},
                                 "search": {"members.early.C": [0.1, 10.0], "meta_C": [1.0, 2.0]}})
    options = candidates("fusion", settings)
    assert [chosen for chosen, _ in options] == [
        {"members.early.C": 0.1, "meta_C": 1.0}, {"members.early.C": 0.1, "meta_C": 2.0},
        {"members.early.C": 10.0, "meta_C": 1.0}, {"members.early.C": 10.0, "meta_C": 2.0}]
    last = options[-1][1]
    assert last["meta_C"] == 2.0 and last["members"]["early"]["C"] == 10.0 and "search" not in last
    assert settings["members"]["early"]["C"] == 1.0  # the params themselves are left alone
    fixed = family("musicnn", {"C": 2.0})
    assert candidates("musicnn", fixed) == [({}, {k: v for k, v in fixed.items() if k != "search"})]


def test_bad_search_spaces_are_named():
    with pytest.raises(MusicgenreError, match=r"models.knn.search.n_neighbors must be a list, got 5"):
        family("knn", {"search": {"n_neighbors": 5}})
    with pytest.raises(MusicgenreError, match="models.fusion.search names 'members.late.C', but models.fusion "
                                              "has no 'late' section"):
        candidates("fusion", family("fusion", {"members": {"early": {"classifier": "svm", "inputs": ["features"]}},
                                               "search": {"members.late.C": [1.0]}}))
    with pytest.raises(MusicgenreError, match="models.knn.n_neighbors must be an integer, got 'many'"):
        candidates("knn", family("knn", {"search": {"n_neighbors": [5, "many"]}}))  # a value to try is checked


def test_scored_on_the_published_valid_list_or_every_grouped_fold():
    train = pd.DataFrame({"fold": [0, 0, 1, 2, 3, 4]})
    assert validation_folds("fault_filtered", train) == [0]
    assert validation_folds("artist", train) == [0, 1, 2, 3, 4]


def test_the_best_validation_score_wins_and_ties_go_to_the_first():
    options = [({"k": k}, {"k": k}) for k in (5, 9, 14, 21)]
    scores = {5: 0.70, 9: 0.80, 14: 0.80, 21: 0.60}
    settings, record = select(options, lambda s: scores[s["k"]])
    assert settings == {"k": 9} and record["chosen"] == {"k": 9} and record["validation_clip_accuracy"] == 0.8
    assert [c["validation_clip_accuracy"] for c in record["candidates"]] == [0.7, 0.8, 0.8, 0.6]
