"""Outputs written as results arrive equal the outputs written in one piece: the same .npy bytes as
numpy.save, the same tables, the same index; whatever the batches."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from musicgenre import streams
from musicgenre.dsp.features import FEATURE_NAMES
from musicgenre.errors import MusicgenreError
from musicgenre.representations import REPRESENTATIONS, Representation
from musicgenre.representations.combined import Combined
from musicgenre.streams import npy_stream, parquet_stream

FILES = ["blues.00000.wav", "jazz, live.00001.wav", "rock.00002.wav"]  # a comma: the index quotes it
PARAMS = {"chunks": {"sample_rate": 22050, "seconds": 3.0},
          "mels": {"n_mels": 8, "n_fft": 2048, "hop_length": 512, "fmax": 11025}}


@pytest.fixture(params=[1, None], ids=["a batch per clip", "one batch"])
def batches(request, monkeypatch, tmp_path):
    """Run in an empty project folder, with row groups of every clip, or of everything at once (the
    clips' frames held joined two at a time)."""
    monkeypatch.chdir(tmp_path)
    if request.param:
        monkeypatch.setattr(streams, "BATCH_BYTES", request.param)
    else:
        monkeypatch.setattr(streams, "HELD_FRAMES", 2)
    return tmp_path


def test_an_array_written_in_blocks_is_what_numpy_saves(tmp_path):
    blocks = [np.random.default_rng(k).normal(size=(k + 1, 8, 13)).astype(np.float16) for k in range(4)]
    with npy_stream(tmp_path / "streamed.npy") as array:
        for block in blocks:
            array.add(block)
    np.save(tmp_path / "whole.npy", np.concatenate(blocks))
    assert (tmp_path / "streamed.npy").read_bytes() == (tmp_path / "whole.npy").read_bytes()
    with pytest.raises(MusicgenreError, match="cannot follow rows"), npy_stream(tmp_path / "mixed.npy") as array:
        array.add(blocks[0])
        array.add(blocks[0].astype(np.float32))
    assert not (tmp_path / "mixed.npy").exists()  # whole or not at all


def test_the_mels_written_clip_by_clip_equal_the_mels_written_at_once(batches):
    rng = np.random.default_rng(0)
    results = [(rng.normal(size=(n, 8, 13)).astype(np.float16), b"png") for n in (3, 1, 2)]
    (batches / "data" / "inputs" / "mels").mkdir(parents=True)
    REPRESENTATIONS["mels"].write(FILES, iter(results), PARAMS)
    saved = batches / "whole.npy"
    np.save(saved, np.concatenate([chunks for chunks, _ in results]))
    assert (batches / "data" / "inputs" / "mels" / "mels.npy").read_bytes() == saved.read_bytes()
    index = pd.DataFrame([{"file": f, "chunk": k} for f, (chunks, _) in zip(FILES, results) for k in range(len(chunks))])
    assert (batches / "data" / "inputs" / "mels" / "index.csv").read_text() == index.rename_axis("row").to_csv()


def test_the_descriptors_written_in_row_groups_equal_the_tables_written_at_once(batches):
    rng = np.random.default_rng(1)
    results = [({name: float(v) for name, v in zip(FEATURE_NAMES, rng.normal(size=len(FEATURE_NAMES)))},
                [{"chunk": k, "start_s": 3.0 * k, **dict(zip(FEATURE_NAMES, rng.normal(size=len(FEATURE_NAMES))))}
                 for k in range(n)]) for n in (3, 1, 2)]
    (batches / "data" / "inputs" / "features").mkdir(parents=True)
    said = REPRESENTATIONS["features"].write(FILES, iter(results), PARAMS)
    assert said == "3 clips, 6 chunks of 3.0 s"
    chunks = pd.DataFrame([{"file": f, **row} for f, (_, rows) in zip(FILES, results) for row in rows],
                          columns=["file", "chunk", "start_s", *FEATURE_NAMES])
    clips = pd.DataFrame([{"file": f, **clip} for f, (clip, _) in zip(FILES, results)], columns=["file", *FEATURE_NAMES])
    pd.testing.assert_frame_equal(pd.read_parquet(batches / "data" / "inputs" / "features" / "chunks.parquet"), chunks)
    pd.testing.assert_frame_equal(pd.read_parquet(batches / "data" / "inputs" / "features" / "clips.parquet"), clips)
    groups = pq.ParquetFile(batches / "data" / "inputs" / "features" / "chunks.parquet").num_row_groups
    assert groups == (3 if streams.BATCH_BYTES == 1 else 1)  # a group per clip, or one


def test_a_table_with_no_rows_keeps_its_columns(tmp_path):
    with parquet_stream(tmp_path / "empty.parquet", ["file", "chunk"]):
        pass
    assert list(pd.read_parquet(tmp_path / "empty.parquet").columns) == ["file", "chunk"]


class Table(Representation):
    """A table representation of the test's own, at ``path`` (``file, chunk`` and its columns)."""

    tabular = True

    def __init__(self, name, path, streamed=True):
        self.name, self.path = name, path
        self.table_path = str(path) if streamed else None

    @property
    def output(self):
        return str(self.path.parent)

    def read(self):
        return pd.read_parquet(self.path)


@pytest.mark.parametrize("order", ["the same", "another"])
def test_tables_joined_a_batch_at_a_time_equal_the_tables_joined_whole(tmp_path, order):
    keys = pd.DataFrame([{"file": f, "chunk": k} for f in FILES for k in range(3)])
    left = keys.assign(a=np.arange(len(keys), dtype=np.float32))
    right = keys.assign(b=np.arange(len(keys)) * 2.0)
    if order == "another":  # a user's table in its own order: joined whole
        right = right.iloc[::-1].reset_index(drop=True)
    for name, table in (("left", left), ("right", right)):
        (tmp_path / name).mkdir()
        table.to_parquet(tmp_path / name / "chunks.parquet", index=False)
    parts = [Table("left", tmp_path / "left" / "chunks.parquet"), Table("right", tmp_path / "right" / "chunks.parquet")]
    combined = Combined(parts)
    assert combined.write(tmp_path / "batched.parquet", rows=2) == len(keys)
    whole = combined.join()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "batched.parquet"), whole)
    assert list(whole.columns) == ["file", "chunk", "a", "b"] and whole["b"].tolist() == (2.0 * np.arange(9)).tolist()


def test_tables_joined_a_batch_at_a_time_hold_a_batch_not_the_tables(tmp_path, monkeypatch):
    """Two tables of 40 row groups (16 MB of values), joined 500 rows at a time: Arrow holds a few
    batches while it reads, not the tables (pyarrow's pre-buffering read every row group at once)."""
    import pyarrow as pa

    files = [f"clip{n:05d}.wav" for n in range(2000)]
    keys = pd.DataFrame({"file": np.repeat(files, 10), "chunk": np.tile(range(10), 2000)})
    values = np.random.default_rng(0).normal(size=(len(keys), 100)).astype(np.float32)
    for name in ("left", "right"):
        (tmp_path / name).mkdir()
        table = pd.concat([keys, pd.DataFrame(values, columns=[f"{name}{k}" for k in range(100)])], axis=1)
        table.to_parquet(tmp_path / name / "chunks.parquet", index=False, row_group_size=500)
    monkeypatch.setattr(streams, "BATCH_BYTES", 1)  # each batch joined is written at once, not held for a row group
    held = []
    joined = Combined.joined
    monkeypatch.setattr(Combined, "joined",
                        staticmethod(lambda tables: held.append(pa.total_allocated_bytes()) or joined(tables)))
    parts = [Table(name, tmp_path / name / "chunks.parquet") for name in ("left", "right")]
    assert Combined(parts).write(tmp_path / "tables.parquet", rows=500) == len(keys)
    assert len(held) == 40 and max(held) < 4e6, held  # a batch of both tables is 0.4 MB; the tables 16 MB


def test_rows_read_by_slices_are_the_arrays_rows_and_a_damaged_file_is_named(tmp_path):
    array = np.arange(5 * 3 * 2, dtype=np.float16).reshape(5, 3, 2)
    np.save(tmp_path / "a.npy", array)
    rows = streams.NpyRows(tmp_path / "a.npy", [3, 4, 0, 1, 2])
    assert rows.shape == (5, 3, 2) and len(rows) == 5 and rows[:].dtype == np.float16
    assert np.array_equal(rows[:], array[[3, 4, 0, 1, 2]]) and np.array_equal(rows[1:3], array[[4, 0]])
    assert np.array_equal(rows[np.array([4, 0])], array[[2, 3]]) and rows[2:2].shape == (0, 3, 2)
    with pytest.raises(MusicgenreError, match=r"a\.npy has 5 rows, not row 7: its index is stale"):
        streams.NpyRows(tmp_path / "a.npy", [7])[:]
    (tmp_path / "a.npy").write_bytes((tmp_path / "a.npy").read_bytes()[:-8])
    with pytest.raises(MusicgenreError, match=r"a\.npy ends before its header's 5 rows: it was cut short"):
        streams.NpyRows(tmp_path / "a.npy", [4])[:]
