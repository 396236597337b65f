"""MkDocs hook: the pipeline page's diagram is what ``dvc dag --md`` draws from ``dvc.yaml`` and
``params.yaml`` at build time, never a hand-drawn copy that can fall behind the pipeline."""

import subprocess
import sys
from pathlib import Path

MARKER = "<!-- dvc dag -->"


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    project = Path(config["config_file_path"]).parent
    drawn = subprocess.run([sys.executable, "-m", "dvc", "dag", "--md"], cwd=project, capture_output=True, text=True)
    if drawn.returncode != 0:
        raise RuntimeError(f"dvc dag --md failed in {project}:\n{drawn.stderr}")
    return markdown.replace(MARKER, drawn.stdout.strip())
