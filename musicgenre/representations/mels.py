"""Log-mel spectrograms per chunk, as a representation (stage ``represent@mels``).

``data/inputs/mels/mels.npy`` is one array of shape ``(chunks, n_mels, frames)``, read by rows;
``index.csv`` maps each row to ``file, chunk``; ``config.json`` is the recipe; ``images/<genre>/<clip>.png``
are 432 x 288 pictures in the style of Kaggle's ``images_original``.
"""

import csv
import functools

import pandas as pd

from ..datasets.layout import image_path
from ..files import atomic_write
from ..jsonio import read_json, write_json
from ..params import chunk_grid
from ..paths import MELS_ARRAY, MELS_CONFIG, MELS_IMAGES, MELS_INDEX
from .base import Representation


class Mels(Representation):
    """Log-mel spectrograms per chunk (:mod:`musicgenre.dsp.mels`): one float16 array, read by rows."""

    name = "mels"

    def settings(self, params):
        """The recipe from ``mels`` and the chunk grid; the stage saves it as ``config.json``."""
        sample_rate, chunk_seconds = chunk_grid(params)
        return {"sample_rate": sample_rate, "chunk_seconds": chunk_seconds,
                **{key: params["mels"][key] for key in ("n_mels", "n_fft", "hop_length", "fmax")}}

    def per_clip(self, params):
        return functools.partial(_mels_and_picture, settings=self.settings(params))

    def write(self, files, results, params):
        from ..streams import npy_stream

        # each clip's chunks, index rows and picture written as they come: memory stays one clip's
        with npy_stream(MELS_ARRAY) as array, atomic_write(MELS_INDEX) as index_path, \
                open(index_path, "w", newline="") as handle:
            index = csv.writer(handle, lineterminator="\n")  # what pandas' to_csv writes
            index.writerow(["row", "file", "chunk"])
            for file, (chunks, png) in zip(files, results, strict=True):
                with atomic_write(image_path(MELS_IMAGES, file)) as picture:
                    picture.write_bytes(png)
                index.writerows([array.rows + k, file, k] for k in range(len(chunks)))
                array.add(chunks)
        write_json(self.settings(params), MELS_CONFIG)  # the recipe, so a model trained on these mels can make its own
        n_mels, frames = array.row_shape
        size = array.rows * n_mels * frames * array.dtype.itemsize
        return (f"{array.rows} chunks of {n_mels} x {frames} (float16, {size / 1e6:.1f} MB), {len(files)} clip "
                "images")

    def read(self):
        return pd.read_csv(MELS_INDEX).rename(columns={"row": "mel_row"})

    def inputs(self, rows, columns):
        """The rows' chunks, read a slice at a time when a network trains on them or predicts them."""
        from ..streams import NpyRows

        return NpyRows(MELS_ARRAY, rows["mel_row"].to_numpy())

    def config(self, params):
        return read_json(MELS_CONFIG)  # the recipe the stage used, so predict makes the same pictures

    def chunks(self, config, y, parts):
        from ..dsp.mels import chunk_mels

        return chunk_mels(y, parts, config["sample_rate"], config["n_mels"], config["n_fft"], config["hop_length"],
                          config["fmax"])  # the stage's clip_mels() calls it too


def _mels_and_picture(path, settings):
    """A clip's chunk spectrograms and its whole-clip picture (PNG bytes): the mels stage's work per clip."""
    from ..dsp.mels import clip_mels, picture_png

    chunks, whole = clip_mels(path, **settings)
    return chunks, picture_png(whole)


REPRESENTATION = Mels()
