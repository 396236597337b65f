"""JSON written the same way everywhere: sorted keys, so reruns diff cleanly in git and DVC."""

import json
from pathlib import Path


def write_json(data, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text())
