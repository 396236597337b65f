"""Any HEAR 2021 API module's embeddings per chunk, as a representation (stage ``hear@<name>``).

``params.yaml`` ``hear`` maps a name to a module (``passt: hear21passt.base``), and the section of
that name holds its settings (``model_file_path``, ``embedding``, ``n_jobs``). There is no module
per name here: every HEAR embedding is an instance of :class:`Hear`, made from params by
:func:`musicgenre.representations.available`, or from a bundle's config by
:func:`~musicgenre.representations.named`. ``data/inputs/<name>/chunks.parquet`` has ``file, chunk``
and a column per dimension (``h0000`` ...); ``model.json`` names the module, its package's version,
the embedding and its size.
"""

import functools


from ..jsonio import read_json, write_json
from ..params import chunk_grid
from .base import Representation, write_chunk_table


class Hear(Representation):
    """A HEAR module's embeddings per chunk (:mod:`musicgenre.dsp.hear`), a table like the descriptors'."""

    tabular = True
    clips_per_task = 4  # each worker keeps its loaded model between clips

    def __init__(self, name, module):
        self.name, self.module = name, module

    @property
    def table_path(self):
        return f"{self.output}/chunks.parquet"

    @property
    def info_path(self):
        return f"{self.output}/model.json"

    def settings(self, params):
        own = params[self.name]
        return {"module": self.module, "model_file_path": own["model_file_path"], "embedding": own["embedding"]}

    def per_clip(self, params):
        from ..dsp.hear import clip_embeddings, hear_module

        hear_module(self.module)  # here, before any clip: a missing package or function stops the stage at once
        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(clip_embeddings, sample_rate=sample_rate, chunk_seconds=chunk_seconds,
                                 **self.settings(params))

    def write(self, files, results, params):
        from ..dsp.hear import column_names, package_version

        chunks, dim = write_chunk_table(self.table_path, files, results, column_names)
        settings, package = self.settings(params), package_version(self.module)
        write_json({**settings, "package": package, "dimensions": dim}, self.info_path)
        return f"{chunks} chunks x {dim} ({self.module} {settings['embedding']}, {package}) from {len(files)} clips"

    def columns(self, params):
        from ..dsp.hear import column_names

        return column_names(read_json(self.info_path)["dimensions"])

    def config(self, params):
        info = read_json(self.info_path)  # what the stage computed, which the bundle must compute again
        return {"hear": info["module"], "model_file_path": info["model_file_path"], "embedding": info["embedding"]}

    def description(self, params):
        info = read_json(self.info_path)
        return {"embedding": f"{info['module']} {info['embedding']} ({info['package']})"}

    def chunks(self, config, y, parts):
        from ..dsp.hear import embed_chunks

        return embed_chunks([y[p] for p in parts], config["sample_rate"], config["hear"], config["model_file_path"],
                            config["embedding"])  # the stage's clip_embeddings() calls it too
