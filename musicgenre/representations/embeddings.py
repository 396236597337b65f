"""Pretrained musicnn activations per chunk, as a representation (the ``embeddings`` stage's output)."""

import functools

import numpy as np
import pandas as pd

from ..jsonio import read_json
from ..params import choice, chunk_grid, section
from ..paths import EMBEDDINGS, EMBEDDINGS_INFO
from .base import Representation


class Embeddings(Representation):
    """Pretrained musicnn activations per chunk (:mod:`musicgenre.embeddings`), a table like the descriptors'."""

    name, output = "embeddings", "data/inputs/embeddings"

    def settings(self, params):
        from ..embeddings import LAYERS, MODELS

        settings = section(params, "embeddings")
        return {"model": choice(settings.get("model"), "embeddings.model", MODELS),
                "layer": choice(settings.get("layer"), "embeddings.layer", tuple(LAYERS))}

    def per_clip(self, params):
        from ..embeddings import clip_embeddings

        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(clip_embeddings, sample_rate=sample_rate, chunk_seconds=chunk_seconds,
                                 **self.settings(params))

    def read(self):
        return pd.read_parquet(EMBEDDINGS)

    def columns(self, params):
        from ..embeddings import column_names

        return column_names(read_json(EMBEDDINGS_INFO)["dimensions"])

    def config(self, params):
        info = read_json(EMBEDDINGS_INFO)  # what the stage computed, which the bundle must compute again
        return {"model": info["model"], "layer": info["layer"]}

    def description(self, params):
        info = read_json(EMBEDDINGS_INFO)
        return {"embedding": f"{info['model']} {info['layer']} ({info['package']})"}

    def chunk(self, config, chunk):
        from ..embeddings import frames, musicnn_input

        return musicnn_input(chunk, config["sample_rate"], frames(config["chunk_seconds"]))  # embedded in batch

    def batch(self, config, values, columns):
        from ..embeddings import embedder

        return embedder(config["model"], config["layer"], config["chunk_seconds"])(np.stack(values))
