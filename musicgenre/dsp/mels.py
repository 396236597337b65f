"""Log-mel spectrograms per chunk, the input of the deep families, and a picture per clip.

Chunks are cut exactly like the descriptor chunks (consecutive ``chunk_seconds`` windows, a
shorter remainder dropped, a clip shorter than one chunk zero-padded), so a row of the mel array
and a row of ``chunks.parquet`` describe the same three seconds. Values are decibels of power
(``librosa.power_to_db`` with ``ref=1``), stored as float16: a tenth of a dB of precision, half the
bytes of float32.
"""

import io
from functools import lru_cache

import numpy as np

from ..audio import load_chunked

#: The Kaggle ``images_original`` PNGs are 432 x 288 pixels.
IMAGE_SIZE = (432, 288)


def log_mel(y, sample_rate, n_mels, n_fft, hop_length, fmax):
    """``power_to_db(melspectrogram(y))`` with the given settings, shape ``(n_mels, frames)``.

    The filter bank is built once per setting and applied by BLAS; ``melspectrogram`` builds it on
    every call and applies it with ``einsum`` (the same sums, in another order; 1.36x in all in
    ``benchmarks/mels.py``).
    """
    import librosa

    power = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length)) ** 2
    return librosa.power_to_db(mel_filters(sample_rate, n_fft, n_mels, fmax) @ power, ref=1.0)


@lru_cache(maxsize=8)
def mel_filters(sample_rate, n_fft=2048, n_mels=128, fmax=None):
    """``librosa.filters.mel`` for these settings, built once (a pure function of them)."""
    import librosa

    return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmax=fmax)


def clip_mels(path, sample_rate, chunk_seconds, n_mels, n_fft, hop_length, fmax):
    """Log-mels of one file: ``(chunks, whole)`` with ``chunks`` of shape ``(n, n_mels, frames)``
    (float16) and ``whole`` the clip's own spectrogram (float32, for its picture)."""
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    return chunk_mels(y, parts, sample_rate, n_mels, n_fft, hop_length, fmax), log_mel(
        y, sample_rate, n_mels, n_fft, hop_length, fmax)


def chunk_mels(y, parts, sample_rate, n_mels, n_fft, hop_length, fmax):
    """The chunks' log-mels as stored, float16 ``(len(parts), n_mels, frames)``: the stage's rows and
    ``predict``'s model input, by this one function (so both carry float16's rounding)."""
    return np.stack([log_mel(y[p], sample_rate, n_mels, n_fft, hop_length, fmax) for p in parts]).astype(np.float16)


def picture_png(spectrogram):
    """The bytes of a 432 x 288 PNG of a spectrogram, no axes, low frequencies at the bottom, in
    magma colours scaled to its own range (as ``imshow`` draws it). Bytes, not a file, so that a
    worker on another machine can make it and the stage writes it where DVC expects it.

    Drawn straight from the array: resampled to the picture's size (Pillow's bilinear filter,
    which averages when it shrinks), then coloured. A matplotlib figure per clip took 0.3 s, three
    times the spectrograms' own cost; the picture is for people to look at, no model reads it.
    """
    from matplotlib import colormaps
    from PIL import Image

    width, height = IMAGE_SIZE
    values = np.asarray(spectrogram, dtype=np.float32)[::-1]  # row 0 is the top of a picture
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    resized = np.asarray(Image.fromarray(np.ascontiguousarray(scaled)).resize((width, height), Image.BILINEAR))
    colours = colormaps["magma"](np.clip(resized, 0.0, 1.0), bytes=True)[..., :3]
    out = io.BytesIO()
    Image.fromarray(colours, ).save(out, format="PNG", compress_level=1)  # zlib level 1: 2x faster
    return out.getvalue()
