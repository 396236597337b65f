"""Pretrained music embeddings: musicnn (Pons & Serra 2019), trained on the Million Song Dataset
(``MSD_musicnn``) or MagnaTagATune (``MTT_musicnn``).

These networks have seen far more music than GTZAN's thousand clips, which is what the original
study lacked. Their checkpoints ship inside the ``musicnn`` wheel (ISC licence), so they load with
no network. The package's own ``extractor()`` rebuilds the TensorFlow graph on every file; here
the graph is built once per process and fed every chunk of every clip, and worker processes
share the work (one TensorFlow thread each: on this model two processes beat two threads).

Each chunk is cut exactly like the descriptor and mel chunks (same sample rate, same grid), then
resampled to 16 kHz and turned into musicnn's input: 96 mel bands, ``log10(10000 x + 1)``.
"""

import functools
import warnings
from pathlib import Path

import numpy as np

from ..audio import load_chunked
from ..errors import MusicgenreError

#: Outputs of the musicnn graph (``musicnn.models.build_musicnn``) and their position in its return tuple.
LAYERS = {"taggram": 0, "mean_pool": 6, "max_pool": 7, "penultimate": 8}
SAMPLE_RATE, N_FFT, HOP, N_MELS = 16000, 512, 256, 96
BATCH = 32
INSTALL = "pip install --no-deps musicnn==0.1.0 (make install does it)"


def package():
    """The installed musicnn package and its version, or a clear error."""
    try:
        import musicnn
    except ImportError:
        raise MusicgenreError(f"the musicnn package is not installed: {INSTALL}") from None
    from importlib.metadata import version

    return musicnn, version("musicnn")


def frames(chunk_seconds):
    """Spectrogram frames musicnn sees per chunk (187 for 3 s, the length it was trained on)."""
    import librosa

    return int(librosa.time_to_frames(chunk_seconds, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP)) + 1


def musicnn_input(chunk, sample_rate, n_frames):
    """musicnn's input for one chunk: ``(n_frames, 96)`` log-compressed mel magnitudes at 16 kHz."""
    import librosa

    y = librosa.resample(np.asarray(chunk, dtype=np.float32), orig_sr=sample_rate, target_sr=SAMPLE_RATE)
    mel = librosa.feature.melspectrogram(y=y, sr=SAMPLE_RATE, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
    # float32: musicnn's own code computes this in float16 under NumPy 2, which overflows to inf
    return np.log10(10000 * mel[:n_frames].astype(np.float32) + 1)


class Embedder:
    """The musicnn graph, built and restored once, mapping input patches to one layer's activations."""

    def __init__(self, model, layer, n_frames, threads=1):
        from ..runtime import legacy_keras_ready

        musicnn, _ = package()
        tf = legacy_keras_ready()
        import musicnn.models

        config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
        built = tf.Graph()
        with built.as_default(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # musicnn's TF1 layers (and freezing) warn of their deprecation
            x = tf.compat.v1.placeholder(tf.float32, [None, n_frames, N_MELS], name="patches")
            with tf.name_scope("model"):
                # is_training a constant, not musicnn's placeholder: the training branches go away
                outputs = musicnn.models.define_model(x, False, model, 50)
            output = tf.identity(tf.nn.sigmoid(outputs[0]) if layer == "taggram" else outputs[LAYERS[layer]],
                                 name="embedding")
            with tf.compat.v1.Session(graph=built, config=config) as session:
                tf.compat.v1.train.Saver().restore(session, f"{Path(musicnn.__file__).parent / model}/")
                # the weights as constants: TensorFlow folds the batch norms into the convolutions.
                # 1.6x faster in all (0.30 against 0.48 s per 30 s clip); the same values up to
                # float32 rounding (1e-4 on activations of about 3), and the test against musicnn's
                # own extractor still holds
                frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
                    session, built.as_graph_def(), [output.op.name])
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.compat.v1.import_graph_def(frozen, name="")
        self.x = self.graph.get_tensor_by_name("patches:0")
        self.output = self.graph.get_tensor_by_name("embedding:0")
        self.session = tf.compat.v1.Session(graph=self.graph, config=config)
        self.n_frames = n_frames

    def __call__(self, patches):
        patches = np.asarray(patches, dtype=np.float32)
        parts = [self.session.run(self.output, {self.x: patches[i:i + BATCH]})
                 for i in range(0, len(patches), BATCH)]
        return np.concatenate(parts).astype(np.float32)


@functools.lru_cache(maxsize=2)
def embedder(model, layer, chunk_seconds, threads=1):
    """One :class:`Embedder` per process and configuration (building one costs seconds)."""
    return Embedder(model, layer, frames(chunk_seconds), threads)


def embed_chunks(chunks, sample_rate, chunk_seconds, model, layer):
    """Embeddings ``(n, dim)`` of equal-length audio chunks at ``sample_rate``."""
    n_frames = frames(chunk_seconds)
    patches = np.stack([musicnn_input(c, sample_rate, n_frames) for c in chunks])
    return embedder(model, layer, chunk_seconds)(patches)


def clip_embeddings(path, sample_rate, chunk_seconds, model, layer):
    """Embeddings of every chunk of one file, on the chunk grid of :func:`musicgenre.audio.load_chunked`."""
    y, parts = load_chunked(path, sample_rate, chunk_seconds)
    return embed_chunks([y[p] for p in parts], sample_rate, chunk_seconds, model, layer)  # predict's call too


def column_names(dim):
    return [f"e{i:03d}" for i in range(dim)]
