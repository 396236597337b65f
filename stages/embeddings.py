"""DVC stage ``embeddings``: pretrained musicnn embeddings per chunk, a table like ``chunks.parquet``.

``data/inputs/embeddings/chunks.parquet`` has ``file, chunk`` and one column per embedding dimension
(``e000`` ...); ``data/inputs/embeddings/model.json`` names the model, layer and package version.
"""

import numpy as np
import pandas as pd

from musicgenre.datasets.layout import audio_path
from musicgenre.embeddings import column_names, package
from musicgenre.errors import friendly_main
from musicgenre.jsonio import write_json
from musicgenre.parallel import map_clips, scheduler_param
from musicgenre.params import chunk_grid, load_params, number, section
from musicgenre.paths import EMBEDDINGS, EMBEDDINGS_INFO, RAW, RAW_MANIFEST
from musicgenre.representations import REPRESENTATIONS


@friendly_main
def main():
    params = load_params()
    embeddings = REPRESENTATIONS["embeddings"]
    settings = embeddings.settings(params)
    model, layer = settings["model"], settings["layer"]
    n_jobs = number(section(params, "embeddings").get("n_jobs"), "embeddings.n_jobs", -1, integer=True) or 1
    sample_rate, chunk_seconds = chunk_grid(params)
    _, version = package()
    files = pd.read_csv(RAW_MANIFEST).query("readable")["file"].tolist()
    embed = embeddings.per_clip(params)
    # batch_size: each worker keeps its TensorFlow graph between clips, so hand out clips in batches
    results = map_clips(embed, [audio_path(RAW, f) for f in files], n_jobs, "embeddings", "embeddings.n_jobs",
                        batch_size=4, scheduler=scheduler_param(params))
    frames = []
    for file, values in zip(files, results, strict=True):
        frame = pd.DataFrame(values, columns=column_names(values.shape[1]))
        frame.insert(0, "chunk", np.arange(len(values)))
        frame.insert(0, "file", file)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    EMBEDDINGS.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(EMBEDDINGS, index=False)
    dim = table.shape[1] - 2
    write_json({"package": f"musicnn {version}", "model": model, "layer": layer, "dimensions": dim,
                "sample_rate": sample_rate, "chunk_seconds": chunk_seconds}, EMBEDDINGS_INFO)
    print(f"embeddings: {len(table)} chunks x {dim} ({model} {layer}, musicnn {version}) from {len(files)} clips")


if __name__ == "__main__":
    main()
