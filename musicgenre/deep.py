"""The deep families on log-mel chunks: a CNN from scratch, transfer learning from ImageNet, and
networks of the user's own (a builder named in params.yaml, :func:`own_network`).

Both train on 3 s chunks with early stopping on an artist-disjoint validation fold of the training
set (fold 0 of ``split.csv``), log every epoch with dvclive, and end in a :class:`MelClassifier`:
a picklable object with ``classes_``, ``predict_proba(mels)`` and the vote's ``clip_proba``, so
evaluation and ``predict`` treat them like the scikit-learn families. Importing this module imports TensorFlow
(and registers the custom layers a pickled network needs).
"""

from typing import NamedTuple

import numpy as np

from .cliprules import VoteByChunk
from .errors import MusicgenreError
from .params import choice
from .runtime import tensorflow

tensorflow()  # before Keras: sets up the shared TensorFlow (see runtime)
import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

#: keras.applications backbones offered for transfer learning, with the module of their preprocess_input.
BACKBONES = {"MobileNetV2": "mobilenet_v2", "EfficientNetB0": "efficientnet",
             "InceptionResNetV2": "inception_resnet_v2", "ResNet50": "resnet50"}
MIN_IMAGE_SIZE = {"InceptionResNetV2": 75}


class MelClassifier(VoteByChunk):
    """A trained Keras network plus the per-band standardisation of its training mels; its clips
    are the soft vote of their chunks."""

    def __init__(self, network, classes, mean, std, batch_size=64):
        self.network, self.classes_ = network, np.asarray(classes)
        self.mean, self.std, self.batch_size = mean.astype(np.float32), std.astype(np.float32), batch_size

    def predict_proba(self, mels):
        """Genre probabilities for log-mel chunks of shape ``(n, n_mels, frames)``: an array, or rows read
        when sliced (:class:`musicgenre.streams.NpyRows`). A block of whole batches at a time, so memory
        stays one block's and every batch is the one a single call would make."""
        block = block_rows(mels.shape[1:], self.batch_size)
        parts = [self.network.predict(standardise(mels[start:start + block], self.mean, self.std),
                                      batch_size=self.batch_size, verbose=0) for start in range(0, len(mels), block)]
        return np.concatenate(parts or [np.empty((0, len(self.classes_)))]).astype(np.float64)


def block_rows(row_shape, multiple=1):
    """Rows of float32 chunks in :data:`musicgenre.streams.BATCH_BYTES`, a multiple of ``multiple``."""
    from .streams import BATCH_BYTES

    per_row = int(np.prod(row_shape)) * 4
    return max(1, BATCH_BYTES // per_row // multiple) * multiple


def standardise(mels, mean, std):
    return ((np.asarray(mels, dtype=np.float32) - mean) / std)[..., None]


def band_statistics(mels):
    """Mean and standard deviation per mel band over all training chunks and frames, read a block of
    chunks at a time. Each sum carries its running total into the next block as an extra first row,
    so the result is bit for bit NumPy's ``mean``/``std`` over the whole float32 array (which sums
    chunk after chunk), without ever holding it."""
    n, n_mels, frames = mels.shape
    block = block_rows(mels.shape[1:])
    count = np.intp(n * frames)  # NumPy divides by the count as an integer array: in float64, then cast

    def total(of_block):
        running = np.zeros(n_mels, np.float32)
        for start in range(0, n, block):
            carried = np.zeros((1, n_mels, frames), np.float32)
            carried[0, :, 0] = running
            running = np.add.reduce(np.concatenate([carried, of_block(mels[start:start + block])]), axis=(0, 2))
        return np.true_divide(running, count, out=running, casting="unsafe")

    mean = total(lambda x: np.asarray(x, dtype=np.float32))[:, None]
    variance = total(lambda x: np.square(np.asarray(x, dtype=np.float32) - mean))
    return mean, np.sqrt(variance)[:, None] + 1e-3


def batches(mels, labels, mean, std, batch_size, shuffle):
    """A ``tf.data`` pipeline of standardised ``(chunks, labels)`` batches, read from ``mels`` (an array or
    :class:`musicgenre.streams.NpyRows`) a batch at a time, so no epoch holds the rows as float32.

    Its order is Keras' own for arrays (``fit(x, y, shuffle=True)``): a permutation of the rows drawn
    each epoch by ``tf.random.shuffle`` under the seed, cut into batches, the last one partial; the
    code that draws it is Keras' (``ArrayDataAdapter.get_tf_dataset``), op for op, so the seeded
    draws are the same, and a network trains bit for bit as it did on the arrays in memory."""
    tf = tensorflow()
    n, full = len(labels), len(labels) // batch_size
    labels = np.asarray(labels, dtype=np.int64)

    def permutation(_):
        indices = tf.range(n, dtype=tf.int64)
        if shuffle:
            indices = tf.random.shuffle(indices)
        return indices

    def cut(indices):
        whole = tf.data.Dataset.from_tensor_slices(
            tf.reshape(tf.slice(indices, [0], [full * batch_size]), [full, batch_size]))
        if n % batch_size:
            whole = whole.concatenate(tf.data.Dataset.from_tensors(tf.slice(indices, [full * batch_size],
                                                                             [n % batch_size])))
        return whole

    def read(indices):
        return standardise(mels[indices], mean, std), labels[indices]

    def load(indices):
        x, y = tf.numpy_function(read, [indices], (tf.float32, tf.int64))
        x.set_shape((None, *mels.shape[1:], 1))
        y.set_shape((None,))
        return x, y

    steps = full + bool(n % batch_size)
    indices = (tf.data.Dataset.range(1).map(permutation).prefetch(1).flat_map(cut)
               .apply(tf.data.experimental.assert_cardinality(steps)))
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False  # as Keras sets them
    options.experimental_external_state_policy = tf.data.experimental.ExternalStatePolicy.IGNORE
    return indices.map(load, num_parallel_calls=tf.data.AUTOTUNE).with_options(options).prefetch(tf.data.AUTOTUNE)


@keras.saving.register_keras_serializable(package="musicgenre")
class SpecAugment(keras.layers.Layer):
    """SpecAugment-style masking while training: zeroes random time and frequency bands
    (zero is the band mean after standardisation). Identity at inference."""

    def __init__(self, time_masks, time_width, freq_masks, freq_width, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.time_masks, self.time_width = time_masks, time_width
        self.freq_masks, self.freq_width = freq_masks, freq_width
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def _mask(self, batch, size, count, width):
        keep = ops.ones((batch, size))
        positions = ops.arange(size)[None, :]
        for _ in range(count):
            w = keras.random.randint((batch, 1), 0, width + 1, seed=self.generator)
            start = keras.random.randint((batch, 1), 0, max(size - width, 1), seed=self.generator)
            inside = ops.logical_and(positions >= start, positions < start + w)
            keep = keep * (1.0 - ops.cast(inside, "float32"))
        return keep

    def call(self, x, training=False):
        if not training:
            return x
        batch = ops.shape(x)[0]
        freq = self._mask(batch, x.shape[1], self.freq_masks, self.freq_width)
        time = self._mask(batch, x.shape[2], self.time_masks, self.time_width)
        return x * freq[:, :, None, None] * time[:, None, :, None]

    def get_config(self):
        return {**super().get_config(), "time_masks": self.time_masks, "time_width": self.time_width,
                "freq_masks": self.freq_masks, "freq_width": self.freq_width, "seed": self.seed}


@keras.saving.register_keras_serializable(package="musicgenre")
class ToImage(keras.layers.Layer):
    """Standardised mels (about -3..3) to the 3-channel 0..255 picture an ImageNet backbone
    expects, then that backbone's own ``preprocess_input``."""

    def __init__(self, backbone, **kwargs):
        super().__init__(**kwargs)
        self.backbone = backbone

    def call(self, x):
        pixels = ops.clip((x + 3.0) / 6.0, 0.0, 1.0) * 255.0
        rgb = ops.concatenate([pixels, pixels, pixels], axis=-1)
        return getattr(keras.applications, BACKBONES[self.backbone]).preprocess_input(rgb)

    def get_config(self):
        return {**super().get_config(), "backbone": self.backbone}


def build_cnn(settings, input_shape, n_classes, seed):
    """The CNN from scratch. ``architecture: baseline`` is the original study's three conv/pool
    blocks, flatten and dense head; ``default`` adds batch norm, SpecAugment masking, global
    average pooling (far fewer weights than flatten) and dropout."""
    architecture, dropout = settings["architecture"], settings["dropout"]
    inputs = keras.Input(input_shape + (1,))
    if architecture == "baseline":
        x = inputs
        for filters in (32, 64, 128):
            x = layers.Conv2D(filters, 3, activation="relu")(x)
            x = layers.MaxPooling2D(2)(x)
        x = layers.Flatten()(x)
        x = layers.Dense(64, activation="relu")(x)
    else:
        x = SpecAugment(seed=seed, **settings["masks"])(inputs)
        for filters in settings["filters"]:
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            # momentum 0.9, not Keras' 0.99: a small training set has few steps per epoch, and
            # slow moving averages would leave the inference statistics near their initial values
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
            x = layers.MaxPooling2D(2)(x)
        x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout, seed=seed)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"cnn_{architecture}")


def weights_source(weights):
    """``imagenet``, ``None`` (params ``none``) or an existing weights file; anything else is an error."""
    if weights == "none":
        return None
    if weights == "imagenet":
        return "imagenet"
    from pathlib import Path

    path = Path(str(weights)).expanduser()
    if not path.is_file():
        raise MusicgenreError(f"params.yaml: models.transfer.weights is {weights!r}: not imagenet, not none, "
                              "and no such file; give the path of a Keras weights file (.h5) for the backbone "
                              "without its top")
    return str(path)


def build_transfer(settings, input_shape, n_classes, seed):
    """An ImageNet backbone from ``keras.applications`` (no top, average pooling) under a dropout +
    softmax head. Returns ``(network, backbone)``. ImageNet weights that cannot be downloaded stop
    with a message; nothing silently falls back to random weights."""
    name = choice(settings["backbone"], "models.transfer.backbone", tuple(BACKBONES))
    size = settings["image_size"]
    if size < MIN_IMAGE_SIZE.get(name, 32):
        raise MusicgenreError(f"params.yaml: models.transfer.image_size is {size}; {name} needs "
                              f"{MIN_IMAGE_SIZE[name]} or more")
    weights = weights_source(settings["weights"])
    try:
        backbone = getattr(keras.applications, name)(include_top=False, weights=weights, pooling="avg",
                                                     input_shape=(size, size, 3))
    except Exception as err:
        if weights != "imagenet":
            raise MusicgenreError(f"models.transfer.weights {weights}: cannot load it into {name} ({err}); "
                                  f"is it {name}'s no-top weights file?") from None
        raise MusicgenreError(
            f"models.transfer.weights is imagenet, but Keras could not download the ImageNet weights of {name} "
            f"({str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}). Ways out: run once "
            "with network access (Keras caches them in ~/.keras/models); or download the no-top weights file "
            "elsewhere and set models.transfer.weights to its path; or set models.transfer.weights: none to "
            "train the backbone from random weights (then it is no longer transfer learning)") from None
    if weights is None:
        for layer in backbone.layers:  # as in build_cnn: Keras' 0.99 (0.999 here) is too slow for a small set
            if isinstance(layer, layers.BatchNormalization):
                layer.momentum = 0.9
    inputs = keras.Input(input_shape + (1,))
    x = layers.Resizing(size, size)(inputs)
    x = ToImage(name)(x)
    # a pretrained backbone keeps its batch-norm statistics, even when its layers are unfrozen later
    x = backbone(x, training=False) if weights else backbone(x)
    x = layers.Dropout(settings["dropout"], seed=seed)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"transfer_{name}"), backbone


def own_network(settings, input_shape, n_labels, seed, key):
    """The user's own network: ``builder(input_shape, n_labels, **its settings)`` (``models.<family>``,
    named ``key`` in messages), checked before any training: a ``keras.Model`` taking ``input_shape``
    (the chunks' ``(n_mels, frames, 1)``) and giving ``n_labels`` probabilities per chunk (a softmax
    output: the loss and the clip vote read them as such); behind :class:`SpecAugment` while training
    when ``masks`` is set."""
    import inspect

    from .estimators import BUILDER, imported
    from .schema import BuilderFamily

    path = settings["builder"]
    where = f"params.yaml: {key}.builder is {path!r}"
    builder = imported(path, where, BUILDER)
    own = {k: v for k, v in settings.items() if k not in BuilderFamily.model_fields}
    try:
        inspect.signature(builder).bind(input_shape, n_labels, **own)
    except TypeError as err:  # also what inspect raises for something that is not callable
        raise MusicgenreError(f"{where}: it cannot be called as builder(input_shape, n_labels, **settings) with "
                              f"the settings {sorted(own)} ({err}); give it those parameters, or remove the settings "
                              f"it lacks from {key}") from None
    network = builder(input_shape, n_labels, **own)
    if not isinstance(network, keras.Model):
        raise MusicgenreError(f"{where}: it returned {type(network).__name__}, not a keras.Model")
    if tuple(network.input_shape[1:]) != tuple(input_shape):
        raise MusicgenreError(f"{where}: its network takes inputs of shape {network.input_shape[1:]}, but the "
                              f"chunks are {tuple(input_shape)}; build keras.Input(input_shape)")
    shape = tuple(network.output_shape)
    if shape != (None, n_labels):
        problem = f"its output has shape {shape}"
    elif not np.allclose(np.asarray(network(np.zeros((1, *input_shape), np.float32))).sum(axis=-1), 1.0, atol=1e-3):
        problem = "its outputs do not sum to 1"
    else:
        problem = None
    if problem:
        raise MusicgenreError(f"{where}: its network must end in {n_labels} genre probabilities per chunk, but "
                              f"{problem}; end it in keras.layers.Dense(n_labels, activation='softmax')")
    if settings["masks"] is None:
        return network
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, network(SpecAugment(seed=seed, **settings["masks"])(inputs)), name=network.name)


def _live_logger(live):
    class LiveLog(keras.callbacks.Callback):
        """Per-epoch loss and accuracy (training and validation) into dvclive."""

        def on_epoch_end(self, epoch, logs=None):
            for key, value in sorted((logs or {}).items()):
                if key != "learning_rate":
                    live.log_metric(key, float(value))
            live.next_step()

    return LiveLog()


class Chunks(NamedTuple):
    """A network's data: the fit and validation chunks (arrays or :class:`musicgenre.streams.NpyRows`),
    their labels as class codes, and the fit chunks' band statistics (:func:`band_statistics`)."""

    x_fit: object
    y_fit: np.ndarray
    x_val: object
    y_val: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    def batches(self, batch_size):
        """``(training, validation)`` pipelines (:func:`batches`): the training rows shuffled each epoch."""
        return (batches(self.x_fit, self.y_fit, self.mean, self.std, batch_size, shuffle=True),
                batches(self.x_val, self.y_val, self.mean, self.std, batch_size, shuffle=False))


def fit(network, data, epochs, batch_size, learning_rate, patience, live, initial_epoch=0):
    """Train ``network`` on ``data`` (:class:`Chunks`) for up to ``epochs`` more epochs, stopping when
    the validation loss has not improved for ``patience`` epochs and keeping the best weights.
    Returns the number of epochs run so far (the next phase's ``initial_epoch``)."""
    if epochs <= 0:
        return initial_epoch
    training, validation = data.batches(batch_size)
    network.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    # shuffle=False: the pipeline shuffles (Keras would ignore it, with a warning)
    history = network.fit(training, validation_data=validation, epochs=initial_epoch + epochs,
                          initial_epoch=initial_epoch, shuffle=False, verbose=2, callbacks=[stop, _live_logger(live)])
    return initial_epoch + len(history.history["loss"])


def train_network(family, settings, data, seed, live):
    """Build and train ``family`` (``cnn``, ``transfer``, or a network of the user's own: settings
    naming a ``builder``) on ``data`` (:class:`Chunks`).

    Returns ``(network, description)``; the description goes into ``metrics/<family>.json``.
    ``transfer`` trains its head with the backbone frozen, then unfreezes the top
    ``fine_tune_layers`` layers at ``fine_tune_learning_rate``. With ``weights: none`` nothing is
    worth freezing, so every layer trains from the first epoch.
    """
    n_classes = int(data.y_fit.max()) + 1
    input_shape = tuple(data.x_fit.shape[1:3])
    batch_size, patience, rate = settings["batch_size"], settings["patience"], settings["learning_rate"]
    if "builder" in settings:
        network = own_network(settings, (*input_shape, 1), n_classes, seed, f"models.{family}")
        epochs = fit(network, data, settings["epochs"], batch_size, rate, patience, live)
        return network, {"builder": settings["builder"], "parameters": int(network.count_params()), "epochs": epochs}
    if family == "cnn":
        network = build_cnn(settings, input_shape, n_classes, seed)
        epochs = fit(network, data, settings["epochs"], batch_size, rate, patience, live)
        return network, {"architecture": network.name, "parameters": int(network.count_params()), "epochs": epochs}
    network, backbone = build_transfer(settings, input_shape, n_classes, seed)
    frozen, tuned = settings["frozen_epochs"], settings["fine_tune_epochs"]
    weights = weights_source(settings["weights"])
    if weights is None:
        epochs = fit(network, data, frozen + tuned, batch_size, rate, patience, live)
    else:
        backbone.trainable = False
        epochs = fit(network, data, frozen, batch_size, rate, patience, live)
        top = settings["fine_tune_layers"]
        backbone.trainable = True
        for layer in backbone.layers[:len(backbone.layers) - top]:
            layer.trainable = False
        epochs = fit(network, data, tuned, batch_size, settings["fine_tune_learning_rate"], patience, live,
                     initial_epoch=epochs)
    described = "none (random initialisation: not transfer learning)" if weights is None else (
        "imagenet" if weights == "imagenet" else f"file {weights}")
    return network, {"backbone": backbone.name, "weights": described, "parameters": int(network.count_params()),
                     "epochs": epochs}
