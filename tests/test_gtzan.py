"""The GTZAN reference data shipped in the package, checked against its sources' counts."""

import pandas as pd
import pytest

from musicgenre import GENRES, gtzan
from musicgenre.errors import MusicgenreError
from musicgenre.splits import make_split, resolve_strategy


def test_index_has_sturms_counts():
    table = gtzan.index()
    assert len(table) == 1000 and table["file"].is_unique
    assert (table["artist"] == "").sum() == 81  # files Sturm could not identify
    assert table.loc[table["artist"] != "", "artist"].str.casefold().nunique() == 243  # 244 spellings
    songs = table[(table["artist"] != "") & (table["title"] != "")].groupby(["artist", "title"]).size()
    assert (songs > 1).sum() == 66 and songs[songs > 1].sum() == 143  # repeated artist+title pairs


def test_published_split_sizes_and_no_artist_overlap():
    published = gtzan.fault_filtered_split()
    sizes = pd.Series(published).value_counts().to_dict()
    assert sizes == {"train": 443, "valid": 197, "test": 290}
    artists = gtzan.artists()
    by_set = {name: {artists[f] for f, s in published.items() if s == name and f in artists}
              for name in gtzan.PUBLISHED_SETS}
    assert not by_set["train"] & by_set["test"]
    assert not by_set["valid"] & by_set["test"]
    assert not by_set["train"] & by_set["valid"]


def test_fault_filtered_strategy_on_gtzan_names():
    artists = gtzan.artists()
    files = [f"{g}.{i:05d}.wav" for g in GENRES for i in range(100)]
    clips = pd.DataFrame({"file": files, "genre": [f.split(".")[0] for f in files],
                          "artist": [artists.get(f, f"unknown:{f}") for f in files]})
    chunks = pd.DataFrame({"file": files, "chunk": 0})
    table = make_split(chunks, clips, "fault_filtered", 0.2, 5, seed=0, published=gtzan.fault_filtered_split())
    assert table["set"].value_counts().to_dict() == {"train": 640, "test": 290}
    train, test = (set(table.loc[table["set"] == s, "artist"]) for s in ("train", "test"))
    assert not train & test
    assert (table[table["set"] == "train"].groupby("artist")["fold"].nunique() == 1).all()
    published = gtzan.fault_filtered_split()
    clips_of = table.drop_duplicates("file").set_index("file")["fold"]
    assert {f for f, fold in clips_of.items() if fold == 0} == {f for f, s in published.items() if s == "valid"}
    assert sorted(clips_of[clips_of > 0].unique()) == [1, 2, 3, 4]  # the train list, grouped by artist


def test_auto_strategy_follows_the_source():
    assert resolve_strategy("auto", "kaggle") == "fault_filtered"
    assert resolve_strategy("auto", "local") == "fault_filtered"
    assert resolve_strategy("auto", "synthetic") == "artist"
    assert resolve_strategy("auto", "folder") == "artist" and resolve_strategy("auto", "fma") == "official"
    assert resolve_strategy("song", "synthetic") == "song"
    with pytest.raises(MusicgenreError, match="dataset.source synthetic has none: use artist"):
        resolve_strategy("fault_filtered", "synthetic")
    with pytest.raises(MusicgenreError, match="official is FMA's published split; dataset.source folder has none"):
        resolve_strategy("official", "folder")
