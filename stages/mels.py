"""DVC stage ``mels``: log-mel spectrograms per chunk (one float16 array + index) and a PNG per clip.

``data/inputs/mels/mels.npy`` is one array of shape ``(chunks, n_mels, frames)``, opened memory-mapped
(``np.load(..., mmap_mode="r")``); ``data/inputs/mels/index.csv`` maps each row to ``file, chunk``;
``data/inputs/mels/config.json`` is the recipe; ``data/inputs/mels/images/<genre>/<clip>.png`` are 432 x 288 pictures in the style of Kaggle's
``images_original``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from musicgenre.datasets.layout import audio_path
from musicgenre.errors import friendly_main
from musicgenre.jsonio import write_json
from musicgenre.parallel import map_clips, scheduler_param
from musicgenre.params import load_params, number, section
from musicgenre.paths import MELS_ARRAY, MELS_CONFIG, MELS_IMAGES, MELS_INDEX, RAW, RAW_MANIFEST
from musicgenre.representations import REPRESENTATIONS


@friendly_main
def main():
    params = load_params()
    mels = REPRESENTATIONS["mels"]
    settings = mels.settings(params)
    n_jobs = number(section(params, "mels").get("n_jobs"), "mels.n_jobs", -1, integer=True) or 1
    manifest = pd.read_csv(RAW_MANIFEST)
    files = manifest.loc[manifest["readable"], "file"].tolist()
    results = map_clips(mels.per_clip(params), [audio_path(RAW, f) for f in files], n_jobs,
                        "mels", "mels.n_jobs", scheduler=scheduler_param(params))
    arrays, index = [], []
    for file, (chunks, png) in zip(files, results, strict=True):
        image_path = MELS_IMAGES / file.split(".")[0] / f"{Path(file).stem}.png"
        image_path.parent.mkdir(parents=True, exist_ok=True)
        image_path.write_bytes(png)
        arrays.append(chunks)
        index += [{"file": file, "chunk": k} for k in range(len(chunks))]
    stacked = np.concatenate(arrays)
    np.save(MELS_ARRAY, stacked)
    pd.DataFrame(index).rename_axis("row").to_csv(MELS_INDEX)
    write_json(settings, MELS_CONFIG)  # the recipe, so a model trained on these mels can make its own
    print(f"mels: {stacked.shape[0]} chunks of {stacked.shape[1]} x {stacked.shape[2]} (float16, "
          f"{stacked.nbytes / 1e6:.1f} MB), {len(files)} clip images")


if __name__ == "__main__":
    main()
