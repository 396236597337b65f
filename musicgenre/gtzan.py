"""GTZAN reference data shipped in the package (``musicgenre/data/gtzan``), each file naming its source.

* ``GTZANindex_2024.txt`` — Sturm's per-file artist and title index, 2024 edition (271 artists;
  17 files unidentified).
* ``fault_filtered_{train,valid,test}.txt`` — the fault-filtered, artist-conscious split of
  Kereliuk, Sturm & Larsen (2015): 443/197/290 clips, the 70 faulty ones left out.
"""

from functools import lru_cache
from importlib import resources

import pandas as pd

PUBLISHED_SETS = ("train", "valid", "test")


def _lines(name):
    text = (resources.files("musicgenre") / "data" / "gtzan" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def index():
    """Sturm's index as a frame: file, artist, title (empty strings where unidentified), as shipped.

    The splits group an artist's spellings as one (:mod:`musicgenre.artists`); this edition writes
    each artist one way already (tests/test_gtzan.py checks it).
    """
    rows = [[part.strip() for part in line.split(":::")] for line in _lines("GTZANindex_2024.txt")]
    return pd.DataFrame(rows, columns=["file", "artist", "title"])


def artists():
    """file → artist for every identified GTZAN file (unidentified files are left out)."""
    table = index()
    known = table[table["artist"] != ""]
    return dict(zip(known["file"], known["artist"]))


@lru_cache(maxsize=1)
def fault_filtered_split():
    """file → ``train`` | ``valid`` | ``test`` for the 930 clips of the published split."""
    return {line.split("/")[-1]: name for name in PUBLISHED_SETS for line in _lines(f"fault_filtered_{name}.txt")}
