"""Audio decoding shared by every stage.

One place decides what "readable" means, so the manifest, the features and (later) ``predict``
agree on which files are usable.
"""

import warnings

import numpy as np
import soundfile as sf

from .errors import MusicgenreError
from .files import atomic_write

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
    except Exception as err:  # decoders raise many types for corrupt input; all mean "cannot decode"
        if _not_finite(path):  # librosa refuses such a buffer; say what is wrong with it
            raise MusicgenreError("the audio contains NaN or infinite samples") from None
        reason = str(err).strip() or "no decoder here recognises the format"
        raise MusicgenreError(f"cannot decode the audio ({reason})") from None
    if y.size == 0:
        raise MusicgenreError("the file holds no audio samples")
    if not np.isfinite(y).all():
        raise MusicgenreError("the audio contains NaN or infinite samples")
    return y


def _not_finite(path):
    """Whether soundfile decodes ``path`` into samples that are not all finite."""
    try:
        return not np.isfinite(sf.read(str(path), dtype="float32")[0]).all()
    except Exception:  # not decodable by soundfile at all: another problem
        return False


def cut_chunks(y, sample_rate, chunk_seconds):
    """``(y, slices, padded)``: the one chunk grid of every representation, on decoded audio.

    Chunks are consecutive, non-overlapping ``chunk_seconds`` windows; a remainder shorter than a
    chunk is not a chunk (as in the Kaggle 3 s CSV), and a clip shorter than one chunk is
    zero-padded to one (``padded``), so that it still gets a prediction. So row ``(file, chunk)``
    of every chunk table describes the same seconds of audio, in the stages and in ``predict``.
    """
    chunk_len = int(round(chunk_seconds * sample_rate))
    padded = len(y) < chunk_len
    if padded:
        y = np.pad(y, (0, chunk_len - len(y)))
    return y, [slice(i * chunk_len, (i + 1) * chunk_len) for i in range(len(y) // chunk_len)], padded


def load_chunked(path, sample_rate, chunk_seconds):
    """``(y, slices)``: the clip at ``sample_rate`` (:func:`load`) on its chunk grid
    (:func:`cut_chunks`), with a warning when it was padded to one chunk."""
    y, parts, padded = cut_chunks(load(path, sample_rate), sample_rate, chunk_seconds)
    if padded:
        warnings.warn(f"{path} is shorter than one {chunk_seconds} s chunk: zero-padded to one chunk", stacklevel=2)
    return y, parts


def write_wav(path, y, sample_rate):
    """Write mono float audio as 16-bit PCM WAV, the format of GTZAN's Kaggle copy (whole or not at all)."""
    with atomic_write(path) as temporary:
        sf.write(str(temporary), np.clip(y, -1.0, 1.0), sample_rate, subtype="PCM_16")
