import librosa
import numpy as np
import pytest
from PIL import Image

from musicgenre.audio import write_wav
from musicgenre.dsp.mels import IMAGE_SIZE, clip_mels, picture_png

SR = 22050
SETTINGS = {"sample_rate": SR, "chunk_seconds": 3.0, "n_mels": 64, "n_fft": 1024, "hop_length": 256, "fmax": 8000}


def test_chunk_mels_match_librosa(tmp_path, tone):
    path = tmp_path / "clip.wav"
    write_wav(path, tone, SR)
    chunks, whole = clip_mels(path, **SETTINGS)
    y = librosa.load(path, sr=SR)[0]
    expected = librosa.power_to_db(librosa.feature.melspectrogram(
        y=y[3 * SR:6 * SR], sr=SR, n_fft=1024, hop_length=256, n_mels=64, fmax=8000))
    assert chunks.dtype == np.float16 and chunks.shape == (2, 64, 1 + 3 * SR // 256)
    np.testing.assert_allclose(chunks[1].astype(np.float32), expected, atol=0.05)  # float16: < 0.05 dB
    assert whole.shape == (64, 1 + len(y) // 256)


def test_short_clip_is_padded_to_one_chunk(tmp_path, tone):
    path = tmp_path / "short.wav"
    write_wav(path, tone[:SR], SR)
    with pytest.warns(UserWarning, match="zero-padded"):
        chunks, _ = clip_mels(path, **SETTINGS)
    assert chunks.shape[0] == 1


def test_image_is_kaggle_sized(tmp_path, tone):
    path = tmp_path / "clip.wav"
    write_wav(path, tone, SR)
    _, whole = clip_mels(path, **SETTINGS)
    (tmp_path / "clip.png").write_bytes(picture_png(whole))
    with Image.open(tmp_path / "clip.png") as image:
        assert image.size == IMAGE_SIZE
