"""Outputs written as results arrive, in bounded batches, so a stage's memory stays flat however
large the collection (issue: a 25,000-clip folder must not need all its log-mels in memory at once).

* :func:`parquet_stream`: a table written a row group at a time, each group at most about
  :data:`BATCH_BYTES` of rows; every group takes the first one's schema, so the file reads back as
  the table written in one piece would (same columns, types and values).
* :func:`npy_stream`: an ``.npy`` array written a block of rows at a time. NumPy pads every header
  so that the first axis can grow in place (``numpy.lib.format.GROWTH_AXIS_MAX_DIGITS``); the header
  is written first with no rows and rewritten at the end with the count, so the file is byte for
  byte what ``numpy.save`` writes for the whole array.

Both write through :func:`musicgenre.files.atomic_write`: whole or not at all.
"""

import contextlib
import io

import numpy as np
import pandas as pd

from .errors import MusicgenreError
from .files import atomic_write

#: Rows held before a Parquet row group is written (by their size in memory).
BATCH_BYTES = 64 * 2**20


class _Batches:
    """A Parquet writer that holds rows until they reach ``batch_bytes``."""

    def __init__(self, path, batch_bytes):
        self.path, self.batch_bytes = path, batch_bytes
        self.pending, self.held, self.rows, self.writer = [], 0, 0, None

    def add(self, frame):
        """Append the rows of ``frame`` (same columns each time)."""
        self.pending.append(frame)
        self.held += int(frame.memory_usage(index=False, deep=True).sum())
        self.rows += len(frame)
        if self.held >= self.batch_bytes:
            self.flush()

    def flush(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.pending:
            return
        table = pa.Table.from_pandas(pd.concat(self.pending, ignore_index=True), preserve_index=False,
                                     schema=self.writer.schema if self.writer else None)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)
        self.pending, self.held = [], 0


@contextlib.contextmanager
def parquet_stream(path, columns):
    """A writer of the Parquet table at ``path`` (``columns``, in order): ``add(frame)`` appends rows,
    written a row group at a time of :data:`BATCH_BYTES`."""
    with atomic_write(path) as temporary:
        batches = _Batches(temporary, BATCH_BYTES)
        try:
            yield batches
            if batches.rows == 0:  # nothing added: an empty table with the columns
                batches.add(pd.DataFrame(columns=columns))
            batches.flush()
        finally:
            if batches.writer is not None:
                batches.writer.close()


class _Rows:
    """An ``.npy`` file being written a block of rows at a time."""

    def __init__(self, handle):
        self.handle, self.rows, self.dtype, self.row_shape = handle, 0, None, None

    def add(self, block):
        """Append ``block`` (rows of the same dtype and shape each time)."""
        block = np.ascontiguousarray(block)
        if self.dtype is None:
            self.dtype, self.row_shape = block.dtype, block.shape[1:]
            self.handle.write(_header(self.dtype, (0, *self.row_shape)))
        elif (block.dtype, block.shape[1:]) != (self.dtype, self.row_shape):
            raise MusicgenreError(f"rows of {block.dtype} {block.shape[1:]} cannot follow rows of {self.dtype} "
                                  f"{self.row_shape} in one array")
        self.handle.write(block.tobytes())
        self.rows += len(block)

    def finish(self):
        """Rewrite the header with the number of rows (its length cannot change: NumPy pads it)."""
        if self.dtype is None:
            raise MusicgenreError("no rows to write: every clip was empty")
        self.handle.seek(0)
        self.handle.write(_header(self.dtype, (self.rows, *self.row_shape)))


def _header(dtype, shape):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": np.lib.format.dtype_to_descr(dtype),
                                                  "fortran_order": False, "shape": shape})
    return buffer.getvalue()


@contextlib.contextmanager
def npy_stream(path):
    """A writer of the ``.npy`` array at ``path``: ``add(block)`` appends rows along the first axis."""
    with atomic_write(path) as temporary, open(temporary, "wb") as handle:
        rows = _Rows(handle)
        yield rows
        rows.finish()
