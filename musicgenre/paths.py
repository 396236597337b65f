"""Where each stage reads and writes, relative to the project root (mirrors ``dvc.yaml``)."""

from pathlib import Path

RAW = Path("data/raw")
RAW_MANIFEST = RAW / "manifest.csv"
ARTISTS = RAW / "artists.csv"
CLEAN_MANIFEST = Path("data/clean/manifest.csv")
DUPLICATES = Path("data/clean/duplicates.csv")
INPUTS = Path("data/inputs")  # one folder per representation: data/inputs/<name>
CHUNKS = Path("data/inputs/features/chunks.parquet")
CLIPS = Path("data/inputs/features/clips.parquet")
MELS_ARRAY = Path("data/inputs/mels/mels.npy")
MELS_INDEX = Path("data/inputs/mels/index.csv")
MELS_CONFIG = Path("data/inputs/mels/config.json")
MELS_IMAGES = Path("data/inputs/mels/images")
EMBEDDINGS = Path("data/inputs/embeddings/chunks.parquet")
EMBEDDINGS_INFO = Path("data/inputs/embeddings/model.json")
TABLES_CHUNKS = Path("data/inputs/tables/chunks.parquet")  # the table inputs side by side (stage combine)
SPLIT = Path("data/split/split.csv")
MODELS = Path("data/models")
METRICS = Path("metrics")
CLEANING_METRICS = METRICS / "cleaning.json"
CONFUSION = Path("plots/confusion")
EXCERPTS = Path("plots/excerpts")  # per family: each test clip's genre on each excerpt length
IMAGES = Path("plots/images")
CV_SCORES = Path("plots/cv_scores.csv")
BY_LENGTH = Path("plots/accuracy_by_length.csv")
COMPARISON = METRICS / "comparison.json"
LEAKAGE_METRICS = METRICS / "leakage.json"
LEAKAGE_PLOT = Path("plots/leakage.png")
OUT_OF_FOLD = Path("data/review/out_of_fold")  # per review family: its out-of-fold clip probabilities
SUSPECTS = Path("data/review/suspects.csv")
REVIEW_METRICS = METRICS / "review.json"
REVIEW_PAGE = Path("plots/review.html")


def model_dir(family):
    return MODELS / family


def out_of_fold_dir(family):
    return OUT_OF_FOLD / family


def family_metrics(family):
    return METRICS / f"{family}.json"
