"""The leakage study's pair of artist splits: one set of test artists, raw and cleaned."""

import numpy as np
import pandas as pd
import pytest

from musicgenre import GENRES, gtzan
from musicgenre.faults import USABLE, clean, fault_list_path, read_fault_list
from musicgenre.leakage import run
from musicgenre.splits import held_out_artists, make_split


def gtzan_manifest():
    """The clean stage's table for all 1000 GTZAN names under the shipped fault list (no audio)."""
    files = [f"{g}.{i:05d}.wav" for g in GENRES for i in range(100)]
    raw = pd.DataFrame({"file": files, "genre": [f.split(".")[0] for f in files], "readable": True})
    table, _ = clean(raw, read_fault_list(fault_list_path("local", None)), gtzan.artists(), "relabel", "keep")
    return table


@pytest.mark.parametrize("seed", [1, 3, 42])
def test_the_raw_and_cleaned_artist_splits_test_the_same_artists(seed):
    """Chosen once on the raw clips, the held-out artists are tested on both sides: the cleaned test
    set is the raw one less the clips the cleaning dropped, and nothing of it trains."""
    manifest = gtzan_manifest()
    raw = manifest.assign(genre=manifest["original_genre"])
    cleaned = manifest[manifest["status"].isin(USABLE)]
    chunks = pd.DataFrame({"file": manifest["file"], "chunk": 0})
    held = held_out_artists(raw, 0.2, seed)
    sides = {name: make_split(chunks, clips, "artist", 0.2, 2, seed, held_out=held).set_index("file")["set"]
             for name, clips in (("raw", raw), ("cleaned", cleaned))}
    tested = set(sides["raw"][sides["raw"] == "test"].index)
    assert set(sides["cleaned"][sides["cleaned"] == "test"].index) == tested & set(cleaned["file"])
    assert sides["raw"].equals(make_split(chunks, raw, "artist", 0.2, 2, seed).set_index("file")["set"])  # as alone


def test_the_leakage_study_records_one_set_of_held_out_artists_for_its_artist_pair():
    rng = np.random.default_rng(0)
    rows = [{"file": f"{g}.{a}{c}.wav", "genre": g, "original_genre": g, "artist": f"{g} artist {a}",
             "status": "dropped_duplicate" if (a, c) == (0, 0) else "kept"}
            for g in GENRES[:3] for a in range(6) for c in range(3)]
    manifest = pd.DataFrame(rows)
    chunks = pd.DataFrame([{"file": f, "chunk": k} for f in manifest["file"] for k in range(2)])
    chunks["x"] = rng.normal(size=len(chunks))
    for seed in (0, 1, 2):
        results = run(chunks, manifest, ("knn", {"n_neighbors": 3}, "standard", ["x"]), ["artist_raw", "artist"],
                      0.3, seed, None)
        raw, cleaned = results["artist_raw"]["held_out_artists"], results["artist"]["held_out_artists"]
        assert raw == cleaned and raw["count"] >= 3 and len(raw["digest"]) == 16
