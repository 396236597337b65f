"""The README is short and its links resolve; the documentation site builds with --strict (every
link and anchor checked by MkDocs), and its pipeline diagram is the one ``dvc dag`` draws."""

import re
import subprocess
import sys

import pytest

from conftest import PROJECT

README = (PROJECT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading):
    """The anchor MkDocs (Python-Markdown's toc) gives a heading."""
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"[-\s]+", "-", text).strip("-")


def anchors(path):
    return {slug(line.lstrip("#")) for line in path.read_text().splitlines() if re.match(r"#{1,6} ", line)}


def test_the_readme_is_read_in_five_minutes_and_starts_with_two_commands():
    assert len(README.splitlines()) <= 250
    block = README.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.splitlines()] == ["make demo", "make test"]


@pytest.mark.parametrize("target", sorted(set(LINK.findall(README))))
def test_every_readme_link_resolves(target):
    if target.startswith(("http://", "https://")):
        assert re.fullmatch(r"https://[\w.-]+(/\S*)?", target), target  # no network here: well formed
        return
    path, _, anchor = target.partition("#")
    file = PROJECT / path
    assert file.exists(), f"README links {target}, and {path} does not exist"
    if anchor:
        assert anchor in anchors(file), f"README links {target}, and {path} has no heading with that anchor"


def test_the_documentation_builds_strictly_with_the_pipeline_as_dvc_draws_it(tmp_path):
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
                           cwd=PROJECT, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                                               "PATH": "/usr/bin:/bin"})
    assert built.returncode == 0, built.stderr[-3000:]
    drawn = subprocess.run([sys.executable, "-m", "dvc", "dag", "--md"], cwd=PROJECT, capture_output=True,
                           text=True, check=True).stdout
    page = (tmp_path / "pipeline" / "index.html").read_text()
    edges = re.findall(r"node\d+--&gt;node\d+|node\d+-->node\d+", page)
    assert edges and [e.replace("&gt;", ">") for e in edges] == re.findall(r"node\d+-->node\d+", drawn)
    assert all(f'"{stage}"' in drawn and stage in page for stage in ("review", "out_of_fold@knn", "train@fusion"))
    api = (tmp_path / "api" / "index.html").read_text()
    assert "load_model" in api and "Parameters" in api and "sample_rate" in api  # the numpydoc docstrings, rendered
