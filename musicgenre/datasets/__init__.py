"""Dataset sources. Each one ends in the same raw layout (see :mod:`musicgenre.datasets.layout`).

What differs between sources is said here once: which of them hold GTZAN's clips, and so come
with its shipped fault list, Sturm's artist index and its published split; and which split is
each source's honest default. The other sources bring their own artists
(``data/raw/artists.csv``), and FMA its official split (the raw manifest's ``official_set``).
"""

#: ``dataset.source``: the Kaggle copy of GTZAN, a GTZAN copy you have, the demo set, your own
#: collection, the Free Music Archive.
GTZAN_SOURCES = ("kaggle", "local")


def is_gtzan(source):
    """Whether ``dataset.source`` holds GTZAN's clips (its fault list, artists and published split apply)."""
    return source in GTZAN_SOURCES


def auto_split(source):
    """``split.strategy: auto``: the published split where the source has one, else artist-disjoint."""
    return "fault_filtered" if is_gtzan(source) else "official" if source == "fma" else "artist"
