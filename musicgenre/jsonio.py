"""JSON written the same way everywhere: sorted keys, so reruns diff cleanly in git and DVC; whole
or not at all (:func:`musicgenre.files.atomic_write`)."""

import json
from pathlib import Path

from .files import atomic_write


def write_json(data, path):
    with atomic_write(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text())
