"""The Kaggle copy of GTZAN, through the official ``kagglehub`` client.

Credentials are whatever kagglehub accepts (``KAGGLE_USERNAME``/``KAGGLE_KEY``, ``KAGGLE_API_TOKEN``
or ``~/.kaggle/kaggle.json``). Without them, or without network, the user gets one message naming
every way out instead of a traceback from deep inside an HTTP client.
"""

from ..errors import MusicgenreError

WAYS_OUT = (
    "Ways out:\n"
    "  1. set Kaggle credentials: export KAGGLE_USERNAME=... KAGGLE_KEY=... (or put kaggle.json "
    "from kaggle.com > Settings > API into ~/.kaggle/), then run dvc repro again;\n"
    "  2. use a copy you already have: dvc exp run -S dataset.source=local "
    "-S dataset.local_path=/path/to/gtzan.zip (Kaggle zip/folder or Marsyas genres.tar.gz);\n"
    "  3. run the offline demo on the synthetic set: make demo"
)


def download(handle):
    """Download (or reuse kagglehub's cache of) dataset ``handle``; return its local folder."""
    import kagglehub
    from kagglehub.config import get_kaggle_credentials

    try:
        credentials = get_kaggle_credentials()
    except ValueError as err:  # a malformed kaggle.json
        raise MusicgenreError(f"Kaggle credentials are unusable: {err}.\n{WAYS_OUT}") from None
    if credentials is None:
        raise MusicgenreError(f"the Kaggle download needs Kaggle credentials and none are set.\n{WAYS_OUT}")
    try:
        return kagglehub.dataset_download(handle)
    except Exception as err:  # network, auth and HTTP errors all end the same way for the user
        raise MusicgenreError(
            f"downloading {handle} from Kaggle failed ({type(err).__name__}: {err}).\n{WAYS_OUT}"
        ) from None
