"""MkDocs hook: the pipeline page's diagram is drawn from what ``dvc dag --dot`` says of ``dvc.yaml``
and ``params.yaml`` at build time, never a hand-drawn copy that can fall behind the pipeline.

It is drawn here as an SVG in the page, so the site needs no script and no network to show it
(a Mermaid diagram is drawn by a script from a CDN, and shows as its source text offline). Edges a
longer path already implies are left out (``download`` feeds every stage through ``clean`` and the
representations), and the stages are laid out in layers, each below the stages it needs, ordered
to keep edges short: readable at the 20 and more stages a project with families of its own has.
"""

import html
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

MARKER = "<!-- dvc dag -->"
FONT, CHAR, PAD, HEIGHT, GAP, LAYER = 13, 7.9, 10, 28, 14, 64  # px: text, a monospace character, node box


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    project = Path(config["config_file_path"]).parent
    dot = subprocess.run([sys.executable, "-m", "dvc", "dag", "--dot"], cwd=project, capture_output=True, text=True)
    if dot.returncode != 0:
        raise RuntimeError(f"dvc dag --dot failed in {project}:\n{dot.stderr}")
    return markdown.replace(MARKER, svg(*graph(dot.stdout)))


def graph(dot):
    """``(stages, edges)`` of ``dvc dag --dot``'s output, in its order, without the edges a longer path implies."""
    stages = re.findall(r'^"([^"]+)";$', dot, re.M)
    full = nx.DiGraph(re.findall(r'^"([^"]+)" -> "([^"]+)"', dot, re.M))
    full.add_nodes_from(stages)
    order = {stage: k for k, stage in enumerate(stages)}  # the reduction's edges come in set order: sorted here
    return stages, sorted(nx.transitive_reduction(full).edges, key=lambda edge: (order[edge[0]], order[edge[1]]))


def layers(stages, edges):
    """Stages in layers, each stage one below the lowest it needs, ordered within a layer by where the
    stages it needs stand (and then by where those needing it stand), a few sweeps each way."""
    dag = nx.DiGraph(edges)
    dag.add_nodes_from(stages)
    order = {stage: k for k, stage in enumerate(stages)}
    rows = [sorted(generation, key=order.get) for generation in nx.topological_generations(dag)]
    for _ in range(4):
        for sweep, neighbours in ((range(1, len(rows)), dag.predecessors),
                                  (range(len(rows) - 2, -1, -1), dag.successors)):
            for k in sweep:
                place = {stage: x for row in rows for x, stage in enumerate(row)}

                def barycentre(stage):
                    near = [place[n] for n in neighbours(stage)]
                    return (sum(near) / len(near) if near else place[stage]), order[stage]

                rows[k].sort(key=barycentre)
    return rows


def svg(stages, edges):
    """The diagram as an inline SVG: a box per stage, a curve per edge, scaled to the page's width."""
    rows = layers(stages, edges)
    widths = {stage: len(stage) * CHAR + 2 * PAD for stage in stages}
    total = max(sum(widths[s] for s in row) + GAP * (len(row) - 1) for row in rows)
    box = {}
    for k, row in enumerate(rows):
        x = (total - sum(widths[s] for s in row) - GAP * (len(row) - 1)) / 2
        for stage in row:
            box[stage] = (x, k * (HEIGHT + LAYER), widths[stage])
            x += widths[stage] + GAP
    height = len(rows) * (HEIGHT + LAYER) - LAYER
    parts = [f'<svg class="dag" xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 {total + 4:.0f} {height + 4:.0f}" '
             f'style="max-width:100%;height:auto" role="img" font-family="monospace" font-size="{FONT}">',
             f"<title>The pipeline as dvc dag draws it: {len(stages)} stages</title>",
             '<defs><marker id="dag-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" '
             'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#5c6bc0"/></marker></defs>']
    for source, target in edges:
        (x1, y1, w1), (x2, y2, w2) = box[source], box[target]
        start, end, bend = (x1 + w1 / 2, y1 + HEIGHT), (x2 + w2 / 2, y2), (y2 - y1 - HEIGHT) / 2
        parts.append(f'<path class="edge" data-from="{html.escape(source)}" data-to="{html.escape(target)}" '
                     f'd="M{start[0]:.1f},{start[1]:.1f} C{start[0]:.1f},{start[1] + bend:.1f} {end[0]:.1f},'
                     f'{end[1] - bend:.1f} {end[0]:.1f},{end[1]:.1f}" fill="none" stroke="#5c6bc0" '
                     'stroke-width="1.2" marker-end="url(#dag-arrow)"/>')
    for stage in stages:
        x, y, w = box[stage]
        parts.append(f'<g class="node"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{HEIGHT}" rx="5" '
                     f'fill="#e8eaf6" stroke="#3f51b5"/><text x="{x + w / 2:.1f}" y="{y + HEIGHT / 2 + FONT * 0.35:.1f}" '
                     f'text-anchor="middle" fill="#1a237e">{html.escape(stage)}</text></g>')
    return "\n".join(parts + ["</svg>"])
