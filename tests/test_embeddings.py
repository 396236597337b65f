"""The pretrained musicnn embeddings: they load with no network and match the package's own extractor."""

import json

import numpy as np
import pytest

from conftest import SR, run_python
from musicgenre.audio import write_wav
from musicgenre.dsp.embeddings import clip_embeddings
from musicgenre.dsp.features import extract
from test_deep import OFFLINE

pytestmark = pytest.mark.slow  # musicnn's TensorFlow graph is built in each test


def test_embeddings_follow_the_feature_chunk_grid(tmp_path, tone):
    path = tmp_path / "clip.wav"
    write_wav(path, tone, SR)
    embedded = clip_embeddings(path, SR, 3.0, "MSD_musicnn", "max_pool")
    _, chunks = extract(path, SR, 3.0)
    assert embedded.shape == (len(chunks), 753) and embedded.dtype == np.float32
    assert np.isfinite(embedded).all()
    tags = clip_embeddings(path, SR, 3.0, "MTT_musicnn", "taggram")
    assert tags.shape == (len(chunks), 50) and ((tags >= 0) & (tags <= 1)).all()


def test_model_loads_offline_and_matches_the_packages_extractor(tmp_path):
    """musicnn's own ``extractor()`` (whole-file spectrogram, patch by patch) and ours (chunk by
    chunk, one graph for all) give the same first-patch embedding, with no network at all."""
    rng = np.random.default_rng(1)
    t = np.arange(6 * 16000) / 16000
    y = 0.05 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 2 * t)) + 0.01 * rng.normal(size=t.size)
    path = tmp_path / "quiet.wav"  # quiet: the package's float16 spectrogram overflows on loud audio
    write_wav(path, y, 16000)
    script = ("import json; from musicnn.extractor import extractor; "
              f"_, _, f = extractor({str(path)!r}, model='MSD_musicnn', input_length=3, extract_features=True); "
              "print(json.dumps(f['max_pool'][0].tolist()))")
    theirs = run_python(script, env_extra={"TF_USE_LEGACY_KERAS": "1", **OFFLINE})
    assert theirs.returncode == 0, theirs.stderr
    reference = np.array(json.loads(theirs.stdout.strip().splitlines()[-1]))
    ours = clip_embeddings(path, 16000, 3.0, "MSD_musicnn", "max_pool")[0]
    np.testing.assert_allclose(ours, reference, rtol=0.02, atol=0.02)
