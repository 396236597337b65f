import librosa
import numpy as np
import pytest

from musicgenre.audio import write_wav
from musicgenre.dsp.features import FEATURE_NAMES, extract, kaggle_recipe, separate

SR = 22050

KAGGLE_COLUMNS = (
    "chroma_stft_mean chroma_stft_var rms_mean rms_var spectral_centroid_mean spectral_centroid_var "
    "spectral_bandwidth_mean spectral_bandwidth_var rolloff_mean rolloff_var zero_crossing_rate_mean "
    "zero_crossing_rate_var harmony_mean harmony_var perceptr_mean perceptr_var tempo").split() + [
    f"mfcc{i}_{s}" for i in range(1, 21) for s in ("mean", "var")]


def test_names_are_the_kaggle_columns_in_order():
    assert FEATURE_NAMES == KAGGLE_COLUMNS
    assert len(FEATURE_NAMES) == 57


def test_separation_equals_librosa_hpss_bit_for_bit(tone):
    noise = np.random.default_rng(1).normal(scale=0.1, size=5 * SR).astype(np.float32)
    for y in (tone, noise):
        for ours, theirs in zip(separate(y), librosa.effects.hpss(y)):
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


def test_clip_features_equal_direct_librosa_calls(tmp_path, tone):
    path = tmp_path / "clip.wav"
    write_wav(path, tone, SR)
    clip, _ = extract(path, SR, 3.0)
    expected = kaggle_recipe(librosa.load(path, sr=SR)[0], SR)
    for name in FEATURE_NAMES:
        assert clip[name] == pytest.approx(expected[name], rel=1e-5, abs=1e-9), name


def test_chunk_features_equal_direct_calls_on_the_chunk(tmp_path, tone):
    path = tmp_path / "clip.wav"
    write_wav(path, tone, SR)
    _, chunks = extract(path, SR, 3.0)
    assert [c["chunk"] for c in chunks] == [0, 1]  # 7 s: two full 3 s chunks, the remainder dropped
    y = librosa.load(path, sr=SR)[0]
    expected = kaggle_recipe(y[3 * SR:6 * SR], SR)
    for name in FEATURE_NAMES:
        if name.startswith(("harmony", "perceptr")):
            # sliced from the clip's single harmonic/percussive separation: edge effects only
            assert chunks[1][name] == pytest.approx(expected[name], rel=0.05, abs=1e-4), name
        else:
            assert chunks[1][name] == pytest.approx(expected[name], rel=1e-5, abs=1e-9), name


def test_resamples_and_downmixes_like_librosa_load(tmp_path, tone):
    import soundfile as sf

    stereo = np.stack([tone, 0.5 * tone], axis=1)
    path = tmp_path / "stereo44k.wav"
    sf.write(path, librosa.resample(stereo.T, orig_sr=SR, target_sr=44100).T, 44100)
    clip, _ = extract(path, SR, 3.0)
    assert clip == pytest.approx(kaggle_recipe(librosa.load(path, sr=SR)[0], SR), rel=1e-5, abs=1e-9)


def test_clip_shorter_than_a_chunk_is_padded_with_a_warning(tmp_path, tone):
    path = tmp_path / "short.wav"
    write_wav(path, tone[: SR], SR)
    with pytest.warns(UserWarning, match="shorter than one 3.0 s chunk"):
        _, chunks = extract(path, SR, 3.0)
    assert len(chunks) == 1


def test_undecodable_file_is_a_clear_error_naming_it(tmp_path):
    from musicgenre.errors import MusicgenreError

    path = tmp_path / "broken clip.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(MusicgenreError, match=r"broken clip\.wav: cannot decode the audio.*Replace the file"):
        extract(path, SR, 3.0)


def test_shared_steps_equal_librosa_bit_for_bit(tone):
    """describe() replaces some librosa calls with equal ones that share work; each is compared here."""
    from musicgenre.dsp.features import centroid_and_bandwidth, chroma, estimate_tuning, zero_crossing_rate

    noise = np.random.default_rng(2).normal(scale=0.1, size=3 * SR).astype(np.float32)
    noise[:SR // 2] = 0  # silence, exact zeros, and values within librosa's 1e-10 zero threshold
    noise[SR: SR + 100] = 1e-11
    for y in (tone, noise):
        magnitude = np.abs(librosa.stft(y))
        power = magnitude**2
        assert np.array_equal(zero_crossing_rate(y), librosa.feature.zero_crossing_rate(y))
        centroid, bandwidth = centroid_and_bandwidth(magnitude, SR)
        assert np.array_equal(centroid, librosa.feature.spectral_centroid(S=magnitude, sr=SR))
        assert np.array_equal(bandwidth, librosa.feature.spectral_bandwidth(S=magnitude, sr=SR))
        assert estimate_tuning(power, SR) == librosa.estimate_tuning(S=power, sr=SR)
        # the filter bank by BLAS instead of einsum: the same sums, in another order
        np.testing.assert_allclose(chroma(power, SR), librosa.feature.chroma_stft(S=power, sr=SR), rtol=1e-5, atol=1e-7)
