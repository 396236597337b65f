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

:class:`NpyRows` reads it back the same way: chosen rows of an ``.npy`` file, a slice at a time, with
plain reads. A memory map would do it too, but every page it touches counts as the reader's
resident memory until the map is closed, so an epoch over the training rows would hold them all.
"""

import contextlib
import io

import numpy as np
import pandas as pd

from .errors import MusicgenreError
from .files import atomic_write

#: Rows held before a Parquet row group is written (by their size in memory); also the float32
#: chunks a network predicts at a time. Small enough that a stage's memory stops growing within a
#: few hundred clips (benchmarks/scaling.py), large enough for row groups that read fast.
BATCH_BYTES = 16 * 2**20
#: Frames held before they are joined into one: thousands of one-clip frames weigh far more than
#: their values, which is all :data:`BATCH_BYTES` counts.
HELD_FRAMES = 256


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
        elif len(self.pending) >= HELD_FRAMES:
            self.pending = [pd.concat(self.pending, ignore_index=True)]

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


class NpyRows:
    """Rows ``rows`` of the ``.npy`` array at ``path``, read when sliced: ``self[a:b]`` (or ``self[positions]``)
    reads those of them, in their order and a run of consecutive ones in one read, into an array of
    the file's dtype. ``len`` and ``shape`` are the selection's; nothing is read before a slice."""

    def __init__(self, path, rows):
        self.path, self.rows = path, np.asarray(rows, dtype=np.int64)
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran_order, self.dtype = read_header(handle)
            self.offset = handle.tell()
        if fortran_order:
            raise MusicgenreError(f"{path}: a Fortran-ordered array cannot be read by rows; save it in C order")
        self.row_shape, self.stored = shape[1:], shape[0]
        self.row_bytes = int(np.prod(self.row_shape, dtype=np.int64)) * self.dtype.itemsize

    def __len__(self):
        return len(self.rows)

    @property
    def shape(self):
        return (len(self.rows), *self.row_shape)

    def __getitem__(self, key):
        wanted = self.rows[key]
        if wanted.size and (wanted.min() < 0 or wanted.max() >= self.stored):
            raise MusicgenreError(f"{self.path} has {self.stored} rows, not row {wanted.max()}: its index is stale; "
                                  "rerun the stage that wrote it")
        out = np.empty((len(wanted), *self.row_shape), dtype=self.dtype)
        if not len(wanted):
            return out
        flat = out.reshape(-1).view(np.uint8).reshape(len(wanted), self.row_bytes)
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        with open(self.path, "rb") as handle:
            for start, stop in zip([0, *breaks], [*breaks, len(wanted)]):
                handle.seek(self.offset + int(wanted[start]) * self.row_bytes)
                if handle.readinto(flat[start:stop]) != (stop - start) * self.row_bytes:
                    raise MusicgenreError(f"{self.path} ends before its header's {self.stored} rows: it was cut "
                                          "short; rerun the stage that wrote it")
        return out
