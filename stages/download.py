"""DVC stage ``download``: bring the chosen dataset source into ``data/raw`` (see params ``dataset``).

Everything that can fail without touching ``data/raw`` (credentials, network, paths, checksums)
is done first; only then is the old raw folder replaced.
"""

import shutil
import sys
from pathlib import Path

from tqdm import tqdm

from musicgenre import GENRES
from musicgenre.budget import say_cost
from musicgenre.datasets import fma, kaggle, synthetic
from musicgenre.datasets.folder import COLLECTION, artist_summary, import_folder
from musicgenre.datasets.layout import build_manifest, check_counts
from musicgenre.datasets.local import existing_source, import_local
from musicgenre.errors import friendly_main
from musicgenre.files import atomic_write
from musicgenre.params import load_params
from musicgenre.paths import ARTISTS, RAW, RAW_MANIFEST

GTZAN_PER_GENRE = 100


def _bar(what):
    return lambda items: tqdm(items, desc=what, unit="clip", file=sys.stderr)


@friendly_main
def main():
    params = load_params()
    dataset = params["dataset"]
    source = dataset["source"]
    bring = {"kaggle": _kaggle, "local": _local, "synthetic": _synthetic, "folder": _folder, "fma": _fma}[source]
    write = bring(params, dataset)  # checks and fetches; returns what writes data/raw
    shutil.rmtree(RAW, ignore_errors=True)
    RAW.mkdir(parents=True)
    manifest, said = write()
    with atomic_write(RAW_MANIFEST) as temporary:
        manifest.to_csv(temporary, index=False)
    unreadable = manifest.loc[~manifest["readable"], "file"].tolist()
    shown = ", ".join(unreadable[:10]) + (f" and {len(unreadable) - 10} more" if len(unreadable) > 10 else "")
    print(f"{source}: {len(manifest)} clips in {RAW}/audio, {len(unreadable)} unreadable"
          + (f" ({shown}; the clean stage skips them)" if unreadable else "") + said)
    cost = say_cost(manifest, params)  # a collection larger than GTZAN: what it will cost, or a stop
    if cost:
        print(cost)


def _gtzan(dataset, origin):
    def write():
        import_local(origin, RAW)
        manifest = build_manifest(RAW)
        check_counts(manifest, GENRES, GTZAN_PER_GENRE, dataset["allow_incomplete"])
        return manifest, ""
    return write


def _kaggle(params, dataset):
    return _gtzan(dataset, kaggle.download(dataset["kaggle_handle"]))  # network first: fail before deleting


def _local(params, dataset):
    return _gtzan(dataset, existing_source(dataset["local_path"]))


def _synthetic(params, dataset):
    def write():
        per_genre = synthetic.generate(RAW, seed=params["seed"], **dataset["synthetic"],
                                       progress=_bar("synthesising demo clips"))
        manifest = build_manifest(RAW)
        check_counts(manifest, GENRES, per_genre, dataset["allow_incomplete"])
        return manifest, ""
    return write


def _folder(params, dataset):
    origin = existing_source(dataset["local_path"], COLLECTION)

    def write():  # the user's labels, whatever they are: nothing to count against
        origins, artists = import_folder(origin, RAW)
        with atomic_write(ARTISTS) as temporary:
            artists.to_csv(temporary, index=False)
        manifest = build_manifest(RAW, origins)
        return manifest, f"; {manifest['genre'].nunique()} labels; {artist_summary(artists)}"
    return write


def _fma(params, dataset):
    settings = dataset["fma"]
    subset = settings["subset"]
    if dataset["local_path"].strip():
        origin = existing_source(dataset["local_path"], fma.COPY)
        fma.check_copy(origin, subset)
    else:
        origin = Path(settings["cache"]).expanduser()
        for name in fma.archives(subset):
            fma.fetch(name, origin, settings["mirror"])

    def write():
        origins, artists, official = fma.import_fma(origin, subset, RAW, progress=_bar(f"copying fma_{subset}"))
        with atomic_write(ARTISTS) as temporary:
            artists.to_csv(temporary, index=False)
        manifest = fma.with_official_split(build_manifest(RAW, origins), official)
        return manifest, f"; {fma.summary(manifest, subset)}"
    return write


if __name__ == "__main__":
    main()
