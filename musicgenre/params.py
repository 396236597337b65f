"""Reading and checking ``params.yaml``.

Stages read only their own section, and each check names the key and the accepted values, so a
typo in ``params.yaml`` (or in ``dvc exp run -S``) fails before any work is done.
"""

from pathlib import Path

import yaml

from .errors import MusicgenreError


def load_params(path="params.yaml"):
    """Return the parsed params file as a dict."""
    path = Path(path)
    if not path.exists():
        raise MusicgenreError(f"{path} not found: run the stage from the project root")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise MusicgenreError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(params, dict):
        raise MusicgenreError(f"{path} must be a mapping of sections, got {type(params).__name__}")
    return params


def section(params, dotted):
    """Return ``params[a][b]...`` for ``"a.b"``, or say which key is missing."""
    node = params
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            raise MusicgenreError(f"params.yaml has no '{dotted}' (missing '{key}')")
        node = node[key]
    return node


def choice(value, name, choices):
    """Check ``value`` is one of ``choices``; the error lists them."""
    if value not in choices:
        raise MusicgenreError(
            f"params.yaml: {name} is {value!r}; expected one of: {', '.join(map(str, choices))}"
        )
    return value


def number(value, name, low=None, high=None, integer=False):
    """Check ``value`` is a number within ``[low, high]`` (bounds inclusive, ``None`` = open)."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a number"
        raise MusicgenreError(f"params.yaml: {name} must be {kind}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        raise MusicgenreError(f"params.yaml: {name} is {value}; it must lie in {bounds}")
    return value


def chunk_grid(params):
    """``(sample_rate, chunk_seconds)`` from ``features``: the one chunk grid that descriptors, mels
    and embeddings share, so their rows line up."""
    features = section(params, "features")
    return (number(features.get("sample_rate"), "features.sample_rate", 4000, 96000, integer=True),
            number(features.get("chunk_seconds"), "features.chunk_seconds", 0.5, 30.0))
