"""The review: out-of-fold probabilities grouped by artist, cleanlab's ranking, the page and its export."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from musicgenre.cliprules import VoteModel
from musicgenre.faults import FAULT_COLUMNS
from musicgenre.models import GroupCalibrated
from musicgenre.out_of_fold import artist_folds, family_probabilities, out_of_fold
from musicgenre.representations import Representation
from musicgenre.review import listed_faults, rank, recall_at, reviewed_clips
from musicgenre.reviewpage import EXPORT_NAME, page
from musicgenre.splits import grouped

GENRES = ["blues", "jazz", "metal"]


def clips_of(artists_per_genre=4, clips_per_artist=3):
    rows = [{"file": f"{genre}.{a}{k}.wav", "genre": genre, "artist": f"{genre} artist {a}"}
            for genre in GENRES for a in range(artists_per_genre) for k in range(clips_per_artist)]
    return grouped(pd.DataFrame(rows))


def test_reviewed_clips_carry_their_labels_as_downloaded_and_leave_out_copies_and_unreadable_files():
    manifest = pd.DataFrame({
        "file": ["a.wav", "b.wav", "c.wav", "d.wav", "e.wav"],
        "genre": ["jazz", "blues", "blues", "blues", "metal"],
        "original_genre": ["metal", "blues", "blues", "blues", "metal"],
        "artist": ["Ann", "ANN", "Bo", "Bo", "unknown:e.wav"],
        "status": ["relabelled", "kept", "dropped_duplicate", "unreadable", "dropped_mislabel"]})
    clips = reviewed_clips(manifest)
    assert clips["file"].tolist() == ["a.wav", "b.wav", "e.wav"]
    assert clips["genre"].tolist() == ["metal", "blues", "metal"]  # the relabelled clip is reviewed as filed
    assert clips["artist"].iloc[0] == clips["artist"].iloc[1]  # one artist, one group, however spelled


def test_artist_folds_keep_each_artist_in_one_fold_and_spread_every_genre():
    clips = clips_of()
    fold = artist_folds(clips, 4, seed=0)
    assert set(fold) == {0, 1, 2, 3}
    assert (clips.assign(fold=fold.to_numpy()).groupby("artist")["fold"].nunique() == 1).all()
    assert (clips.assign(fold=fold.to_numpy()).groupby("fold")["genre"].nunique() == len(GENRES)).all()
    with pytest.raises(Exception, match="review.folds is 13 but the clips have only 12 artist groups"):
        artist_folds(clips, 13, seed=0)


def test_out_of_fold_probabilities_come_from_models_that_never_heard_the_clips_artist():
    """Every clip of an artist sounds alike and unlike its genre's other artists, so a model that
    had heard the artist would be sure of the label; one that had not can only guess."""
    rng = np.random.default_rng(0)
    clips = clips_of()
    artist_code = {a: k for k, a in enumerate(sorted(clips["artist"].unique()))}
    rows = clips.loc[clips.index.repeat(2)].assign(chunk=lambda t: t.groupby("file").cumcount())
    x = np.eye(len(artist_code))[rows["artist"].map(artist_code)]
    x += 0.01 * rng.normal(size=x.shape)
    fold = rows["file"].map(artist_folds(clips, 4, seed=0))
    table = rows.assign(fold=fold, **{f"x{k}": x[:, k] for k in range(x.shape[1])})
    columns = [f"x{k}" for k in range(x.shape[1])]
    proba = out_of_fold(VoteModel(KNeighborsClassifier(1)), table, columns, ["blues", "classical", *GENRES[1:]])
    assert list(proba.index) == sorted(clips["file"]) and list(proba.columns) == ["blues", "classical", "jazz", "metal"]
    assert (proba["classical"] == 0).all()  # a label no training fold has gets no probability
    actual = clips.set_index("file").loc[proba.index, "genre"]
    assert (proba.idxmax(axis=1) == actual).mean() < 0.6  # never heard the artist: its genre's other artists differ
    by_clip = table.assign(fold=table["file"].factorize()[0] % 4)  # folds that split an artist's clips
    heard = out_of_fold(VoteModel(KNeighborsClassifier(1)), by_clip, columns, GENRES)
    assert (heard.idxmax(axis=1) == actual).all()  # the nearest neighbour is the artist's other clip

class Rows(Representation):
    """A table input held in memory (the review reads a representation's chunk rows)."""

    name, tabular = "rows", True

    def __init__(self, table, columns):
        self.rows, self.names = table, columns

    def read(self):
        return self.rows

    def columns(self, params):
        return self.names


def test_a_family_listing_values_to_try_keeps_the_one_most_accurate_out_of_fold():
    rng = np.random.default_rng(1)
    clips = clips_of(artists_per_genre=4, clips_per_artist=3)
    centre = {genre: 3.0 * k for k, genre in enumerate(GENRES)}
    rows = clips.loc[clips.index.repeat(2)].assign(chunk=lambda t: t.groupby("file").cumcount())
    rows = rows.assign(x0=rows["genre"].map(centre) + rng.normal(size=len(rows)), x1=rng.normal(size=len(rows)))
    fold = artist_folds(clips, 4, seed=0)
    settings = {"input": "rows", "n_neighbors": [1, 5, 30], "clip_rule": "vote", "p": 2, "leaf_size": 30}
    params = {"train": {"scaler": "standard"}, "seed": 0}
    proba, record = family_probabilities("knn", settings, Rows(rows[["file", "chunk", "x0", "x1"]], ["x0", "x1"]),
                                         clips, fold, params)
    scores = [c["out_of_fold_accuracy"] for c in record["candidates"]]
    assert [c["n_neighbors"] for c in record["candidates"]] == [1, 5, 30] and len(set(scores)) > 1
    assert record["out_of_fold_accuracy"] == max(scores)
    assert record["chosen"] == {"n_neighbors": [1, 5, 30][scores.index(max(scores))]}
    given = clips.set_index("file").loc[proba.index, "genre"]
    assert round(float((proba.idxmax(axis=1) == given).mean()), 4) == max(scores)  # the chosen one's probabilities


def test_a_genre_with_one_clip_in_a_folds_training_part_is_left_out_of_that_fit():
    """An SVM's calibration needs two clips of each genre; a lone mislabelled clip would stop it."""
    clips = clips_of(artists_per_genre=2, clips_per_artist=2)
    clips.loc[0, "genre"] = "classical"  # filed under a genre no one else has
    table = clips.assign(chunk=0, fold=[k % 2 for k in range(len(clips))], x0=np.arange(len(clips)) % 3,
                         x1=np.arange(len(clips)) % 5)
    proba = out_of_fold(VoteModel(GroupCalibrated(SVC())), table, ["x0", "x1"], ["blues", "classical", "jazz", "metal"])
    assert (proba["classical"] == 0).all() and np.allclose(proba.sum(axis=1), 1)


def test_rank_puts_the_labels_the_probabilities_contradict_first():
    rng = np.random.default_rng(1)
    files = [f"clip{k:02d}.wav" for k in range(60)]
    given = pd.Series([GENRES[k % 3] for k in range(60)], index=files)
    proba = np.full((60, 3), 0.05)
    heard = [k % 3 for k in range(60)]
    for k in (7, 20, 41):  # three clips the models hear as another genre, surely
        heard[k] = (k % 3 + 1) % 3
    proba[np.arange(60), heard] = 0.9
    proba += rng.uniform(0, 0.05, size=proba.shape)
    ranked = rank(pd.DataFrame(proba, index=files, columns=GENRES), given)
    assert set(ranked["file"].iloc[:3]) == {"clip07.wav", "clip20.wav", "clip41.wav"}
    assert ranked["rank"].tolist() == list(range(1, 61)) and ranked["label_quality"].is_monotonic_increasing
    assert set(ranked.loc[ranked["flagged"], "file"]) == {"clip07.wav", "clip20.wav", "clip41.wav"}
    first = ranked.iloc[0]
    assert first["suggested"] != first["given"] and first["p_suggested"] > 0.8 > 0.1 > first["p_given"]
    assert recall_at(ranked, ["clip07.wav", "clip41.wav", "clip59.wav"], 6) == {
        "mislabels": 3, "top": 6, "found": 2, "recall": 0.6667}


def test_listed_faults_say_what_the_lists_already_know():
    faults = pd.DataFrame([["a.wav", "mislabel", "", "jazz", ""], ["b.wav", "mislabel", "", "", ""],
                           ["c.wav", "exact_duplicate", "g1", "", ""], ["c.wav", "distortion", "", "", ""]],
                          columns=FAULT_COLUMNS)
    assert listed_faults(faults) == {"a.wav": "mislabel → jazz", "b.wav": "mislabel (drop)",
                                     "c.wav": "exact_duplicate (g1); distortion"}


def test_page_links_each_clip_and_picture_relative_to_itself_and_offers_every_other_genre():
    suspects = pd.DataFrame([
        {"rank": 1, "file": "Blues Rock.00003.flac", "given": "Blues Rock", "suggested": "métal", "p_given": 0.01,
         "p_suggested": 0.9, "listed": "", "artist": "Ann & Bo", "title": "<b>Song</b>"},
        {"rank": 4, "file": "métal.00000.wav", "given": "métal", "suggested": "jazz", "p_given": 0.2,
         "p_suggested": 0.5, "listed": "mislabel → jazz", "artist": "", "title": ""}])
    text = page(suspects, ["Blues Rock", "jazz", "métal"], lambda f: f"data/raw/audio/{f.split('.')[0]}/{f}",
                lambda f: f"data/inputs/mels/images/{f.split('.')[0]}/{f.rsplit('.', 1)[0]}.png", "2 clips.")
    assert 'src="../data/raw/audio/Blues%20Rock/Blues%20Rock.00003.flac"' in text
    assert 'src="../data/raw/audio/m%C3%A9tal/m%C3%A9tal.00000.wav"' in text
    assert text.count("<audio") == 2 and text.count("<img") == 2 and text.count('onerror="this.remove()"') == 2
    assert 'src="../data/inputs/mels/images/Blues%20Rock/Blues%20Rock.00003.png"' in text
    assert "&lt;b&gt;Song&lt;/b&gt;" in text and "Ann &amp; Bo" in text and "already listed: mislabel → jazz" in text
    first, second = text.split('<tr class="suspect"')[1:]
    assert re.findall(r"<option( selected)?>([^<]+)</option>", first) == [("", "jazz"), (" selected", "métal")]
    assert re.findall(r"<option( selected)?>([^<]+)</option>", second) == [("", "Blues Rock"), (" selected", "jazz")]
    assert EXPORT_NAME in text and "http" not in text.replace("http-equiv", "")  # nothing from the network

