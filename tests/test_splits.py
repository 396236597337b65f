import pandas as pd
import pytest

from musicgenre import GENRES
from musicgenre.errors import MusicgenreError
from musicgenre.splits import make_split


@pytest.fixture
def clips():
    rows = []
    for genre in GENRES:
        for artist in range(5):
            for song in range(4):
                rows.append({"file": f"{genre}.{artist * 4 + song:05d}.wav", "genre": genre,
                             "artist": f"{genre}-{artist}"})
    return pd.DataFrame(rows)


@pytest.fixture
def chunks(clips):
    return pd.DataFrame([{"file": f, "chunk": c} for f in clips["file"] for c in range(3)])


def sides(table, column):
    return set(table.loc[table["set"] == "train", column]), set(table.loc[table["set"] == "test", column])


def test_artist_split_is_artist_disjoint_and_tests_every_genre(chunks, clips):
    table = make_split(chunks, clips, "artist", 0.2, 4, seed=1)
    train, test = sides(table, "artist")
    assert not train & test
    assert set(table.loc[table["set"] == "test", "genre"]) == set(GENRES)
    assert table.loc[table["set"] == "test", "file"].nunique() == 40  # one artist (20%) per genre
    folds = table[table["set"] == "train"].groupby("artist")["fold"].nunique()
    assert (folds == 1).all()  # CV folds are grouped by artist too
    assert set(table.loc[table["set"] == "test", "fold"]) == {-1}


def test_song_split_keeps_chunks_of_a_clip_together(chunks, clips):
    table = make_split(chunks, clips, "song", 0.25, 3, seed=1)
    train, test = sides(table, "file")
    assert not train & test
    assert table.loc[table["set"] == "test"].groupby("genre")["file"].nunique().eq(5).all()
    assert (table[table["set"] == "train"].groupby("file")["fold"].nunique() == 1).all()


def test_random_split_leaks_clips(chunks, clips):
    table = make_split(chunks, clips, "random", 0.2, 3, seed=1)
    train, test = sides(table, "file")
    assert train & test  # chunks of one clip on both sides: the leak this strategy demonstrates
    assert len(table) == len(chunks)


def test_split_is_deterministic_and_seeded(chunks, clips):
    first = make_split(chunks, clips, "artist", 0.2, 4, seed=1)
    assert first.equals(make_split(chunks, clips, "artist", 0.2, 4, seed=1))
    assert not first.equals(make_split(chunks, clips, "artist", 0.2, 4, seed=2))


def test_too_many_folds_for_the_labels_is_named(chunks, clips):
    with pytest.raises(MusicgenreError, match="each label needs at least 101"):
        make_split(chunks, clips, "artist", 0.2, 100, seed=1)
