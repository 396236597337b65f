"""The Python API: a model classifies a file and the same samples in memory alike, and a run's
metrics read as a table (what ``musicgenre predict`` and ``musicgenre summary`` use)."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from musicgenre.api import MAX_CHUNKS, Model, bundle_path as path_of, default_family, load_model, read_metrics
from musicgenre.errors import MusicgenreError
from musicgenre.bundles import load_bundle
from test_predict import bundle_path, music  # noqa: F401 - bundle_path is a fixture

SR = 22050


def metrics(accuracy, validation, chunk=None, lengths=(("3s", 0.5), ("10s", 0.6))):
    """A family's metrics file, as evaluate writes it (the fields the API reads)."""
    data = {"split": "artist", "clip": {"accuracy": accuracy, "accuracy_ci95_low": accuracy - 0.1,
                                        "accuracy_ci95_high": accuracy + 0.1, "macro_f1": accuracy - 0.02},
            "validation": {"score": validation, "clip_accuracy_mean": 0.7},
            "clip_accuracy_by_length": {key: {"accuracy": value} for key, value in [*lengths, ("whole", accuracy)]},
            "training_data": {"source": "gtzan", "clips": 443, "synthetic": False}}
    if chunk is not None:
        data["chunk"] = {"accuracy": chunk}
    return data


@pytest.fixture
def project(tmp_path, bundle_path):  # noqa: F811
    """A project with metrics for three families and a bundle for two of them: fusion is the best on
    test, knn and rf the best on validation."""
    for family, data in {"knn": metrics(0.7, 0.85, chunk=0.65), "fusion": metrics(0.8, 0.75),
                         "rf": metrics(0.8, 0.85, chunk=0.6),
                         "cleaning": {"usable": 10}, "review": {"clips": 10, "flagged": 2}}.items():
        (tmp_path / "metrics").mkdir(exist_ok=True)
        (tmp_path / "metrics" / f"{family}.json").write_text(json.dumps(data))
    for family in ("knn", "fusion"):
        (tmp_path / "data" / "models" / family).mkdir(parents=True)
        shutil.copy(bundle_path, tmp_path / "data" / "models" / family / "model.bundle")
    return tmp_path


def test_a_file_and_its_samples_in_memory_are_classified_alike(tmp_path, bundle_path):  # noqa: F811
    model = load_model(bundle_path)
    assert model.family == "knn" and model.sample_rate == SR and len(model.genres) == 10
    stereo = music(7.5, sr=44100, channels=2)  # another rate, two channels: resampled and down-mixed alike
    sf.write(tmp_path / "song.wav", stereo, 44100, subtype="FLOAT")
    from_file = model.classify(tmp_path / "song.wav")
    in_memory = model.classify(stereo.T, sample_rate=44100)
    pd.testing.assert_series_equal(from_file.probabilities, in_memory.probabilities)
    assert from_file.genre == from_file.probabilities.index[0] and from_file.probabilities.is_monotonic_decreasing
    assert (from_file.chunks, from_file.file_chunks, from_file.padded) == (2, 2, False)
    assert abs(from_file.probabilities.sum() - 1) < 1e-3 and set(from_file.probabilities.index) == set(model.genres)
    short = model.classify(music(1.0), sample_rate=SR)
    assert short.padded and short.chunks == 1
    long = model.classify(music(3.0 * (MAX_CHUNKS + 5)), sample_rate=SR)
    assert (long.chunks, long.file_chunks) == (MAX_CHUNKS, MAX_CHUNKS + 5)
    assert model.classify(music(9.0), sample_rate=SR, max_chunks=2).chunks == 2


@pytest.mark.parametrize("samples, rate, message", [
    (np.zeros(SR * 4), SR, "the audio is silent"),
    (np.full(SR * 4, np.nan), SR, "NaN or infinite"),
    (np.zeros((2, 2, 2)), SR, "shape (samples,) or (channels, samples)"),
    (np.ones(SR * 4), None, "give the sample_rate"),
])
def test_samples_that_cannot_be_classified_say_why(bundle_path, samples, rate, message):  # noqa: F811
    with pytest.raises(MusicgenreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Model(load_bundle(bundle_path)).classify(samples, sample_rate=rate)


def test_a_model_loads_by_family_name_or_as_the_best_on_validation(project):
    assert load_model("knn", project=project).family == "knn"
    assert read_metrics(project).index[0] == "fusion"  # the best on test, which chooses nothing
    assert default_family(project) == "knn"  # knn and rf tie on validation: the first by name
    assert path_of(None, project) == project / "data" / "models" / "knn" / "model.bundle"
    assert load_model(project=project).bundle["family"] == "knn"
    with pytest.raises(MusicgenreError, match="'rf' is neither a bundle file nor a trained family"):
        load_model("rf", project=project)
    with pytest.raises(MusicgenreError, match="no trained model found"):
        load_model(project=project / "elsewhere")
    with pytest.raises(MusicgenreError, match="no model metrics"):
        read_metrics(project / "elsewhere")


def test_metrics_read_as_one_row_per_family_best_first(project):
    table = read_metrics(project)
    assert list(table.index) == ["fusion", "rf", "knn"]  # cleaning and review are not families
    assert list(table.columns) == ["split", "clip_accuracy", "ci95_low", "ci95_high", "clip_macro_f1",
                                   "chunk_accuracy", "on_3s", "on_10s", "validation_score", "trained_on"]
    assert np.isnan(table.loc["fusion", "chunk_accuracy"]) and table.loc["knn", "chunk_accuracy"] == 0.65
    assert table.loc["knn", "on_10s"] == 0.6 and table.loc["rf", "ci95_high"] == pytest.approx(0.9)
    assert table.loc["rf", "trained_on"] == "gtzan, 443 clips"
