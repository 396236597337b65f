"""The 57 Kaggle descriptors per chunk, as a representation (the ``features`` stage's output)."""

import functools

import pandas as pd

from ..errors import MusicgenreError
from ..params import chunk_grid, section
from ..paths import CHUNKS
from .base import Representation


class Descriptors(Representation):
    """The 57 Kaggle descriptors per chunk (:mod:`musicgenre.features`), minus ``train.drop_features``."""

    name, output = "features", str(CHUNKS)

    def per_clip(self, params):
        from ..features import extract

        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(extract, sample_rate=sample_rate, chunk_seconds=chunk_seconds)

    def read(self):
        return pd.read_parquet(CHUNKS)

    def columns(self, params):
        return descriptor_columns(section(params, "train.drop_features"))

    def chunk(self, config, chunk):
        from ..features import describe, separate

        harmonic, percussive = separate(chunk)  # librosa.effects.hpss, bit for bit
        return describe(chunk, config["sample_rate"], harmonic, percussive)

    def batch(self, config, values, columns):
        return pd.DataFrame(values)[columns].to_numpy()


def descriptor_columns(drop):
    """The Kaggle descriptors minus ``drop`` (params ``train.drop_features``); unknown names are errors."""
    from ..features import FEATURE_NAMES

    unknown = sorted(set(drop or []) - set(FEATURE_NAMES))
    if unknown:
        raise MusicgenreError(f"params.yaml: train.drop_features names unknown feature(s) {unknown}; "
                              f"known: {', '.join(FEATURE_NAMES)}")
    return [name for name in FEATURE_NAMES if name not in set(drop or [])]
