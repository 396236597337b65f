"""Representations: one home per kind of input, and predict's rows equal to the stages' rows."""

import contextlib

import numpy as np
import pytest
import soundfile as sf

from conftest import PROJECT, SR, run_stage
from musicgenre.errors import MusicgenreError
from musicgenre.models import family_input
from musicgenre.predict import model_input
from musicgenre.representations import COMPUTED, REPRESENTATIONS, TABLES, named
from musicgenre.schema import FAMILIES

PARAMS = {"chunks": {"sample_rate": SR, "seconds": 3.0},
          "mels": {"n_mels": 64, "n_fft": 1024, "hop_length": 256, "fmax": 8000},
          "embeddings": {"model": "MSD_musicnn", "layer": "max_pool"},
          "train": {"drop_features": ["mfcc2_mean"]}}


NONE = {"hear": {}}  # params listing no HEAR module


def test_a_family_input_is_a_representation_of_the_kind_it_reads(project_params):
    """``models.<family>.input`` names a representation (its folder data/inputs/<name> is the
    family's DVC dependency); the families on tables choose among the tables, the networks among arrays."""
    assert len({r.output for r in REPRESENTATIONS.values()}) == len(REPRESENTATIONS)
    assert all(r.output == f"data/inputs/{name}" for name, r in REPRESENTATIONS.items())
    for family in FAMILIES:
        shipped = project_params["models"].get(family, {"input": "mels"})  # transfer is commented out
        assert family_input(family, shipped, NONE) is REPRESENTATIONS[shipped["input"]]
    for family in ("knn", "rf", "mlp", "musicnn", "fusion"):
        for name in ("features", "embeddings", "tables"):
            assert family_input(family, {"input": name}, NONE) is REPRESENTATIONS[name]
        with pytest.raises(MusicgenreError, match=rf"models.{family}.input \(a table input: a representation\) is "
                                                  r"'mels'; expected one of: embeddings, features, tables"):
            family_input(family, {"input": "mels"}, NONE)
    with pytest.raises(MusicgenreError, match=r"models.cnn.input \(an array input: a representation\) is "
                                              r"'data/inputs/mels'; expected one of: mels"):
        family_input("cnn", {"input": "data/inputs/mels"}, NONE)  # a name, not a path
    with pytest.raises(MusicgenreError, match="unknown input 'chords'; known: embeddings, features, mels, tables"):
        named("chords")


def test_every_computed_representation_has_its_stage_and_params(project_params):
    """The registry is the package's modules; params.yaml gives each its represent@<name> stage."""
    assert COMPUTED == ("embeddings", "features", "mels") and TABLES == ("embeddings", "features")
    assert set(project_params["representations"]) == set(COMPUTED)
    for name, module in project_params["representations"].items():
        assert (PROJECT / module).is_file() and name in project_params
        assert REPRESENTATIONS[name].output.startswith(f"data/inputs/{name}")


def test_params_are_checked_before_any_work(tmp_path, project_params):
    """The stage stops on the bad setting before it reads anything (there is no data/raw here)."""
    for section, bad, said in (("mels", {"n_mels": 4}, "mels.n_mels is 4; it must be >= 8"),
                               ("embeddings", {"layer": "last"}, "embeddings.layer is 'last'; expected one of")):
        result = run_stage(tmp_path, "represent", {**project_params, section: bad}, section)
        assert result.returncode == 1 and said in result.stderr and "Traceback" not in result.stderr
    assert "mfcc2_mean" not in REPRESENTATIONS["features"].columns(PARAMS)


def stage_rows(name, path):
    """The model input that ``represent@<name>`` stored for the clip at ``path`` (as train and evaluate read it)."""
    representation = named(name)
    if name == "tables":
        return np.hstack([stage_rows(part.name, path) for part in representation.parts])
    result = representation.per_clip(PARAMS)(path)
    if name == "features":
        return np.array([[row[c] for c in representation.columns(PARAMS)] for row in result[1]])
    if name == "mels":
        return np.asarray(result[0], dtype=np.float32)  # stored as float16, read as float32
    return result


def bundle_for(name):
    """What a bundle trained on ``name`` holds about its input (without a model)."""
    representation = named(name)
    config = {"input": name, "sample_rate": SR, "chunk_seconds": PARAMS["chunks"]["seconds"]}
    if name == "mels":
        config.update(representation.settings(PARAMS))
    if name in ("embeddings", "tables"):
        config.update(PARAMS["embeddings"])
    if name == "tables":
        config["columns_by_input"] = {"embeddings": [f"e{k:03d}" for k in range(753)],
                                      "features": named("features").columns(PARAMS)}
    columns = config.get("columns_by_input", {}).get("features") or named("features").columns(PARAMS)
    return {"config": config, "feature_names": columns if name == "features" else []}


@pytest.mark.parametrize("name", ["features", "mels", pytest.param("embeddings", marks=pytest.mark.slow),
                                  pytest.param("tables", marks=pytest.mark.slow)])
@pytest.mark.parametrize("seconds, rate", [(7.0, SR), (1.5, SR), (4.0, 44100)])  # a remainder; under one chunk; resampled
def test_predict_builds_the_rows_the_stage_computed(tmp_path, tone, name, seconds, rate):
    """Every column, every chunk, bit for bit: predict computes a file's rows by the stage's own function."""
    import librosa

    path = tmp_path / "clip.wav"
    y = tone[:int(seconds * SR)]
    sf.write(path, librosa.resample(y, orig_sr=SR, target_sr=rate) if rate != SR else y, rate, subtype="FLOAT")
    with pytest.warns(UserWarning, match="zero-padded") if seconds < 3 else contextlib.nullcontext():
        staged = stage_rows(name, path)
    predicted, padded, _ = model_input(bundle_for(name), path)
    assert padded == (seconds < 3) and len(predicted) == max(1, int(seconds // 3))
    np.testing.assert_array_equal(np.asarray(predicted, dtype=np.float64), np.asarray(staged, dtype=np.float64))


def test_a_long_file_is_separated_in_segments_by_the_stage_and_predict_alike(tmp_path, tone, monkeypatch):
    """Past SEPARATION_CHUNKS chunks the harmonic/percussive separation runs per segment (bounded
    memory), in the stage and in predict alike; shorter clips are separated whole."""
    from musicgenre.dsp import features

    path = tmp_path / "clip.wav"
    sf.write(path, tone, SR, subtype="FLOAT")
    whole = stage_rows("features", path)
    monkeypatch.setattr(features, "SEPARATION_CHUNKS", 1)
    segmented = stage_rows("features", path)
    predicted, _, _ = model_input(bundle_for("features"), path)
    np.testing.assert_array_equal(predicted, segmented)
    separated = [k for k, c in enumerate(named("features").columns(PARAMS)) if c.startswith(("harmony", "perceptr"))]
    others = [k for k in range(whole.shape[1]) if k not in separated]
    np.testing.assert_array_equal(segmented[:, others], whole[:, others])
    assert not np.array_equal(segmented[:, separated], whole[:, separated])
