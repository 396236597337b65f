"""The 57 Kaggle descriptors per chunk and per clip, as a representation (stage ``represent@features``)."""

import functools

import pandas as pd

from ..errors import MusicgenreError
from ..params import chunk_grid, section
from ..paths import CHUNKS, CLIPS
from .base import Representation


class Descriptors(Representation):
    """The 57 Kaggle descriptors per chunk (:mod:`musicgenre.dsp.features`), minus ``train.drop_features``."""

    name, tabular, table_path = "features", True, str(CHUNKS)

    def per_clip(self, params):
        from ..dsp.features import extract

        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(extract, sample_rate=sample_rate, chunk_seconds=chunk_seconds)

    def write(self, files, results, params):
        from ..dsp.features import FEATURE_NAMES

        from ..streams import parquet_stream

        chunk_columns, clip_columns = ["file", "chunk", "start_s", *FEATURE_NAMES], ["file", *FEATURE_NAMES]
        with parquet_stream(CHUNKS, chunk_columns) as chunk_table, parquet_stream(CLIPS, clip_columns) as clip_table:
            for file, (clip, chunks) in zip(files, results, strict=True):  # written as they come
                clip_table.add(pd.DataFrame([{"file": file, **clip}], columns=clip_columns))
                chunk_table.add(pd.DataFrame([{"file": file, **row} for row in chunks], columns=chunk_columns))
        return f"{clip_table.rows} clips, {chunk_table.rows} chunks of {chunk_grid(params)[1]} s"

    def columns(self, params):
        return descriptor_columns(section(params, "train.drop_features"))

    def chunks(self, config, y, parts):
        from ..dsp.features import describe_clip

        return describe_clip(y, parts, config["sample_rate"], clip=False)[1]  # the stage's extract() calls it too

    def batch(self, config, values, columns):
        return pd.DataFrame(values)[columns].to_numpy()


def descriptor_columns(drop):
    """The Kaggle descriptors minus ``drop`` (params ``train.drop_features``); unknown names are errors."""
    from ..dsp.features import FEATURE_NAMES

    unknown = sorted(set(drop or []) - set(FEATURE_NAMES))
    if unknown:
        raise MusicgenreError(f"params.yaml: train.drop_features names unknown feature(s) {unknown}; "
                              f"known: {', '.join(FEATURE_NAMES)}")
    return [name for name in FEATURE_NAMES if name not in set(drop or [])]


REPRESENTATION = Descriptors()
