"""Audio decoding shared by every stage.

One place decides what "readable" means, so the manifest, the features and (later) ``predict``
agree on which files are usable.
"""

import warnings

import numpy as np
import soundfile as sf

from .errors import MusicgenreError

#: What is taken for audio by extension (case-insensitive), in a folder to ``predict`` or a collection to import.
AUDIO_EXTENSIONS = (".wav", ".au", ".snd", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".opus", ".m4a")


def probe(path):
    """Describe an audio file without trusting it.

    Returns ``duration_s``, ``sample_rate``, ``channels`` and ``readable``. A file is readable when
    it decodes completely into at least one finite sample; anything else (corrupt header,
    truncated data, NaN samples, not audio at all) gives ``readable=False`` and zeros, never an
    exception: the Kaggle copy of GTZAN ships one such file (``jazz.00054.wav``).
    """
    try:
        data, sample_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception:  # soundfile raises several types for corrupt input; all mean "unreadable"
        return {"duration_s": 0.0, "sample_rate": 0, "channels": 0, "readable": False}
    readable = data.shape[0] > 0 and bool(np.isfinite(data).all())
    return {
        "duration_s": round(data.shape[0] / sample_rate, 4) if readable else 0.0,
        "sample_rate": int(sample_rate) if readable else 0,
        "channels": int(data.shape[1]) if readable else 0,
        "readable": readable,
    }


def load(path, sample_rate):
    """Decode ``path`` to mono float32 at ``sample_rate`` (down-mixing and resampling as needed).

    This is ``librosa.load(path, sr=sample_rate)``, the call behind the Kaggle feature CSVs, with
    a clear error naming the file when it cannot be decoded.
    """
    try:
        return decode(path, sample_rate)
    except MusicgenreError as err:
        raise MusicgenreError(f"{path}: {err}. Replace the file or remove it from the dataset") from None


def decode(path, sample_rate):
    """:func:`load` without the file name in its error (for callers that report the name themselves)."""
    import librosa  # deferred: importing librosa costs ~1 s, stages that only probe don't pay it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # audioread fallback warnings; failure raises below
            y, _ = librosa.load(str(path), sr=sample_rate, mono=True)
    except Exception as err:
        reason = str(err).strip() or "no decoder here recognises the format"
        raise MusicgenreError(f"cannot decode the audio ({reason})") from None
    if y.size == 0:
        raise MusicgenreError("the file holds no audio samples")
    if not np.isfinite(y).all():
        raise MusicgenreError("the audio contains NaN or infinite samples")
    return y


def pad_to_one_chunk(y, chunk_len, sample_rate, name):
    """``y`` unchanged, or zero-padded to ``chunk_len`` samples (with a warning) when shorter.

    Every consumer cuts consecutive whole chunks and drops a shorter remainder; padding a clip
    shorter than one chunk is what still gives it one chunk, in features, mels and predict alike.
    """
    if len(y) >= chunk_len:
        return y
    warnings.warn(f"{name} is {len(y) / sample_rate:.2f} s, shorter than one "
                  f"{chunk_len / sample_rate} s chunk: zero-padded to one chunk", stacklevel=2)
    return np.pad(y, (0, chunk_len - len(y)))


def load_chunked(path, sample_rate, chunk_seconds):
    """``(y, slices)``: the clip at ``sample_rate`` and the slices of its consecutive whole chunks.

    The one chunk grid of features, mels and embeddings: a remainder shorter than a chunk is not
    a chunk (as in the Kaggle 3 s CSV), and a clip shorter than one chunk is zero-padded to one.
    So row ``(file, chunk)`` of every chunk table describes the same seconds of audio.
    """
    chunk_len = int(round(chunk_seconds * sample_rate))
    y = pad_to_one_chunk(load(path, sample_rate), chunk_len, sample_rate, path)
    return y, [slice(i * chunk_len, (i + 1) * chunk_len) for i in range(len(y) // chunk_len)]


def write_wav(path, y, sample_rate):
    """Write mono float audio as 16-bit PCM WAV, the format of GTZAN's Kaggle copy."""
    sf.write(str(path), np.clip(y, -1.0, 1.0), sample_rate, subtype="PCM_16")
