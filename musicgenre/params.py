"""Reading ``params.yaml``, checked against its schema (:mod:`musicgenre.schema`).

Every stage loads the whole file through :func:`load_params`, so a typo anywhere in
``params.yaml`` (or in ``dvc exp run -S``) fails before any work is done, with a message naming the
key, and a setting left out gets its one default from the schema.
"""

from pathlib import Path

import yaml

from .errors import MusicgenreError
from .schema import checked


def load_params(path="params.yaml"):
    """The params file as a dict, checked, with every default filled in (:func:`schema.checked`)."""
    path = Path(path)
    if not path.exists():
        raise MusicgenreError(f"{path} not found: run the stage from the project root")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise MusicgenreError(f"{path} is not valid YAML: {err}") from None
    return checked(params)


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


def chunk_grid(params):
    """``(sample_rate, chunk_seconds)`` from ``chunks``: the one chunk grid that descriptors, mels
    and embeddings share, so their rows line up."""
    return params["chunks"]["sample_rate"], params["chunks"]["seconds"]
