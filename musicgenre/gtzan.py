"""GTZAN reference data shipped in the package (``musicgenre/data/gtzan``), each file naming its source.

* ``GTZANindex.txt`` — Sturm's per-file artist and title index (244 artists; 81 files unidentified).
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
    """Sturm's index as a frame: file, artist, title (empty strings where unidentified).

    Artist spellings that differ only in case are merged into the first one seen, so grouping by
    artist never splits one artist in two.
    """
    rows = [[part.strip() for part in line.split(":::")] for line in _lines("GTZANindex.txt")]
    table = pd.DataFrame(rows, columns=["file", "artist", "title"])
    spelling = {}
    for name in table["artist"]:
        spelling.setdefault(name.casefold(), name)
    table["artist"] = table["artist"].map(lambda name: spelling[name.casefold()])
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
