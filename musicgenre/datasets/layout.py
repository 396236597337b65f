"""The raw layout every source produces, and its manifest.

``<raw>/audio/<genre>/<genre>.NNNNN.<ext>`` (five digits or more) plus ``<raw>/manifest.csv`` with one row per file:
``file, genre, md5, duration_s, sample_rate, channels, readable`` (and ``source_path`` for a
source whose files had other names). The genre (the label) is the name before the number, so
``file`` alone says where a clip lives and what it is labelled. GTZAN's sources write WAV; a
user's collection keeps its formats. Later stages only ever read this layout, so a new source
needs nothing but an importer into it.
"""

import hashlib
import re
import warnings
from pathlib import Path

import pandas as pd

from .. import GENRES
from ..audio import probe
from ..errors import MusicgenreError

#: A GTZAN clip name, as in the Kaggle copy (``.wav``) or the original Marsyas archive (``.au``).
CLIP_NAME = re.compile(r"^(?P<genre>" + "|".join(GENRES) + r")\.(?P<number>\d{5})\.(?P<ext>wav|au)$")
#: A clip's name in the raw layout: its label (which may hold dots and spaces), a number, its extension.
RAW_NAME = re.compile(r"^(?P<genre>.+)\.(?P<number>\d{5,})\.(?P<ext>[A-Za-z0-9]+)$")

MANIFEST_COLUMNS = ["file", "genre", "md5", "duration_s", "sample_rate", "channels", "readable"]


def label_of(file):
    """The label (genre) of raw clip ``file`` (``<label>.NNNNN.<ext>``)."""
    return file.rsplit(".", 2)[0]


def audio_path(raw_dir, file):
    """Where clip ``file`` (``<label>.NNNNN.<ext>``) lives in the raw layout."""
    return Path(raw_dir) / "audio" / label_of(file) / file


def image_path(images_dir, file):
    """Where the picture of clip ``file`` lives under ``images_dir``: ``<label>/<clip>.png``, as
    Kaggle's ``images_original``."""
    return Path(images_dir) / label_of(file) / f"{Path(file).stem}.png"


def checksum(path, algorithm):
    """The hex digest of a file by ``hashlib`` algorithm name, read in blocks (archives run to GiBs)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def md5sum(path):
    return checksum(path, "md5")


def build_manifest(raw_dir, origins=None):
    """Probe every clip under ``<raw_dir>/audio`` and return the manifest, sorted by file name;
    ``origins`` (raw name → path in the source) adds the ``source_path`` column."""
    rows = []
    for path in sorted((Path(raw_dir) / "audio").glob("*/*")):
        match = RAW_NAME.match(path.name)
        if not match or match["genre"] != path.parent.name:
            continue
        rows.append({"file": path.name, "genre": match["genre"], "md5": md5sum(path), **probe(path)})
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    if origins is not None:
        manifest["source_path"] = manifest["file"].map(origins)
    return manifest


def check_counts(manifest, genres, per_genre, allow_incomplete):
    """Check the copy holds ``per_genre`` clips numbered ``00000..`` for each genre.

    A short copy is an error naming what is missing (with the way to go on anyway), or only a
    warning when ``allow_incomplete`` is set.
    """
    present = set(manifest["file"])
    missing = [
        f"{genre}.{number:05d}.wav"
        for genre in genres
        for number in range(per_genre)
        if f"{genre}.{number:05d}.wav" not in present
    ]
    if not missing:
        return missing
    shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
    report = (
        f"the dataset copy is incomplete: {len(missing)} of {len(genres) * per_genre} expected "
        f"clips are missing ({shown})"
    )
    if not allow_incomplete:
        raise MusicgenreError(
            report + ". Point dataset.local_path at a complete copy, or set "
            "dataset.allow_incomplete: true to go on with what is there"
        )
    warnings.warn(report + "; going on because dataset.allow_incomplete is true", stacklevel=2)
    return missing
