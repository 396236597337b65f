"""musicgenre: reproducible, leakage-aware music-genre classification on GTZAN."""

__version__ = "0.1.0"

#: The ten GTZAN genres, in the dataset's (alphabetical) order. Every source uses these names.
GENRES = (
    "blues", "classical", "country", "disco", "hiphop",
    "jazz", "metal", "pop", "reggae", "rock",
)
