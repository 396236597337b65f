"""Every table input side by side (the descriptors and the musicnn embeddings of each chunk): the
fusion family's input, written by the ``combine`` stage."""

from pathlib import Path

import numpy as np

from ..errors import MusicgenreError
from ..paths import TABLES_CHUNKS
from .base import Representation

#: Chunk rows read and joined at a time (about 9 MB of descriptors and embeddings).
BATCH_ROWS = 2_500


def batches(source, rows, columns=None):
    """The Parquet table at ``source``, ``rows`` at a time. Its column chunks are read as the batches
    need them (``pre_buffer=False``): by default pyarrow reads ahead every row group it is asked for
    and holds them until the file is closed, so the batches held the whole table (1.2 GB more for
    FMA large's embeddings)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(source, pre_buffer=False).iter_batches(batch_size=rows, columns=columns)


def in_one_order(sources, rows):
    """Whether the tables at ``sources`` hold the same ``file, chunk`` rows in the same order (compared
    ``rows`` at a time)."""
    import pyarrow.parquet as pq

    if len({pq.ParquetFile(source).metadata.num_rows for source in sources}) > 1:
        return False
    keys = zip(*(batches(source, rows, ["file", "chunk"]) for source in sources))
    return all(piece.equals(pieces[0]) for pieces in keys for piece in pieces[1:])


class Combined(Representation):
    """The chunk rows of several table representations joined on ``file, chunk`` (they share one
    chunk grid), their columns concatenated in the order given. The ``combine`` stage writes the
    join (:meth:`join`) to its own folder, so a family reading it depends on the table inputs and
    on nothing else (a change of the mels reruns no fusion)."""

    name, tabular, table_path = "tables", True, str(TABLES_CHUNKS)

    def __init__(self, parts):
        self.parts = list(parts)

    def write(self, path, rows=BATCH_ROWS):
        """Write the parts' chunk rows side by side to ``path``, what the ``combine`` stage does, and
        return how many. The parts' stages write their chunks in one order (the manifest's clips,
        each clip's chunks in turn), so they are read from their ``table_path`` and joined ``rows`` at a
        time, and memory stays a batch's; parts in other orders, or without a ``table_path``, are
        joined whole (:meth:`join`)."""
        from ..streams import parquet_stream

        for part in self.parts:
            if not Path(part.output).exists():
                raise MusicgenreError(f"combine: {part.output} is missing; a table representation is listed in "
                                      "params.yaml representations and its folder is among the combine stage's "
                                      "deps in dvc.yaml, so that DVC computes it first (docs/representations.md)")
        sources = [part.table_path for part in self.parts]
        with parquet_stream(path, ["file", "chunk"]) as table:
            if all(sources) and in_one_order(sources, rows):
                for pieces in zip(*(batches(source, rows) for source in sources)):
                    table.add(self.joined([piece.to_pandas() for piece in pieces]))
            else:
                table.add(self.join())
        return table.rows

    def join(self):
        """The parts' chunk rows side by side, joined whole on ``file, chunk``."""
        return self.joined([part.read() for part in self.parts])

    @staticmethod
    def joined(tables):
        """Chunk rows of the parts side by side (an inner join on ``file, chunk``, in the first's order)."""
        table = tables[0]
        for other in tables[1:]:
            table = table.merge(other[[c for c in other.columns if c not in table.columns or c in ("file", "chunk")]],
                                on=["file", "chunk"], how="inner", validate="one_to_one")
        return table

    def columns_by_input(self, params):
        return {part.name: part.columns(params) for part in self.parts}

    def columns(self, params):
        return [column for columns in self.columns_by_input(params).values() for column in columns]

    def config(self, params):
        config = {"columns_by_input": self.columns_by_input(params)}
        for part in self.parts:
            config.update(part.config(params))
        return config

    def description(self, params):
        described = {}
        for part in self.parts:
            described.update(part.description(params))
        return described

    def chunks(self, config, y, parts):
        return [part.chunks(config, y, parts) for part in self.parts]  # one result per part

    def batch(self, config, values, columns):
        return np.hstack([part.batch(config, value, config["columns_by_input"][part.name])
                          for part, value in zip(self.parts, values, strict=True)])
