"""Scores at other lengths: excerpts cut and classified as ``predict`` classifies a file that long,
and long files classified by a bounded, evenly spread sample of their chunks."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from musicgenre.bundles import make_bundle
from musicgenre.cliprules import PoolModel, VoteModel
from musicgenre.errors import MusicgenreError
from musicgenre.datasets.layout import audio_path, build_manifest
from musicgenre.excerpts import WHOLE, excerpt
from musicgenre.lengths import by_length
from musicgenre.dsp.features import FEATURE_NAMES, extract
from musicgenre.models import build
from musicgenre.predict import MAX_CHUNKS, classify, model_input

SR = 22050


@pytest.fixture(scope="module")
def demo_bundles(demo_set):
    """A vote and a pool kNN bundle on the demo set's chunk descriptors, and the clips."""
    manifest = build_manifest(demo_set)
    manifest = manifest[manifest["readable"]]
    rows = []
    for file, genre in zip(manifest["file"], manifest["genre"]):
        _, chunks = extract(audio_path(demo_set, file), SR, 3.0)
        rows += [{**c, "file": file, "chunk": k, "genre": genre} for k, c in enumerate(chunks)]
    table = pd.DataFrame(rows)
    config = {"input": "features", "sample_rate": SR, "chunk_seconds": 3.0}
    bundles = {}
    for model in (VoteModel(build("knn", {"n_neighbors": 3}, "standard", 0)),
                  PoolModel(build("knn", {"n_neighbors": 3}, "standard", 0), ["mean", "std"])):
        model.fit(table[FEATURE_NAMES].to_numpy(), table["genre"].to_numpy(), table["file"].to_numpy())
        bundles[model.rule.split()[0]] = make_bundle(model, "knn", FEATURE_NAMES, model.classes_, config)
    return bundles, manifest


def test_an_excerpt_is_seeded_per_clip_and_whole_when_the_clip_is_not_longer():
    y = np.arange(10 * SR, dtype=np.float32)
    a = excerpt(y, SR, 3, 42, "blues.00001.wav")
    assert len(a) == 3 * SR and np.array_equal(a, excerpt(y, SR, 3, 42, "blues.00001.wav"))
    assert not np.array_equal(a, excerpt(y, SR, 3, 42, "blues.00002.wav"))
    assert not np.array_equal(a, excerpt(y, SR, 3, 43, "blues.00001.wav"))
    assert excerpt(y, SR, 10, 42, "x") is y and excerpt(y, SR, 30, 42, "x") is y


@pytest.mark.parametrize("rule", ["vote", "pool"])
def test_each_excerpt_gets_the_genre_predict_gives_the_same_audio_as_a_file(demo_bundles, demo_set, tmp_path, rule):
    bundles, manifest = demo_bundles
    bundle = bundles[rule]
    files = list(manifest["file"][:6])
    paths = {f: audio_path(demo_set, f) for f in files}
    clips = pd.DataFrame({"file": files, "actual": list(manifest["genre"][:6]),
                          "predicted": [next(iter(classify(bundle, paths[f])["probabilities"])) for f in files]})
    scores, predictions = by_length(bundle, clips, paths, [3.0, 60.0], seed=7)  # the clips are 4 s long
    assert list(scores) == ["3s", "60s", WHOLE]
    assert scores["60s"]["excerpted"] == 0 and scores["60s"]["accuracy"] == scores[WHOLE]["accuracy"]
    assert scores["3s"]["excerpted"] == 6 and scores["3s"]["seconds"] == 3.0
    assert scores["3s"]["accuracy_ci95_low"] <= scores["3s"]["accuracy"] <= scores["3s"]["accuracy_ci95_high"]
    for row in predictions[predictions["length"] == "3s"].itertuples():
        y, _ = sf.read(paths[row.file], dtype="float32")
        cut = excerpt(y, SR, float(row.length[:-1]), 7, row.file)
        sf.write(tmp_path / "excerpt.wav", cut, SR, subtype="FLOAT")
        said = classify(bundle, tmp_path / "excerpt.wav")
        assert said["chunks"] == int(len(cut) // (3 * SR))
        top = max(said["probabilities"].values())
        assert said["probabilities"][row.predicted] == top, (row.file, row.length)  # the genre predict names


def test_a_long_file_is_classified_by_its_chunks_spread_evenly_each_from_its_own_audio(tmp_path, tone):
    from test_representations import bundle_for

    song = np.tile(tone[:3 * SR], 100) * np.repeat(np.linspace(0.2, 1.0, 100), 3 * SR)  # 100 chunks, 5 min
    sf.write(tmp_path / "song.wav", song, SR, subtype="FLOAT")
    bundle = bundle_for("features")
    rows, padded, total = model_input(bundle, tmp_path / "song.wav", max_chunks=30)
    assert (len(rows), total, padded) == (30, 100, False)
    picked = np.unique(np.linspace(0, 99, 30).round().astype(int))
    for k in (0, 1, 29):  # a sampled chunk is the chunk a file of just its 3 s would give
        sf.write(tmp_path / "chunk.wav", song[picked[k] * 3 * SR:(picked[k] + 1) * 3 * SR], SR, subtype="FLOAT")
        alone, _, _ = model_input(bundle, tmp_path / "chunk.wav")
        np.testing.assert_array_equal(rows[k], alone[0])
    every, _, _ = model_input(bundle, tmp_path / "song.wav", max_chunks=0)
    assert len(every) == 100


def test_at_the_edges_each_length_scores_what_predict_says_of_a_file_that_long(demo_bundles, demo_set, tmp_path):
    """A silent excerpt (predict refuses it: no genre, a miss), a 120 s clip read as predict reads a
    file that long (30 chunks spread over its 40) and a 2 s excerpt (zero-padded to one chunk)."""
    bundles, manifest = demo_bundles
    bundle = bundles["vote"]
    chunk = 3 * SR
    heard = {}  # a chunk of each genre that the model surely hears as its genre
    for f, genre in zip(manifest["file"], manifest["genre"]):
        y, _ = sf.read(audio_path(demo_set, f), dtype="float32")
        sf.write(tmp_path / "chunk.wav", y[:chunk], SR, subtype="FLOAT")
        if genre not in heard and classify(bundle, tmp_path / "chunk.wav")["probabilities"][genre] == 1.0:
            heard[genre] = y[:chunk]
    first, second = sorted(heard)[:2]
    picked = set(np.unique(np.linspace(0, 39, MAX_CHUNKS).round().astype(int)))
    # the 30 chunks predict reads lean to the first genre; the 10 it skips are all the second one
    order = [first if k in picked and sorted(picked).index(k) < 17 else second for k in range(40)]
    sf.write(tmp_path / "long.wav", np.concatenate([heard[g] for g in order]), SR, subtype="FLOAT")
    sf.write(tmp_path / "silent.wav", np.zeros(6 * SR, dtype=np.float32), SR, subtype="FLOAT")
    paths = {"long.wav": tmp_path / "long.wav", "silent.wav": tmp_path / "silent.wav",
             "short.wav": audio_path(demo_set, manifest["file"].iloc[0])}
    every = next(iter(classify(bundle, paths["long.wav"], max_chunks=0)["probabilities"]))
    spread = next(iter(classify(bundle, paths["long.wav"], MAX_CHUNKS)["probabilities"]))
    assert every != spread  # so reading every chunk would not be what predict says
    clips = pd.DataFrame({"file": list(paths), "actual": [spread, "blues", manifest["genre"].iloc[0]],
                          "predicted": [every, "blues", "blues"]})  # evaluate's whole-clip genres (all chunks)
    _, predictions = by_length(bundle, clips, paths, [2.0, 120.0], seed=7)
    said = predictions.set_index(["file", "length"])["predicted"]
    assert said["long.wav", "120s"] == spread
    assert said["silent.wav", "2s"] == said["silent.wav", "120s"] == ""  # no genre, scored as a miss
    with pytest.raises(MusicgenreError, match="silent"):
        classify(bundle, paths["silent.wav"], MAX_CHUNKS)
    y, _ = sf.read(paths["short.wav"], dtype="float32")
    sf.write(tmp_path / "two.wav", excerpt(y, SR, 2.0, 7, "short.wav"), SR, subtype="FLOAT")
    two = classify(bundle, tmp_path / "two.wav", MAX_CHUNKS)
    assert two["padded"] and said["short.wav", "2s"] == next(iter(two["probabilities"]))
