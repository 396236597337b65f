"""DVC stage ``download``: bring the chosen dataset source into ``data/raw`` (see params ``dataset``)."""

import shutil
import sys

from tqdm import tqdm

from musicgenre import GENRES
from musicgenre.datasets import kaggle, synthetic
from musicgenre.datasets.layout import build_manifest, check_counts
from musicgenre.datasets.local import existing_source, import_local
from musicgenre.errors import friendly_main
from musicgenre.params import choice, load_params, number, section
from musicgenre.paths import RAW, RAW_MANIFEST

SOURCES = ("kaggle", "local", "synthetic")
GTZAN_PER_GENRE = 100


@friendly_main
def main():
    params = load_params()
    dataset = section(params, "dataset")
    source = choice(dataset.get("source"), "dataset.source", SOURCES)
    if source == "kaggle":
        origin = kaggle.download(dataset.get("kaggle_handle"))  # network first: fail before deleting
    elif source == "local":
        origin = existing_source(dataset.get("local_path"))  # checked before data/raw is cleared
    else:
        settings = section(params, "dataset.synthetic")
        sizes = {key: number(settings.get(key), f"dataset.synthetic.{key}", low, integer=True)
                 for key, low in (("artists_per_genre", 2), ("clips_per_artist", 1), ("duplicates", 0),
                                  ("mislabels", 0), ("unreadable", 0))}
        seconds = number(settings.get("clip_seconds"), "dataset.synthetic.clip_seconds", 1.0, 60.0)
        seed = number(params.get("seed"), "seed", 0, integer=True)
    shutil.rmtree(RAW, ignore_errors=True)
    RAW.mkdir(parents=True)
    if source == "synthetic":
        per_genre = synthetic.generate(
            RAW, seed=seed, clip_seconds=seconds, **sizes,
            progress=lambda it: tqdm(it, desc="synthesising demo clips", unit="clip", file=sys.stderr))
    else:
        import_local(origin, RAW)
        per_genre = GTZAN_PER_GENRE
    manifest = build_manifest(RAW)
    check_counts(manifest, GENRES, per_genre, bool(dataset.get("allow_incomplete", False)))
    manifest.to_csv(RAW_MANIFEST, index=False)
    unreadable = manifest.loc[~manifest["readable"], "file"].tolist()
    print(f"{source}: {len(manifest)} clips in {RAW}/audio, {len(unreadable)} unreadable"
          + (f" ({', '.join(unreadable)}; the clean stage skips them)" if unreadable else ""))


if __name__ == "__main__":
    main()
