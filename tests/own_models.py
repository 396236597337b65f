"""A user's own models, as a user's package would hold them: what params.yaml names by import path
(``builder: tests.own_models:small_net``) in the tests of the families of one's own."""

import keras
from keras import layers


def small_net(input_shape, n_labels, width=8):
    """A small CNN on mel chunks: two conv blocks, then a dense softmax over the genres (flattened: which
    bands carry the energy is what tells the tests' genres apart)."""
    inputs = keras.Input(input_shape)
    x = inputs
    for filters in (width, 2 * width):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(n_labels, activation="softmax")(x), name="small_net")


def one_too_many(input_shape, n_labels):
    """A builder with a mistake: one output more than there are genres."""
    inputs = keras.Input(input_shape)
    x = layers.GlobalAveragePooling2D()(inputs)
    return keras.Model(inputs, layers.Dense(n_labels + 1, activation="softmax")(x))


def scores(input_shape, n_labels):
    """A builder with a mistake: scores, not probabilities (no softmax)."""
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, layers.Dense(n_labels)(layers.GlobalAveragePooling2D()(inputs)))
