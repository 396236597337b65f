"""Embeddings from any module of the HEAR 2021 API (https://hearbenchmark.com/hear-api.html), per chunk.

A HEAR module has ``load_model(model_file_path)``, returning a model with ``sample_rate``,
``scene_embedding_size`` and ``timestamp_embedding_size``, and two functions of a batch of audio
``(n_sounds, n_samples)`` at that rate: ``get_scene_embeddings(audio, model)``, one vector per
sound, and ``get_timestamp_embeddings(audio, model)``, vectors at regular times through each sound
with those times. PaSST, OpenL3, BYOL-A, EfficientAT, wav2vec2 wrappers and the HEAR baselines
speak it, which is how the HEAR benchmark compares them.

Here the sounds are the chunks of the project's one chunk grid (:func:`musicgenre.audio.cut_chunks`),
resampled to the model's rate: ``scene`` embeds each chunk as one sound; ``timestamp`` averages the
vectors the module gives at its times within each chunk. So a row of this table describes the same
seconds as a row of the descriptors, and ``predict`` computes a file's rows by the same function.
The model is loaded once per process. Audio goes in as the module's framework takes it (a PyTorch
tensor for a ``torch.nn.Module`` model, a TensorFlow tensor for a TensorFlow or Keras one, NumPy
otherwise), and its embeddings come back as NumPy.
"""

import functools
import importlib
import importlib.metadata

import numpy as np

from ..audio import load_chunked
from ..errors import MusicgenreError

#: What a module of the HEAR API has, and what its model has.
FUNCTIONS = ("load_model", "get_scene_embeddings", "get_timestamp_embeddings")
ATTRIBUTES = ("sample_rate", "scene_embedding_size", "timestamp_embedding_size")
EMBEDDINGS = ("timestamp", "scene")
API = "https://hearbenchmark.com/hear-api.html"


def hear_module(module):
    """The HEAR module ``module`` (a dotted import path), imported and checked to have the API's functions."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as err:
        package = (err.name or module).split(".")[0]
        raise MusicgenreError(f"the HEAR module {module} cannot be imported: {err}. Install its package "
                              f"(pip install {package}, or the name its documentation gives) into this "
                              "environment, or correct the module's name under hear: in params.yaml") from None
    missing = [name for name in FUNCTIONS if not callable(getattr(found, name, None))]
    if missing:
        raise MusicgenreError(f"{module} is not a module of the HEAR 2021 API: it has no {', '.join(missing)}. "
                              f"Name the module that defines {', '.join(FUNCTIONS)} ({API})")
    return found


def package_version(module):
    """``"<distribution> <version>"`` of the installed package holding ``module``, or its name alone."""
    top = module.split(".")[0]
    for distribution in importlib.metadata.packages_distributions().get(top, []):
        return f"{distribution} {importlib.metadata.version(distribution)}"
    return top


@functools.lru_cache(maxsize=2)
def loaded(module, model_file_path):
    """``(module, model)``: the HEAR module and its model, loaded once per process."""
    api = hear_module(module)
    try:
        model = api.load_model(model_file_path) if model_file_path else api.load_model()
    except Exception as err:  # noqa: BLE001 - whatever the user's module raises, named with the fix
        if model_file_path:
            fix = f"check that {model_file_path} is the weights file {module} expects"
        else:
            fix = ("if it downloads its weights when loaded, this machine may have no network: download them "
                   "where there is one and give the file as model_file_path in this representation's section")
        raise MusicgenreError(f"{module}.load_model({model_file_path!r}) failed ({type(err).__name__}: {err}); "
                              f"{fix}") from None
    missing = [name for name in ATTRIBUTES if not hasattr(model, name)]
    if missing:
        raise MusicgenreError(f"{module}.load_model() returned a model without {', '.join(missing)}, which the "
                              f"HEAR API requires ({API})")
    return api, model


def _framework_input(model, audio):
    """``audio`` (NumPy) as the model's framework takes it."""
    frameworks = {kind.__module__.split(".")[0] for kind in type(model).__mro__}
    if "torch" in frameworks:
        import torch

        return torch.from_numpy(audio)
    if frameworks & {"tensorflow", "keras", "tf_keras"}:
        import tensorflow as tf

        return tf.convert_to_tensor(audio)
    return audio


def _array(value):
    """An embedding the module returned (NumPy, or a PyTorch or TensorFlow tensor) as float32 NumPy."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float32)


def embed_chunks(chunks, sample_rate, module, model_file_path, embedding):
    """Embeddings ``(n, dim)`` of equal-length audio chunks at ``sample_rate``: each chunk's
    ``scene`` embedding, or the mean of its ``timestamp`` embeddings."""
    import librosa

    api, model = loaded(module, model_file_path)
    rate = int(model.sample_rate)
    audio = np.stack([np.asarray(chunk, dtype=np.float32) if rate == sample_rate else
                      librosa.resample(np.asarray(chunk, dtype=np.float32), orig_sr=sample_rate, target_sr=rate)
                      for chunk in chunks]).astype(np.float32)
    if embedding == "scene":
        values, size = _array(api.get_scene_embeddings(_framework_input(model, audio), model)), model.scene_embedding_size
    else:
        frames, _ = api.get_timestamp_embeddings(_framework_input(model, audio), model)
        frames, size = _array(frames), model.timestamp_embedding_size
        if frames.ndim != 3 or frames.shape[:1] != (len(chunks),) or frames.shape[1] == 0:
            raise MusicgenreError(f"{module}.get_timestamp_embeddings gave shape {frames.shape} for {len(chunks)} "
                                  f"sounds; the HEAR API gives (n_sounds, n_timestamps, {size})")
        values = frames.mean(axis=1)
    if values.shape != (len(chunks), int(size)):
        raise MusicgenreError(f"{module} gave {embedding} embeddings of shape {values.shape} for {len(chunks)} "
                              f"sounds, but its model says {embedding}_embedding_size {size}")
    if not np.isfinite(values).all():
        raise MusicgenreError(f"{module} gave {embedding} embeddings that are not finite (NaN or infinite)")
    return values


def clip_embeddings(path, sample_rate, chunk_seconds, module, model_file_path, embedding):
    """Embeddings of every chunk of one file, on the chunk grid of :func:`musicgenre.audio.load_chunked`."""
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    return embed_chunks([y[p] for p in parts], sample_rate, module, model_file_path, embedding)  # predict's call too


def column_names(dim):
    return [f"h{i:04d}" for i in range(dim)]
