"""The Free Music Archive (Defferrard, Benzi, Vandergheynst & Bresson, ISMIR 2017, arXiv:1612.01840),
``fma_small`` (8000 clips of 30 s, 8 balanced genres) or ``fma_medium`` (25000 clips, 16 genres).

* **Download**: ``fma_metadata.zip`` and ``fma_<subset>.zip`` from the authors' server
  (``dataset.fma.mirror``), resumable (an interrupted transfer leaves a ``.part`` file that the next run
  continues with an HTTP range request, or restarts when the server ignores it), with a progress
  bar. Each archive's SHA-1 is checked against the published one (:data:`SHA1`, from the FMA
  README) before anything is read from it; a mismatch deletes the file and stops. Or
  ``dataset.local_path``: a folder with those zips, or with them extracted.
* **Metadata**: ``tracks.csv`` as published (a two-row column header and the ``track_id`` index
  row), genre = ``track.genre_top``, artist = ``artist.id``, and the **official split**
  ``set.split`` (training / validation / test, artist-filtered by the authors), saved as
  ``official_split.csv`` for ``split.strategy: official``.
* **Audio**: ``fma_small/000/000002.mp3`` becomes ``audio/<genre>/<genre>.000002.mp3`` (the
  number is the track id), bytes unchanged. A ``/`` in a genre name (``Old-Time / Historic``)
  becomes ``-``, which file names allow. FMA ships some broken or near-empty MP3s: the manifest
  records them ``readable=false`` (:data:`MIN_SECONDS`), and the clean stage skips them.
"""

import http.client
import io
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from ..errors import MusicgenreError
from ..files import atomic_write
from .layout import checksum

#: The published SHA-1 of each archive (github.com/mdeff/fma, README "Data").
SHA1 = {"fma_metadata.zip": "f0df49ffe5f2a6008d7dc83c6915b31835dfe733",
        "fma_small.zip": "ade154f733639d52e35e32f5593efe5be76c6d70",
        "fma_medium.zip": "c67b69ea232021025fca9231fc1c7c1a063ab50b"}
#: A clip shorter than this is one of FMA's near-empty files: recorded unreadable.
MIN_SECONDS = 1.0
SETS = {"training": "train", "validation": "valid", "test": "test"}
SPLIT_COLUMNS = ["file", "set"]
COPY = ("a folder holding FMA's fma_metadata.zip and fma_<subset>.zip (or those archives extracted)", "fma",
        "/data/fma")


def archives(subset):
    """The two archives a subset needs."""
    return ["fma_metadata.zip", f"fma_{subset}.zip"]


def sha1(path):
    return checksum(path, "sha1")


def fetch(name, folder, mirror, expected=None, progress=True):
    """``folder/name``, downloaded from ``mirror`` if it is not there yet, resumed from its ``.part``
    file if an earlier transfer was cut, and checked against its SHA-1 (``expected``, by default
    the published one) before it is returned."""
    from tqdm import tqdm

    expected = expected or SHA1[name]
    folder = Path(folder)
    target, part = folder / name, folder / f"{name}.part"
    if target.exists():
        return _checked(target, expected)
    folder.mkdir(parents=True, exist_ok=True)
    url = mirror.rstrip("/") + "/" + name
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            if offset and response.status != 206:  # the server ignored the range: start again
                offset = 0
            size = response.headers.get("Content-Length")
            total = offset + int(size) if size is not None else None
            with open(part, "ab" if offset else "wb") as out, tqdm(
                    total=total, initial=offset, unit="B", unit_scale=True, desc=f"downloading {name}",
                    file=sys.stderr, disable=not progress) as bar:
                while block := response.read(1 << 20):
                    out.write(block)
                    bar.update(len(block))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        have = part.stat().st_size if part.exists() else 0
        raise MusicgenreError(
            f"the download of {url} stopped ({getattr(err, 'reason', err)}) after {have / 2**20:.1f} MiB; run "
            f"the stage again to resume it from {part}, or download it yourself and set dataset.local_path to "
            "its folder") from None
    if total is not None and part.stat().st_size != total:
        raise MusicgenreError(
            f"the download of {url} ended early ({part.stat().st_size} of {total} bytes); run the stage again "
            f"to resume it from {part}")
    _checked(part, expected, name)
    part.rename(target)
    return target


def _checked(path, expected, name=None):
    digest = sha1(path)
    if digest != expected:
        path.unlink()
        raise MusicgenreError(
            f"{name or path.name}: its SHA-1 is {digest}, not the published {expected}: the file is damaged or "
            f"not FMA's. It was deleted, and nothing was extracted from it; run the stage again to download it "
            "afresh")
    return path


def check_copy(origin, subset):
    """The user's own copy: each archive it holds must have its published SHA-1 (it is left alone
    if not); extracted folders are taken as they are."""
    for name in archives(subset):
        path = Path(origin) / name
        if path.is_file() and (digest := sha1(path)) != SHA1[name]:
            raise MusicgenreError(
                f"{path}: its SHA-1 is {digest}, not the published {SHA1[name]}: the archive is damaged or not "
                "FMA's. Nothing was extracted; download it again (or leave dataset.local_path empty to let the "
                "stage download it)")


def with_official_split(manifest, official):
    """The raw manifest with ``official_set`` (train / valid / test, or empty), and FMA's near-empty
    clips (shorter than :data:`MIN_SECONDS`) marked unreadable."""
    manifest = manifest.copy()
    manifest["official_set"] = manifest["file"].map(dict(zip(official["file"], official["set"]))).fillna("")
    manifest.loc[manifest["duration_s"] < MIN_SECONDS, "readable"] = False
    return manifest


def summary(manifest, subset):
    """What the download stage says about an FMA import."""
    sets = manifest.loc[manifest["readable"], "official_set"].value_counts()
    return (f"fma_{subset}: {manifest['genre'].nunique()} genres; official split "
            f"{sets.get('train', 0)} training, {sets.get('valid', 0)} validation, {sets.get('test', 0)} test clips")


def read_tracks(handle):
    """``tracks.csv`` as published (two header rows and an index row): ``track_id`` → ``genre``,
    ``artist``, ``subset``, ``split``."""
    tracks = pd.read_csv(handle, index_col=0, header=[0, 1], low_memory=False)
    wanted = {("track", "genre_top"): "genre", ("artist", "id"): "artist", ("set", "subset"): "subset",
              ("set", "split"): "split"}
    missing = [".".join(column) for column in wanted if column not in tracks.columns]
    if missing:
        raise MusicgenreError(f"tracks.csv has no {', '.join(missing)} column: is it FMA's fma_metadata/tracks.csv?")
    table = tracks[list(wanted)].copy()
    table.columns = list(wanted.values())
    table.index = table.index.astype(int)
    return table


def in_subset(tracks, subset):
    """The tracks of ``subset``: the subsets nest (small inside medium inside large)."""
    order = ("small", "medium", "large")
    return tracks[tracks["subset"].isin(order[:order.index(subset) + 1])]


def label(genre):
    """A genre as a label folder name: ``/`` is the one character a folder name cannot hold."""
    return str(genre).replace("/", "-").strip()


def import_fma(origin, subset, raw_dir, progress=None):
    """Copy ``subset``'s clips from ``origin`` (a folder with the two zips, or with them
    extracted) into ``raw_dir``; returns ``(origins, artists, official)`` tables for the raw folder."""
    progress = progress or (lambda items: items)
    with _Reader(Path(origin), subset) as reader:
        tracks = in_subset(read_tracks(io.BytesIO(reader.metadata("tracks.csv"))), subset)
        tracks = tracks[tracks["genre"].notna()]
        origins, artists, official = {}, [], []
        for track_id, row in progress(list(tracks.iterrows())):
            number = f"{track_id:06d}"
            inside = f"fma_{subset}/{number[:3]}/{number}.mp3"
            data = reader.audio(inside)
            if data is None:
                continue  # listed in tracks.csv but not in this archive
            name = f"{label(row['genre'])}.{number}.mp3"
            target = Path(raw_dir) / "audio" / label(row["genre"]) / name
            with atomic_write(target) as temporary:
                temporary.write_bytes(data)
            origins[name] = inside
            artists.append({"file": name, "artist": f"fma:{int(row['artist'])}", "artist_source": "metadata"})
            official.append({"file": name, "set": SETS.get(row["split"], "")})
    if not origins:
        raise MusicgenreError(f"no fma_{subset} clip found in {origin}; it needs fma_{subset}.zip (or its extracted "
                              f"fma_{subset}/ folder) beside fma_metadata")
    return origins, pd.DataFrame(artists), pd.DataFrame(official, columns=SPLIT_COLUMNS)


class _Reader:
    """Members of the FMA archives (or of their extracted folders) by their path inside them."""

    def __init__(self, origin, subset):
        self.origin, self.subset, self.zips = origin, subset, {}

    def __enter__(self):
        for name in archives(self.subset):
            if (self.origin / name).is_file():
                self.zips[name] = zipfile.ZipFile(self.origin / name)
        return self

    def __exit__(self, *exc):
        for archive in self.zips.values():
            archive.close()

    def _read(self, archive, inside):
        if archive in self.zips:
            try:
                return self.zips[archive].read(inside)
            except KeyError:
                return None
        path = self.origin / PurePosixPath(inside)
        return path.read_bytes() if path.is_file() else None

    def metadata(self, name):
        data = self._read("fma_metadata.zip", f"fma_metadata/{name}")
        if data is None:
            raise MusicgenreError(f"{self.origin} has neither fma_metadata.zip nor fma_metadata/{name}; point "
                                  "dataset.local_path at the folder holding FMA's archives, or leave it empty to "
                                  "download them")
        return data

    def audio(self, inside):
        return self._read(f"fma_{self.subset}.zip", inside)
