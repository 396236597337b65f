"""DVC stage ``features``: the 57 Kaggle descriptors of every readable clip, per chunk and per clip.

Runs on the raw manifest, not the cleaned one, so changing a cleaning policy never pays for
feature extraction again.
"""

import pandas as pd

from musicgenre.datasets.layout import audio_path
from musicgenre.errors import friendly_main
from musicgenre.features import FEATURE_NAMES
from musicgenre.parallel import map_clips, scheduler_param
from musicgenre.params import chunk_grid, load_params, number, section
from musicgenre.paths import CHUNKS, CLIPS, RAW, RAW_MANIFEST
from musicgenre.representations import REPRESENTATIONS


@friendly_main
def main():
    params = load_params()
    settings = section(params, "features")
    _, chunk_seconds = chunk_grid(params)
    n_jobs = number(settings.get("n_jobs"), "features.n_jobs", -1, integer=True)
    manifest = pd.read_csv(RAW_MANIFEST)
    files = manifest.loc[manifest["readable"], "file"].tolist()
    results = map_clips(REPRESENTATIONS["features"].per_clip(params),
                        [audio_path(RAW, f) for f in files], n_jobs or 1, "features", "features.n_jobs",
                        scheduler=scheduler_param(params))
    clip_rows, chunk_rows = [], []
    for file, (clip, chunks) in zip(files, results, strict=True):
        clip_rows.append({"file": file, **clip})
        chunk_rows += [{"file": file, **row} for row in chunks]
    CHUNKS.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(chunk_rows, columns=["file", "chunk", "start_s", *FEATURE_NAMES]).to_parquet(CHUNKS, index=False)
    pd.DataFrame(clip_rows, columns=["file", *FEATURE_NAMES]).to_parquet(CLIPS, index=False)
    print(f"features: {len(clip_rows)} clips, {len(chunk_rows)} chunks of {chunk_seconds} s")


if __name__ == "__main__":
    main()
