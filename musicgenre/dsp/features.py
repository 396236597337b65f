"""The 57 descriptors of the Kaggle GTZAN CSVs, per chunk and per clip.

Recipe of ``features_3_sec.csv``/``features_30_sec.csv``: librosa defaults on 22050 Hz mono audio
(n_fft 2048, hop 512), the mean and variance over frames of each feature, plus the beat-tracker
tempo. Same values, less work:

* one STFT per segment feeds chroma, centroid, bandwidth, roll-off, the mel spectrogram, the
  MFCCs and the onset envelope of the tempo (librosa would recompute it for each call);
* the harmonic/percussive separation behind ``harmony``/``perceptr`` runs once per clip (per
  minute of a longer file); a chunk's harmonic/percussive signals are slices of the clip's. That
  is the only value that differs from running the recipe on a chunk alone (by the separation's
  edge effects; every other chunk feature is identical). ``predict`` computes a file's chunks by
  the same function as the stage (:func:`describe_clip`), so it sees the same values;
* the separation's two median filters, most of the recipe's time, run as one 1-D filter over the
  spectrogram's padded rows (or columns): the same medians, bit for bit, as the 2-D call
  ``librosa.effects.hpss`` makes, which scipy runs on a slow general path (see :func:`separate`);
* other librosa calls are replaced by equal ones that skip repeated work (see :func:`describe`).
"""

import numpy as np

from ..audio import load_chunked
from .mels import mel_filters

SPECTRAL = ["chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
            "zero_crossing_rate", "harmony", "perceptr"]
#: Column names and order of the Kaggle CSVs (without filename, length and label).
FEATURE_NAMES = (
    [f"{name}_{stat}" for name in SPECTRAL for stat in ("mean", "var")]
    + ["tempo"]
    + [f"mfcc{i}_{stat}" for i in range(1, 21) for stat in ("mean", "var")]
)


def describe(y, sr, harmonic, percussive, magnitude=None):
    """The 57 descriptors of one segment ``y``, given its harmonic/percussive parts (and its STFT
    magnitude, ``abs(librosa.stft(y))``, when the caller has it).

    Each value is librosa's (``kaggle_recipe`` calls it), from one shared STFT. The filter banks
    are built once per sample rate and applied by BLAS (librosa rebuilds them on every call and
    applies them with ``einsum``: the same sums, in another order); the tempo is ``beat_track``'s
    estimate without the beat tracking that follows it; chroma's tuning estimate looks only at the
    bins its pitch tracker keeps (see :func:`estimate_tuning`).
    """
    import librosa

    stft = np.abs(librosa.stft(y)) if magnitude is None else magnitude
    power = stft**2
    mel_db = librosa.power_to_db(mel_filters(sr) @ power)  # melspectrogram(S=power, sr=sr)
    onset = librosa.onset.onset_strength(S=mel_db, sr=sr, aggregate=np.median)  # as beat_track does
    tempo = librosa.feature.tempo(onset_envelope=onset, sr=sr) if onset.any() else 0.0  # beat_track's first value
    centroid, bandwidth = centroid_and_bandwidth(stft, sr)
    series = {
        "chroma_stft": chroma(power, sr),
        "rms": librosa.feature.rms(y=y),
        "spectral_centroid": centroid,
        "spectral_bandwidth": bandwidth,
        "rolloff": librosa.feature.spectral_rolloff(S=stft, sr=sr),
        "zero_crossing_rate": zero_crossing_rate(y),
        "harmony": harmonic,
        "perceptr": percussive,
    }
    return _summarise(series, tempo, librosa.feature.mfcc(S=mel_db, n_mfcc=20))


def centroid_and_bandwidth(magnitude, sr, n_fft=2048):
    """``spectral_centroid(S=magnitude, sr=sr)`` and ``spectral_bandwidth(S=magnitude, sr=sr)``,
    with librosa's own expressions, from one column-normalised spectrogram (librosa normalises it
    three times: once for the centroid, and again for the bandwidth and the centroid it needs)."""
    import librosa

    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    weights = librosa.util.normalize(magnitude, norm=1, axis=-2)
    centroid = np.sum(freq[:, None] * weights, axis=-2, keepdims=True)
    deviation = np.abs(np.subtract.outer(centroid[..., 0, :], freq).swapaxes(-2, -1))
    return centroid, np.sum(weights * deviation**2.0, axis=-2, keepdims=True) ** (1.0 / 2.0)


def zero_crossing_rate(y, frame_length=2048, hop_length=512):
    """``librosa.feature.zero_crossing_rate(y)``, equal: crossings found once, counted per frame.

    librosa frames the edge-padded signal and tests every frame's samples (each sample four times);
    a frame's rate is its number of crossings over ``frame_length``, and one cumulative sum over
    the signal's crossings gives that number for every frame. A sample within 1e-10 of zero counts
    as zero, as in librosa.
    """
    padded = np.pad(y, frame_length // 2, mode="edge")
    negative = np.signbit(padded) & (np.abs(padded) > padded.dtype.type(1e-10))
    crossed = np.concatenate(([0], np.cumsum(negative[1:] != negative[:-1])))
    starts = np.arange(1 + (len(padded) - frame_length) // hop_length) * hop_length
    return ((crossed[starts + frame_length - 1] - crossed[starts]) / frame_length)[None, :]


def chroma(power, sr, n_fft=2048):
    """``librosa.feature.chroma_stft(S=power, sr=sr)``: tuning estimate, chroma filters, inf-norm."""
    import librosa

    filters = librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=estimate_tuning(power, sr, n_fft))
    return librosa.util.normalize(filters @ power, norm=np.inf, axis=-2)


def estimate_tuning(S, sr, n_fft=2048, fmin=150.0, fmax=4000.0, threshold=0.1):
    """``librosa.estimate_tuning(S=S, sr=sr)``, working only on the bins its ``piptrack`` keeps.

    piptrack interpolates every bin of the spectrogram and then keeps the local maxima between
    ``fmin`` and ``fmax`` (a third of the bins at 22050 Hz). Every step is a stencil over one bin
    and its two neighbours, so the kept bins plus one neighbour on each side give the same values;
    only the threshold looks at whole frames, and it still does.
    """
    import librosa
    from librosa.core.pitch import _parabolic_interpolation  # private: librosa is pinned, and a test pins it

    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    band = np.flatnonzero((fmin <= freqs) & (freqs < fmax))
    lo, hi = band[0], band[-1] + 1  # contiguous; both neighbours exist at 22050 Hz and above
    ext = S[lo - 1:hi + 1]
    avg = np.gradient(ext, axis=-2)[1:-1]
    shift = _parabolic_interpolation(ext, axis=-2)[1:-1]
    ref_value = threshold * np.max(S, axis=-2, keepdims=True)
    rows, cols = np.nonzero(librosa.util.localmax(ext * (ext > ref_value), axis=-2)[1:-1])
    pitch = ((rows + lo + shift[rows, cols]) * float(sr) / n_fft).astype(S.dtype)
    mag = (S[rows + lo, cols] + 0.5 * avg[rows, cols] * shift[rows, cols]).astype(S.dtype)
    found = pitch > 0
    cut = np.median(mag[found]) if found.any() else 0.0
    return librosa.pitch_tuning(pitch[(mag >= cut) & found], resolution=0.01, bins_per_octave=12)


def extract(path, sample_rate, chunk_seconds):
    """Features of one audio file: ``(clip_row, [chunk_rows])`` (the ``represent@features`` stage's work).

    Chunks are cut by :func:`musicgenre.audio.load_chunked`: consecutive ``chunk_seconds`` windows,
    a shorter remainder dropped, a clip shorter than one chunk zero-padded to one (with a warning).
    """
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    clip, chunks = describe_clip(y, parts, sample_rate)
    return clip, [{"chunk": index, "start_s": index * chunk_seconds, **row} for index, row in enumerate(chunks)]


def describe_clip(y, parts, sr, clip=True):
    """``(clip_row, [chunk_row per part])`` of a decoded clip ``y`` cut at ``parts``: what the stage
    stores and what ``predict`` computes for a file, by this one function (``clip=False`` skips the
    clip's own row, which no model reads, and gives ``None`` for it).

    A chunk's harmonic/percussive parts are slices of the clip's separation, so its
    ``harmony``/``perceptr`` columns see the audio around it. A clip longer than
    :data:`SEPARATION_CHUNKS` chunks is separated segment by segment (:func:`segments`), so that an
    hour-long file needs memory for its samples and one segment's work, not for an hour's spectrogram.
    """
    import librosa

    cut = segments(parts, len(y))
    whole = len(cut) == 1 and cut[0][0] == 0
    spectrum = librosa.stft(y) if whole or clip else None  # serves the separation and the clip's own row
    rows, harmonic, percussive = [], [], []
    for start, stop, inside in cut:
        h, p = separate(y[start:stop], spectrum if whole else None)
        for part in inside:
            local = slice(part.start - start, part.stop - start)  # the chunk within its segment
            rows.append(describe(y[part], sr, h[local], p[local]))
        if clip:
            harmonic.append(h)
            percussive.append(p)
    row = describe(y, sr, np.concatenate(harmonic), np.concatenate(percussive), np.abs(spectrum)) if clip else None
    return row, rows


#: The harmonic/percussive separation runs over at most this many chunks at once (60 s of 3 s
#: chunks): a whole GTZAN clip in one piece, and an hour-long file in bounded memory.
SEPARATION_CHUNKS = 20


def segments(parts, length):
    """``[(start, stop, parts inside)]``: the clip's separation segments, runs of consecutive
    chunks of at most :data:`SEPARATION_CHUNKS` each, cut on the chunk grid. A segment ends with its
    last chunk (where the next begins, unless ``parts`` were sampled from a long file:
    :func:`musicgenre.predict.spread`); the last one runs to the end of the clip (``length``)."""
    groups = []
    for part in parts:
        if groups and len(groups[-1]) < SEPARATION_CHUNKS and groups[-1][-1].stop == part.start:
            groups[-1].append(part)
        else:
            groups.append([part])
    stops = [group[-1].stop for group in groups[:-1]] + [length]
    return [(group[0].start, stop, group) for group, stop in zip(groups, stops, strict=True)]


def separate(y, spectrum=None, kernel=31):
    """``librosa.effects.hpss(y)`` (its defaults: kernel 31, power 2, margin 1), equal bit for bit.

    librosa takes the medians with ``scipy.ndimage.median_filter`` and a ``(1, 31)`` or ``(31, 1)``
    window on the whole spectrogram; scipy 1.17 runs that 2-D call on its general rank-filter
    path, while a 1-D call per row takes its fast 1-D path (5-7x faster) and gives the same numbers.
    """
    import librosa

    magnitude, phase = librosa.magphase(librosa.stft(y) if spectrum is None else spectrum)
    harmonic = _median_rows(magnitude, kernel)  # along time
    percussive = _median_rows(np.ascontiguousarray(magnitude.T), kernel).T  # along frequency
    masks = _softmasks(harmonic, percussive)
    return tuple(librosa.istft(magnitude * mask * phase, dtype=y.dtype, length=len(y)) for mask in masks)


def _softmasks(harmonic, percussive):
    """``librosa.util.softmask`` both ways (power 2, split_zeros), in one pass, bit for bit.

    Both masks share the scale ``Z = max(H, P)`` and the sum ``(H/Z)^2 + (P/Z)^2``; librosa
    computes each twice and divides through boolean indexing.
    """
    scale = np.maximum(harmonic, percussive)
    silent = scale < np.finfo(scale.dtype).tiny
    scale[silent] = 1
    h, p = (harmonic / scale) ** 2.0, (percussive / scale) ** 2.0
    total = h + p
    masks = tuple(np.divide(part, total, out=np.full_like(part, 0.5), where=~silent) for part in (h, p))
    return masks


def _median_rows(matrix, size):
    """``median_filter(row, size, mode="reflect")`` for every row, in one call.

    Each row gets scipy's reflected edges by hand (numpy's ``symmetric`` padding is scipy's
    ``reflect``); the padded rows, laid end to end, go through one 1-D filter, and each row's
    inner part is its own filtered row, since no window there reaches into a neighbour's padding.
    A median selects a value, so this is equal bit for bit (and saves a Python call per row).
    """
    from scipy.ndimage import median_filter

    half = size // 2
    padded = np.pad(matrix, ((0, 0), (half, half)), mode="symmetric")
    flat = median_filter(padded.ravel(), size=size, mode="reflect")
    return np.ascontiguousarray(flat.reshape(padded.shape)[:, half:padded.shape[1] - half])


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
        "zero_crossing_rate": zero_crossing_rate(y),
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
