"""The shape every representation has (see the package's docstring), and the join of chunk rows to the split."""

import numpy as np
import pandas as pd

from ..errors import MusicgenreError
from ..paths import CHUNKS, INPUTS


class Representation:
    """One kind of model input. Subclasses set ``name`` (the bundle's ``config["input"]``, the
    stage ``represent@<name>``, its params section, and what ``models.<family>.input`` names) and
    ``tabular`` (a table of chunk vectors, which pooling and fusion can combine), and fill in the
    methods below."""

    name = ""
    tabular = False
    clips_per_task = "auto"  #: clips handed to a worker at a time ("auto": joblib's choice)
    #: A table's Parquet file of chunk rows (``file, chunk`` and its columns): ``combine`` reads it a
    #: batch at a time, and a family only the columns it uses; ``None``: both read :meth:`read`'s
    #: rows whole.
    table_path = None

    @property
    def output(self):
        """The folder the stage writes, ``data/inputs/<name>``: the DVC dependency of a family reading it."""
        return str(INPUTS / self.name)

    def per_clip(self, params):
        """``f(path) -> result``: what the stage computes for one clip (``params`` as the schema checked them)."""
        raise NotImplementedError

    def write(self, files, results, params):
        """Save the stage's output (into ``data/inputs/<name>``, which exists) from the per-clip
        ``results`` of ``files``; returns the stage's summary line."""
        raise NotImplementedError

    def read(self):
        """The stage's output as chunk rows keyed by ``file, chunk`` (a table's: its ``table_path``)."""
        if self.table_path is None:
            raise NotImplementedError
        return pd.read_parquet(self.table_path)

    def columns(self, params):
        """The table columns a model reads (none when the input is an array, like the mels)."""
        return []

    def columns_by_input(self, params):
        """Each computed input in this one → its columns, in order (what a fusion member picks from)."""
        return {self.name: self.columns(params)}

    def inputs(self, rows, columns):
        """The model input of ``rows`` (rows of :meth:`table`)."""
        return rows[columns].to_numpy()

    def config(self, params):
        """What a bundle holds to compute this input again from audio (beyond the chunk grid)."""
        return {}

    def description(self, params):
        """What the metrics record about this input."""
        return {}

    def chunks(self, config, y, parts):
        """This input for every chunk of one decoded file (``y`` mono at ``config["sample_rate"]``,
        cut at ``parts`` by :func:`musicgenre.audio.cut_chunks`), for ``predict``. It must call the
        same function the stage's per-clip work calls, so that a file's rows equal the stage's."""
        raise NotImplementedError

    def batch(self, config, values, columns):
        """What :meth:`chunks` returned, as one model input (a row per chunk)."""
        return np.asarray(values)

    def table(self, split, columns=None):
        """The output's chunk rows joined to ``split`` (``file, chunk, genre, artist, group, set, fold``);
        with ``columns`` and a ``table_path``, only those columns are read, in their stored types (a
        family holds what it uses of a table, not the whole of it)."""
        if columns is None or self.table_path is None:
            return labelled_chunks(self.read(), split, self.output)
        return labelled_chunks(pd.read_parquet(self.table_path, columns=["file", "chunk", *columns]), split,
                               self.output)


def labelled_chunks(chunks, split, source=str(CHUNKS)):
    """Chunk rows joined to their split rows (``file, chunk, genre, artist, group, set, fold``); every
    split row must find its chunk in ``source``."""
    table = split.merge(chunks, on=["file", "chunk"], how="inner", validate="one_to_one")
    if len(table) != len(split):
        raise MusicgenreError(f"data/split/split.csv and {source} disagree on the chunks; run dvc repro")
    return table


def write_chunk_table(path, files, results, column_names):
    """Write the per-clip results of an embedding (an array per clip, a row per chunk) as one Parquet
    table at ``path`` as they arrive (:func:`musicgenre.streams.parquet_stream`): ``file, chunk`` and the
    columns ``column_names(dim)`` names. Returns ``(chunks, dim)``."""
    from ..streams import parquet_stream

    dim = None
    with parquet_stream(path, ["file", "chunk"]) as table:
        for file, values in zip(files, results, strict=True):
            frame = pd.DataFrame(values, columns=column_names(values.shape[1]))
            frame.insert(0, "chunk", np.arange(len(values)))
            frame.insert(0, "file", file)
            table.add(frame)
            dim = values.shape[1]
    return table.rows, dim or 0
