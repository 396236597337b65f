"""Representations: one home per kind of input, and predict's per-chunk path equal to the stages' per-clip one."""

import numpy as np
import pytest
import soundfile as sf

from conftest import PROJECT, SR
from musicgenre.errors import MusicgenreError
from musicgenre.models import INPUTS, family_input
from musicgenre.representations import COMPUTED, REPRESENTATIONS, TABLES, named

PARAMS = {"features": {"sample_rate": SR, "chunk_seconds": 3.0},
          "mels": {"n_mels": 64, "n_fft": 1024, "hop_length": 256, "fmax": 8000},
          "embeddings": {"model": "MSD_musicnn", "layer": "max_pool"},
          "train": {"drop_features": ["mfcc2_mean"]}}


def test_every_family_reads_a_registered_representation():
    assert set(INPUTS.values()) <= set(REPRESENTATIONS)
    assert len({r.output for r in REPRESENTATIONS.values()}) == len(REPRESENTATIONS)
    for family, name in INPUTS.items():
        assert family_input(family, {"input": REPRESENTATIONS[name].output}) is REPRESENTATIONS[name]
    with pytest.raises(MusicgenreError, match="unknown input 'chords'; known: embeddings, features, mels, inputs"):
        named("chords")


def test_every_computed_representation_has_its_stage_and_params(project_params):
    """The registry is the package's modules; params.yaml gives each its represent@<name> stage."""
    assert COMPUTED == ("embeddings", "features", "mels") and TABLES == ("embeddings", "features")
    assert set(project_params["representations"]) == set(COMPUTED)
    for name, module in project_params["representations"].items():
        assert (PROJECT / module).is_file() and name in project_params
        assert REPRESENTATIONS[name].output.startswith(f"data/inputs/{name}")


def test_params_are_checked_before_any_work():
    with pytest.raises(MusicgenreError, match="mels.n_mels is 4"):
        REPRESENTATIONS["mels"].per_clip({**PARAMS, "mels": {**PARAMS["mels"], "n_mels": 4}})
    with pytest.raises(MusicgenreError, match="embeddings.layer is 'last'"):
        REPRESENTATIONS["embeddings"].per_clip({**PARAMS, "embeddings": {"model": "MSD_musicnn", "layer": "last"}})
    assert "mfcc2_mean" not in REPRESENTATIONS["features"].columns(PARAMS)


def _chunks(tone):
    return [tone[k * 3 * SR:(k + 1) * 3 * SR] for k in range(2)]


def test_mels_per_chunk_equal_the_stage_per_clip(tmp_path, tone):
    path = tmp_path / "tone.wav"
    sf.write(path, tone, SR, subtype="FLOAT")
    mels = named("mels")
    stage_chunks, picture = mels.per_clip(PARAMS)(path)
    assert picture.startswith(b"\x89PNG")
    config = {**mels.settings(PARAMS)}
    predicted = mels.batch(config, [mels.chunk(config, c) for c in _chunks(tone)], [])
    assert predicted.shape == stage_chunks.shape == (2, 64, 3 * SR // 256 + 1)
    np.testing.assert_array_equal(predicted.astype(np.float16), stage_chunks)


def test_descriptors_per_chunk_match_the_stage_per_clip(tmp_path, tone):
    """Predict separates each chunk on its own; the stage separates the whole clip and cuts it. So
    the descriptors of the separated parts (harmony, perceptr) differ a little at the chunk edges,
    and every other descriptor is the same number."""
    path = tmp_path / "tone.wav"
    sf.write(path, tone, SR, subtype="FLOAT")
    descriptors = named("features")
    columns = descriptors.columns(PARAMS)
    _, rows = descriptors.per_clip(PARAMS)(path)
    staged = np.array([[row[c] for c in columns] for row in rows])
    config = {"sample_rate": SR, "chunk_seconds": 3.0}
    predicted = descriptors.batch(config, [descriptors.chunk(config, c) for c in _chunks(tone)], columns)
    assert predicted.shape == staged.shape == (2, 56)
    unseparated = [k for k, c in enumerate(columns) if not c.startswith(("harmony", "perceptr"))]
    np.testing.assert_allclose(predicted[:, unseparated], staged[:, unseparated], rtol=1e-5, atol=1e-6)
