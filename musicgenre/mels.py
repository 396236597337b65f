"""Log-mel spectrograms per chunk, the input of the deep families, and a picture per clip.

Chunks are cut exactly like the descriptor chunks (consecutive ``chunk_seconds`` windows, a
shorter remainder dropped, a clip shorter than one chunk zero-padded), so a row of the mel array
and a row of ``chunks.parquet`` describe the same three seconds. Values are decibels of power
(``librosa.power_to_db`` with ``ref=1``), stored as float16: a tenth of a dB of precision, half the
bytes of float32.
"""

import numpy as np

from .audio import load_chunked

#: The Kaggle ``images_original`` PNGs are 432 x 288 pixels.
IMAGE_SIZE = (432, 288)


def log_mel(y, sample_rate, n_mels, n_fft, hop_length, fmax):
    """``power_to_db(melspectrogram(y))`` with the given settings, shape ``(n_mels, frames)``."""
    import librosa

    power = librosa.feature.melspectrogram(y=y, sr=sample_rate, n_fft=n_fft, hop_length=hop_length,
                                           n_mels=n_mels, fmax=fmax)
    return librosa.power_to_db(power, ref=1.0)


def clip_mels(path, sample_rate, chunk_seconds, n_mels, n_fft, hop_length, fmax):
    """Log-mels of one file: ``(chunks, whole)`` with ``chunks`` of shape ``(n, n_mels, frames)``
    (float16) and ``whole`` the clip's own spectrogram (float32, for its picture)."""
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    chunks = np.stack([log_mel(y[p], sample_rate, n_mels, n_fft, hop_length, fmax) for p in parts]).astype(np.float16)
    return chunks, log_mel(y, sample_rate, n_mels, n_fft, hop_length, fmax)


def save_image(spectrogram, path):
    """A 432 x 288 PNG of a spectrogram, no axes, low frequencies at the bottom."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width, height = IMAGE_SIZE
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(spectrogram, origin="lower", aspect="auto", cmap="magma")
    ax.axis("off")
    fig.savefig(path, dpi=100)
    plt.close(fig)
