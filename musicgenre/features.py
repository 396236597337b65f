"""The 57 descriptors of the Kaggle GTZAN CSVs, per chunk and per clip.

Recipe of ``features_3_sec.csv``/``features_30_sec.csv``: librosa defaults on 22050 Hz mono audio
(n_fft 2048, hop 512), the mean and variance over frames of each feature, plus the beat-tracker
tempo. Same values, less work:

* one STFT per segment feeds chroma, centroid, bandwidth, roll-off, the mel spectrogram, the
  MFCCs and the onset envelope of the tempo (librosa would recompute it for each call);
* the harmonic/percussive separation behind ``harmony``/``perceptr`` runs once per clip; a chunk's
  harmonic/percussive signals are slices of the clip's. That is the only value that differs from
  running the recipe on a chunk alone (by the separation's edge effects; every other chunk feature
  is identical);
* the separation's two median filters, most of the recipe's time, run as 1-D filters along each
  row (or column) of the spectrogram: the same medians, bit for bit, as the 2-D call
  ``librosa.effects.hpss`` makes, which scipy runs on a slow general path (see :func:`separate`).
"""

import numpy as np

from .audio import load_chunked

SPECTRAL = ["chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
            "zero_crossing_rate", "harmony", "perceptr"]
#: Column names and order of the Kaggle CSVs (without filename, length and label).
FEATURE_NAMES = (
    [f"{name}_{stat}" for name in SPECTRAL for stat in ("mean", "var")]
    + ["tempo"]
    + [f"mfcc{i}_{stat}" for i in range(1, 21) for stat in ("mean", "var")]
)


def describe(y, sr, harmonic, percussive):
    """The 57 descriptors of one segment ``y``, given its harmonic/percussive parts."""
    import librosa

    stft = np.abs(librosa.stft(y))
    power = stft**2
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    onset = librosa.onset.onset_strength(S=mel_db, sr=sr, aggregate=np.median)  # as beat_track does
    tempo, _ = librosa.beat.beat_track(onset_envelope=onset, sr=sr)
    series = {
        "chroma_stft": librosa.feature.chroma_stft(S=power, sr=sr),
        "rms": librosa.feature.rms(y=y),
        "spectral_centroid": librosa.feature.spectral_centroid(S=stft, sr=sr),
        "spectral_bandwidth": librosa.feature.spectral_bandwidth(S=stft, sr=sr),
        "rolloff": librosa.feature.spectral_rolloff(S=stft, sr=sr),
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(y),
        "harmony": harmonic,
        "perceptr": percussive,
    }
    return _summarise(series, tempo, librosa.feature.mfcc(S=mel_db, n_mfcc=20))


def extract(path, sample_rate, chunk_seconds):
    """Features of one audio file: ``(clip_row, [chunk_rows])``.

    Chunks are consecutive, non-overlapping ``chunk_seconds`` windows; a trailing remainder
    shorter than a chunk is not a chunk (as in the Kaggle 3 s CSV). A clip shorter than one chunk
    is zero-padded to one chunk, with a warning, so that it still gets a prediction.
    """
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    harmonic, percussive = separate(y)
    clip = describe(y, sample_rate, harmonic, percussive)
    chunks = []
    for index, part in enumerate(parts):
        row = describe(y[part], sample_rate, harmonic[part], percussive[part])
        chunks.append({"chunk": index, "start_s": index * chunk_seconds, **row})
    return clip, chunks


def separate(y, kernel=31):
    """``librosa.effects.hpss(y)`` (its defaults: kernel 31, power 2, margin 1), equal bit for bit.

    librosa takes the medians with ``scipy.ndimage.median_filter`` and a ``(1, 31)`` or ``(31, 1)``
    window on the whole spectrogram; scipy 1.17 runs that 2-D call on its general rank-filter
    path, while a 1-D call per row takes its fast 1-D path (5-7x faster) and gives the same numbers.
    """
    import librosa

    magnitude, phase = librosa.magphase(librosa.stft(y))
    harmonic = _median_rows(magnitude, kernel)  # along time
    percussive = _median_rows(np.ascontiguousarray(magnitude.T), kernel).T  # along frequency
    masks = (librosa.util.softmask(harmonic, percussive, power=2.0, split_zeros=True),
             librosa.util.softmask(percussive, harmonic, power=2.0, split_zeros=True))
    return tuple(librosa.istft(magnitude * mask * phase, dtype=y.dtype, length=len(y)) for mask in masks)


def _median_rows(matrix, size):
    from scipy.ndimage import median_filter

    out = np.empty_like(matrix)
    for i, row in enumerate(matrix):
        out[i] = median_filter(row, size=size, mode="reflect")
    return out


def kaggle_recipe(y, sr):
    """The reference: the Kaggle CSV recipe, one librosa call per feature, each on its own STFT.

    Slow on purpose (it is what :func:`describe` must equal, separation included); the tests
    compare against it and ``benchmarks/features.py`` measures the speed-up over it.
    """
    import librosa

    harmonic, percussive = librosa.effects.hpss(y)
    series = {
        "chroma_stft": librosa.feature.chroma_stft(y=y, sr=sr),
        "rms": librosa.feature.rms(y=y),
        "spectral_centroid": librosa.feature.spectral_centroid(y=y, sr=sr),
        "spectral_bandwidth": librosa.feature.spectral_bandwidth(y=y, sr=sr),
        "rolloff": librosa.feature.spectral_rolloff(y=y, sr=sr),
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(y),
        "harmony": harmonic,
        "perceptr": percussive,
    }
    tempo = librosa.beat.beat_track(y=y, sr=sr)[0]
    return _summarise(series, tempo, librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20))


def _summarise(series, tempo, mfcc):
    """Mean and variance over frames (the Kaggle columns), in the Kaggle order."""
    row = {f"{name}_{stat}": float(getattr(np, stat)(series[name])) for name in SPECTRAL for stat in ("mean", "var")}
    row["tempo"] = float(np.atleast_1d(tempo)[0])
    for i in range(20):
        row[f"mfcc{i + 1}_mean"], row[f"mfcc{i + 1}_var"] = float(np.mean(mfcc[i])), float(np.var(mfcc[i]))
    return row
