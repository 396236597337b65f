"""Importing TensorFlow the one way every deep family needs it.

Two families share one process in tests and in ``predict``: the Keras 3 models (cnn, transfer)
and musicnn, whose TF1 graph code (``tf.compat.v1.layers``) needs the legacy Keras 2 package
behind ``tf.keras``. ``TF_USE_LEGACY_KERAS=1`` gives both at once: ``tf.keras`` is tf-keras 2,
``import keras`` stays Keras 3. It only works when set before TensorFlow is first imported, so
every import of TensorFlow in this package goes through :func:`tensorflow`.
"""

import os

from .errors import MusicgenreError


def tensorflow(threads=None, seed=None):
    """Import TensorFlow (quietly, CPU threads capped at ``threads``) and seed Python, NumPy and TF.

    Thread counts can only be set before TensorFlow runs its first operation; a later call with
    other counts keeps the first ones.
    """
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # not even the spurious "cuInit failed" of CPU-only machines
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            pass  # TensorFlow already initialised its thread pools in this process
    if seed is not None:
        import keras

        keras.utils.set_random_seed(seed)
    return tf


def legacy_keras_ready():
    """Raise a clear error when ``tf.keras`` is Keras 3 (TensorFlow imported before :func:`tensorflow`)."""
    tf = tensorflow()
    try:
        import tf_keras  # noqa: F401
    except ImportError:
        raise MusicgenreError("musicnn needs the tf-keras package: pip install --no-deps 'tf-keras==2.21.*' "
                              "(make install does it)") from None
    if not tf.keras.__name__.startswith("tf_keras"):
        raise MusicgenreError("TensorFlow was imported before TF_USE_LEGACY_KERAS=1 was set, so musicnn cannot "
                              "build its graph; set TF_USE_LEGACY_KERAS=1 in the environment")
    return tf
