import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_score

from musicgenre import GENRES
from musicgenre.audio import probe
from musicgenre.datasets import synthetic
from musicgenre.datasets.layout import audio_path, build_manifest, md5sum
from musicgenre.dsp.features import FEATURE_NAMES, describe
from musicgenre.faults import read_fault_list


def test_layout_names_and_counts(demo_set):
    manifest = build_manifest(demo_set)
    assert len(manifest) == len(GENRES) * 4
    assert sorted(manifest["genre"].unique()) == list(GENRES)
    readable = manifest[manifest["readable"]]
    assert set(readable["sample_rate"]) == {22050} and set(readable["channels"]) == {1}
    assert (readable["duration_s"] == 4.0).all()


def test_same_seed_same_bytes(tmp_path, demo_set):
    synthetic.generate(tmp_path, seed=7, artists_per_genre=2, clips_per_artist=2, clip_seconds=4.0,
                       duplicates=3, mislabels=3, unreadable=1)
    assert build_manifest(tmp_path)["md5"].tolist() == build_manifest(demo_set)["md5"].tolist()
    assert (tmp_path / "faults.csv").read_text() == (demo_set / "faults.csv").read_text()


def test_planted_faults_are_true(demo_set):
    faults = read_fault_list(demo_set / "faults.csv")
    counts = faults["fault"].value_counts()
    assert counts["exact_duplicate"] == 6 and counts["mislabel"] == 3 and counts["unreadable"] == 1
    for _, group in faults[faults["fault"] == "exact_duplicate"].groupby("group"):
        assert len(group) == 2
        assert len({md5sum(audio_path(demo_set, f)) for f in group["file"]}) == 1
    genres = faults.loc[faults["fault"] == "exact_duplicate", "file"].str.split(".").str[0]
    assert genres.groupby(faults["group"]).nunique().max() == 2  # one replica crosses genres, as in GTZAN
    for _, row in faults[faults["fault"] == "mislabel"].iterrows():
        assert row["correct_genre"] in GENRES and row["correct_genre"] != row["file"].split(".")[0]
    bad = faults.loc[faults["fault"] == "unreadable", "file"].item()
    assert not probe(audio_path(demo_set, bad))["readable"]
    artists = pd.read_csv(demo_set / "artists.csv")
    assert len(artists) == len(GENRES) * 4 and artists["artist"].nunique() == len(GENRES) * 2


def test_artist_leakage_is_real(tmp_path):
    """A random split must score visibly higher than an artist-disjoint one."""
    rng = np.random.default_rng(3)
    rows, genres, artists = [], [], []
    for genre in GENRES:
        for artist in synthetic.make_artists(genre, 4, rng):
            for _ in range(4):
                y = synthetic.render_clip(genre, artist, 3.0, rng)
                rows.append(describe(y, 22050, y, y))  # separation skipped: it only costs time here
                genres.append(genre)
                artists.append(artist.name)
    features = pd.DataFrame(rows)[FEATURE_NAMES].to_numpy()
    model = RandomForestClassifier(200, random_state=0)
    random_split = cross_val_score(model, features, genres, cv=StratifiedKFold(4, shuffle=True, random_state=0))
    artist_split = cross_val_score(model, features, genres, cv=GroupKFold(4), groups=artists)
    assert random_split.mean() > artist_split.mean() + 0.05
    assert random_split.mean() < 0.99  # not trivially separable
