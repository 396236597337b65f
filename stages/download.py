"""DVC stage ``download``: bring the chosen dataset source into ``data/raw`` (see params ``dataset``).

Everything that can fail without touching ``data/raw`` (credentials, network, paths, checksums)
is done first; only then is the old raw folder replaced.
"""

import shutil
import sys
from pathlib import Path

from tqdm import tqdm

from musicgenre import GENRES
from musicgenre.datasets import SOURCES, fma, kaggle, synthetic
from musicgenre.datasets.folder import COLLECTION, artist_summary, import_folder
from musicgenre.datasets.layout import build_manifest, check_counts
from musicgenre.datasets.local import existing_source, import_local
from musicgenre.errors import friendly_main
from musicgenre.params import choice, load_params, number, section
from musicgenre.paths import ARTISTS, RAW, RAW_MANIFEST

GTZAN_PER_GENRE = 100


def _bar(what):
    return lambda items: tqdm(items, desc=what, unit="clip", file=sys.stderr)


@friendly_main
def main():
    params = load_params()
    dataset = section(params, "dataset")
    source = choice(dataset.get("source"), "dataset.source", SOURCES)
    bring = {"kaggle": _kaggle, "local": _local, "synthetic": _synthetic, "folder": _folder, "fma": _fma}[source]
    write = bring(params, dataset)  # checks and fetches; returns what writes data/raw
    shutil.rmtree(RAW, ignore_errors=True)
    RAW.mkdir(parents=True)
    manifest, said = write()
    manifest.to_csv(RAW_MANIFEST, index=False)
    unreadable = manifest.loc[~manifest["readable"], "file"].tolist()
    shown = ", ".join(unreadable[:10]) + (f" and {len(unreadable) - 10} more" if len(unreadable) > 10 else "")
    print(f"{source}: {len(manifest)} clips in {RAW}/audio, {len(unreadable)} unreadable"
          + (f" ({shown}; the clean stage skips them)" if unreadable else "") + said)


def _gtzan(dataset, origin):
    def write():
        import_local(origin, RAW)
        manifest = build_manifest(RAW)
        check_counts(manifest, GENRES, GTZAN_PER_GENRE, bool(dataset.get("allow_incomplete", False)))
        return manifest, ""
    return write


def _kaggle(params, dataset):
    return _gtzan(dataset, kaggle.download(dataset.get("kaggle_handle")))  # network first: fail before deleting


def _local(params, dataset):
    return _gtzan(dataset, existing_source(dataset.get("local_path")))


def _synthetic(params, dataset):
    settings = section(params, "dataset.synthetic")
    sizes = {key: number(settings.get(key), f"dataset.synthetic.{key}", low, integer=True)
             for key, low in (("artists_per_genre", 2), ("clips_per_artist", 1), ("duplicates", 0),
                              ("mislabels", 0), ("unreadable", 0))}
    seconds = number(settings.get("clip_seconds"), "dataset.synthetic.clip_seconds", 1.0, 60.0)
    seed = number(params.get("seed"), "seed", 0, integer=True)

    def write():
        per_genre = synthetic.generate(RAW, seed=seed, clip_seconds=seconds, **sizes,
                                       progress=_bar("synthesising demo clips"))
        manifest = build_manifest(RAW)
        check_counts(manifest, GENRES, per_genre, bool(dataset.get("allow_incomplete", False)))
        return manifest, ""
    return write


def _folder(params, dataset):
    origin = existing_source(dataset.get("local_path"), COLLECTION)

    def write():  # the user's labels, whatever they are: nothing to count against
        origins, artists = import_folder(origin, RAW)
        artists.to_csv(ARTISTS, index=False)
        manifest = build_manifest(RAW, origins)
        return manifest, f"; {manifest['genre'].nunique()} labels; {artist_summary(artists)}"
    return write


def _fma(params, dataset):
    settings = section(params, "dataset.fma")
    subset = choice(settings.get("subset"), "dataset.fma.subset", fma.SUBSETS)
    if str(dataset.get("local_path") or "").strip():
        origin = existing_source(dataset.get("local_path"), fma.COPY)
        fma.check_copy(origin, subset)
    else:
        origin = Path(str(settings.get("cache") or "")).expanduser()
        for name in fma.archives(subset):
            fma.fetch(name, origin, settings.get("mirror") or fma.MIRROR)

    def write():
        origins, artists, official = fma.import_fma(origin, subset, RAW, progress=_bar(f"copying fma_{subset}"))
        artists.to_csv(ARTISTS, index=False)
        manifest = fma.with_official_split(build_manifest(RAW, origins), official)
        return manifest, f"; {fma.summary(manifest, subset)}"
    return write


if __name__ == "__main__":
    main()
