"""Pretrained musicnn activations per chunk, as a representation (stage ``represent@embeddings``).

``data/inputs/embeddings/chunks.parquet`` has ``file, chunk`` and one column per embedding dimension
(``e000`` ...); ``model.json`` names the model, layer and package version.
"""

import functools


from ..jsonio import read_json, write_json
from ..params import chunk_grid
from ..paths import EMBEDDINGS, EMBEDDINGS_INFO
from .base import Representation, write_chunk_table


class Embeddings(Representation):
    """Pretrained musicnn activations per chunk (:mod:`musicgenre.dsp.embeddings`), a table like the descriptors'."""

    name, tabular, table_path = "embeddings", True, str(EMBEDDINGS)
    clips_per_task = 4  # each worker keeps its TensorFlow graph between clips

    def settings(self, params):
        return {"model": params["embeddings"]["model"], "layer": params["embeddings"]["layer"]}

    def per_clip(self, params):
        from ..dsp.embeddings import clip_embeddings

        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(clip_embeddings, sample_rate=sample_rate, chunk_seconds=chunk_seconds,
                                 **self.settings(params))

    def write(self, files, results, params):
        from ..dsp.embeddings import column_names, package

        chunks, dim = write_chunk_table(EMBEDDINGS, files, results, column_names)
        settings, (sample_rate, chunk_seconds), (_, version) = self.settings(params), chunk_grid(params), package()
        write_json({"package": f"musicnn {version}", **settings, "dimensions": dim, "sample_rate": sample_rate,
                    "chunk_seconds": chunk_seconds}, EMBEDDINGS_INFO)
        return (f"{chunks} chunks x {dim} ({settings['model']} {settings['layer']}, musicnn {version}) "
                f"from {len(files)} clips")

    def columns(self, params):
        from ..dsp.embeddings import column_names

        return column_names(read_json(EMBEDDINGS_INFO)["dimensions"])

    def config(self, params):
        info = read_json(EMBEDDINGS_INFO)  # what the stage computed, which the bundle must compute again
        return {"model": info["model"], "layer": info["layer"]}

    def description(self, params):
        info = read_json(EMBEDDINGS_INFO)
        return {"embedding": f"{info['model']} {info['layer']} ({info['package']})"}

    def chunks(self, config, y, parts):
        from ..dsp.embeddings import embed_chunks

        return embed_chunks([y[p] for p in parts], config["sample_rate"], config["chunk_seconds"], config["model"],
                            config["layer"])  # the stage's clip_embeddings() calls it too


REPRESENTATION = Embeddings()
