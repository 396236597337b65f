"""A small module of the HEAR 2021 API (https://hearbenchmark.com/hear-api.html), in NumPy, as the
tests' own embedding: log magnitude spectra of 64 ms frames every 32 ms at 16 kHz, randomly
projected to 32 dimensions (in the manner of the HEAR "naive" baseline), deterministic. It
implements the whole API: ``load_model`` (from a ``.npy`` projection when given a file),
``get_timestamp_embeddings`` with their times, and ``get_scene_embeddings``."""

import numpy as np

FRAME, HOP, SIZE = 1024, 512, 32


class ToyModel:
    """The model the API's functions take: its attributes are the ones the API requires."""

    sample_rate = 16000
    scene_embedding_size = SIZE
    timestamp_embedding_size = SIZE

    def __init__(self, projection):
        self.projection = np.asarray(projection, dtype=np.float32)


def load_model(model_file_path=""):
    """The model: the projection saved at ``model_file_path``, or a fixed random one."""
    if model_file_path:
        return ToyModel(np.load(model_file_path))
    return ToyModel(np.random.default_rng(0).normal(size=(FRAME // 2 + 1, SIZE)) / np.sqrt(FRAME // 2 + 1))


def get_timestamp_embeddings(audio, model):
    """``(embeddings (n_sounds, n_frames, 32), timestamps (n_sounds, n_frames) in ms, frame centres)``."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 2:
        raise ValueError("audio must be (n_sounds, n_samples)")
    if audio.shape[1] < FRAME:
        audio = np.pad(audio, ((0, 0), (0, FRAME - audio.shape[1])))
    starts = HOP * np.arange(1 + (audio.shape[1] - FRAME) // HOP)
    frames = audio[:, starts[:, None] + np.arange(FRAME)] * np.hanning(FRAME).astype(np.float32)
    spectra = np.log1p(np.abs(np.fft.rfft(frames, axis=-1))).astype(np.float32)
    timestamps = np.broadcast_to((starts + FRAME / 2) / model.sample_rate * 1000.0, (len(audio), len(starts)))
    return spectra @ model.projection, timestamps


def get_scene_embeddings(audio, model):
    """``(n_sounds, 32)``: the mean of each sound's timestamp embeddings."""
    embeddings, _ = get_timestamp_embeddings(audio, model)
    return embeddings.mean(axis=1)
