"""DVC stage ``download``: bring the chosen dataset source into ``data/raw`` (see params ``dataset``)."""

import shutil
import sys
from pathlib import Path

from tqdm import tqdm

from musicgenre import GENRES
from musicgenre.datasets import kaggle, synthetic
from musicgenre.datasets.layout import build_manifest, check_counts
from musicgenre.datasets.local import import_local
from musicgenre.errors import MusicgenreError, friendly_main
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
        origin = Path(str(dataset.get("local_path") or "")).expanduser()
        if not str(dataset.get("local_path") or "").strip() or not origin.exists():
            raise MusicgenreError(
                f"dataset.source is local but dataset.local_path ({dataset.get('local_path')!r}) is not "
                "an existing file or folder: set it to your GTZAN copy, e.g. "
                "dvc exp run -S dataset.local_path=/data/gtzan.zip")
    shutil.rmtree(RAW, ignore_errors=True)
    RAW.mkdir(parents=True)
    if source == "synthetic":
        settings = section(params, "dataset.synthetic")
        sizes = {key: number(settings.get(key), f"dataset.synthetic.{key}", low, integer=True)
                 for key, low in (("artists_per_genre", 2), ("clips_per_artist", 1), ("duplicates", 0),
                                  ("mislabels", 0), ("unreadable", 0))}
        seconds = number(settings.get("clip_seconds"), "dataset.synthetic.clip_seconds", 1.0, 60.0)
        seed = number(params.get("seed"), "seed", 0, integer=True)
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
