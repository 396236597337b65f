"""GTZAN reference data shipped in the package (``musicgenre/data/gtzan``), each file naming its source.

* ``GTZANindex_2024.txt`` — Sturm's per-file artist and title index, 2024 edition (271 artists;
  17 files unidentified).
* ``fault_filtered_{train,valid,test}.txt`` — the fault-filtered, artist-conscious split of
  Kereliuk, Sturm & Larsen (2015): 443/197/290 clips, the 70 faulty ones left out.
"""

from functools import lru_cache
from importlib import resources

import pandas as pd

from .artists import one_spelling

PUBLISHED_SETS = ("train", "valid", "test")


def _lines(name):
    text = (resources.files("musicgenre") / "data" / "gtzan" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def index():
    """Sturm's index as a frame: file, artist, title (empty strings where unidentified).

    Spellings of one artist (:func:`musicgenre.artists.artist_key`) are written one way, so
    grouping by artist never splits one artist in two.
    """
    rows = [[part.strip() for part in line.split(":::")] for line in _lines("GTZANindex_2024.txt")]
    table = pd.DataFrame(rows, columns=["file", "artist", "title"])
    table["artist"] = one_spelling(table["artist"])
    return table


def artists():
    """file → artist for every identified GTZAN file (unidentified files are left out)."""
    table = index()
    known = table[table["artist"] != ""]
    return dict(zip(known["file"], known["artist"]))


@lru_cache(maxsize=1)
def fault_filtered_split():
    """file → ``train`` | ``valid`` | ``test`` for the 930 clips of the published split."""
    return {line.split("/")[-1]: name for name in PUBLISHED_SETS for line in _lines(f"fault_filtered_{name}.txt")}
