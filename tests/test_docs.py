"""The README is short and its links resolve; the documentation site builds with --strict (every
link and anchor checked by MkDocs), and its pipeline diagram is the one ``dvc dag`` draws."""

import re
import shutil
import subprocess
import sys

import networkx as nx
import pytest

from conftest import PROJECT

README = (PROJECT / "README.md").read_text()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
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
    dot = subprocess.run([sys.executable, "-m", "dvc", "dag", "--dot"], cwd=PROJECT, capture_output=True,
                         text=True, check=True).stdout
    dag = nx.DiGraph(re.findall(r'^"([^"]+)" -> "([^"]+)"', dot, re.M))
    page = (tmp_path / "pipeline" / "index.html").read_text()
    drawn = nx.DiGraph(re.findall(r'class="edge" data-from="([^"]+)" data-to="([^"]+)"', page))
    # every edge dvc draws is drawn, or implied by a path of drawn ones; none is implied by the others
    assert set(drawn.edges) <= set(dag.edges) and set(drawn) == set(dag)
    assert all(nx.has_path(drawn, a, b) for a, b in dag.edges)
    assert not [(a, b) for a, b in drawn.edges if nx.has_path(nx.restricted_view(drawn, [], [(a, b)]), a, b)]
    assert all(f">{stage}</text>" in page for stage in ("review", "out_of_fold@knn", "train@fusion"))
    api = (tmp_path / "api" / "index.html").read_text()
    assert "load_model" in api and "Parameters" in api and "sample_rate" in api  # the numpydoc docstrings, rendered
    if not CHROMIUM:
        pytest.skip("the page's offline check needs Chromium (Debian's chromium package: make browser)")
    shown_offline(tmp_path / "pipeline" / "index.html", len(dag))


def shown_offline(page_path, n_stages):
    """The pipeline page, opened in headless Chromium with every request off this machine refused, asks
    for nothing off it and shows the diagram drawn (a box per stage, with its name), not a source text."""
    from playwright.sync_api import sync_playwright

    asked = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else (
            asked.append(route.request.url), route.abort()))
        page.goto(page_path.as_uri())
        diagram = page.locator("svg.dag")
        box = diagram.bounding_box()
        nodes = diagram.locator("g.node")
        widths = [nodes.nth(k).bounding_box()["width"] for k in range(nodes.count())]
        text = page.inner_text("article")
        browser.close()
    assert not asked, asked
    assert box and box["width"] > 600 and box["height"] > 200
    assert len(widths) == n_stages and min(widths) > 30
    assert "graph TD" not in text and "-->" not in text
