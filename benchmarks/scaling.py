"""Benchmark: how each stage's time and peak memory grow with the collection, and what a size costs here.

The demo generator's clips (named like GTZAN's, five artists per genre; 30 s each, ``--quick``:
6 s) at several sizes (default 250, 500, 1000 and 2000 clips; ``--quick``: 50, 100 and 200), each
imported as a collection of one's own (``dataset.source: folder``) into a fresh copy of the
project and run stage by stage with ``dvc repro --single-item``: the data stages (``download``,
``clean``, every ``represent@<name>``, ``combine``), then any others ``--stages`` names (``split
train@cnn``...), or with ``--all`` every stage of the pipeline, in ``dvc repro``'s order: the
figures ``download`` projects a whole run from (``--save musicgenre/data/scaling.json``). Each
stage's wall time and peak memory are measured as in ``benchmarks/gtzan_budget.py`` (the largest
sum of resident memory over its process tree: DVC, the stage and its workers).

It prints a line per size and stage (wall time, seconds per clip, peak memory), then per stage
the fitted growth (:func:`fit`): the time exponent (the slope of log time against log clips), the
exponent of the time above the fixed cost, the fixed cost, the memory slope in MB per 1,000 clips,
and the projected time and peak for FMA small (8,000 clips), medium (25,000) and large (106,574)
on this machine (:func:`musicgenre.budget.stage_cost`, what ``download`` projects by).
``--quick`` sizes are too small to project from (fixed costs dominate): it checks that the
benchmark runs.

With ``--keep`` each size's project stays in the cache folder with what was measured in it
(``measured.json``); a later run brings it to this commit's code and params and measures only the
stages DVC finds out of date or whose measurement was dropped from that file, so a stop halfway, or
a change to one stage (``--stages split train@cnn`` after a change to the training), costs only what
it touches. ``--repeat 2`` runs each stage twice and keeps the faster: on a shared machine one slow
run of a short stage bends its fitted exponent. ``--cold`` (root only) starts every run from the
same memory state (:func:`go_cold`).

    python benchmarks/scaling.py [--sizes 250 500 1000 2000] [--quick] [--stages split train@cnn | --all]
                                 [--cache ~/.cache/musicgenre/scaling] [--keep] [--repeat 2] [--cold] [--save FILE]
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from gtzan_budget import (PROJECT, build_collection, checkout, data_stages, pipeline_order,  # beside it
                          project_copy, run_stage)
from musicgenre import GENRES
from musicgenre.budget import stage_cost

#: Collection sizes whose cost a user meets: FMA small, medium and large.
PROJECTED = {"FMA small": 8000, "FMA medium": 25000, "FMA large": 106574}

#: Where Linux drops its page cache (writing 3 drops clean pages, dentries and inodes).
DROP_CACHES = Path("/proc/sys/vm/drop_caches")

#: Seconds for a virtual machine's host to take back the memory the drop freed (free page reporting
#: hands it back within a few seconds here).
SETTLE_S = 10.0


def fit(sizes, seconds, peaks):
    """A stage's growth from its measured ``sizes``, wall ``seconds`` and ``peaks`` (bytes):

    - ``exponent``: the slope of log time against log clips (1: linear; below 1 while a fixed cost
      such as starting DVC or loading a model still weighs);
    - ``fixed_s``, ``scale_s``, ``growth_exponent``: the best ``time = fixed_s + scale_s * clips **
      growth_exponent`` (no negative fixed cost; the exponent on a grid of 0.01 from 0.5 to 2.5): how
      the time above the fixed cost grows, and what the projections use (a search that costs the
      square of its rows is not a straight line). When the straight line's growth over the largest
      size is less than its fixed cost, the sizes cannot tell the exponent (a second on a stage of
      three bends it anywhere on the grid) and the straight line is used: ``exponent_measured`` is false;
    - ``peak_base_mb``, ``peak_per_clip_mb``: the straight line through the peaks; ``peak_max_mb``.
    """
    sizes, seconds, megabytes = (np.asarray(values, dtype=float) for values in (sizes, seconds, peaks))
    megabytes = megabytes / 1e6
    best = None
    for b in np.arange(0.5, 2.501, 0.01):
        grown = sizes ** b
        c, a = np.polyfit(grown, seconds, 1)
        if a < 0:  # no negative fixed cost: the line through the origin
            a, c = 0.0, float(grown @ seconds / (grown @ grown))
        error = float(np.sum((a + c * grown - seconds) ** 2))
        if round(float(b), 2) == 1.0:
            line = (error, 1.0, float(a), float(c))
        if best is None or error < best[0]:
            best = (error, round(float(b), 2), float(a), float(c))
    measured = line[3] * sizes.max() >= line[2]
    best = best if measured else line
    slope, base = np.polyfit(sizes, megabytes, 1)
    return {"exponent": float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0]), "growth_exponent": best[1],
            "exponent_measured": bool(measured), "fixed_s": best[2], "scale_s": best[3],
            "peak_base_mb": float(base), "peak_per_clip_mb": float(slope), "peak_max_mb": float(megabytes.max())}


def save(path, fitted, sizes, seconds):
    """Write the ``fitted`` figures of each stage (with the ``sizes`` they were fitted on and this commit)
    into the JSON file at ``path``, keeping the other stages' figures a file measured on as many CPUs
    and as long clips already holds: runs that measure different stages add up."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True,
                            text=True).stdout.strip()
    saved = {"cpus": os.cpu_count(), "clip_seconds": seconds, "stages": {}}
    if path.exists():
        before = json.loads(path.read_text())
        if (before["cpus"], before["clip_seconds"]) == (saved["cpus"], seconds):
            saved["stages"] = before["stages"]
    saved["stages"].update({stage: {**figures, "sizes": sizes[stage], "commit": commit}
                            for stage, figures in fitted.items()})
    path.write_text(json.dumps(saved, indent=1) + "\n")
    print(f"fitted figures of {len(fitted)} stages saved to {path}")


@contextlib.contextmanager
def project(collection, keep):
    """A copy of the project pointed at ``collection``: a new one in a temporary folder, or with ``keep`` the one
    kept beside the collection, brought to this commit's code and params."""
    settings = {"dataset.source": "folder"}
    if not keep:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "project"
            project_copy(root, collection, True, settings)
            yield root
        return
    root = collection.with_name(collection.name.replace("collection", "project"))
    if not root.exists():
        project_copy(root, collection, True, settings)
    else:
        subprocess.run(["git", "fetch", "-q", str(PROJECT), "HEAD"], cwd=root, check=True)
        checkout(root, "FETCH_HEAD", {"dataset.source": "local", "dataset.local_path": str(collection),
                                      "dataset.allow_incomplete": False, **settings})
    yield root


def up_to_date(root, stage):
    """Whether DVC finds ``stage`` and everything before it as they were when last run."""
    status = subprocess.run([sys.executable, "-m", "dvc", "status", stage], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(root)})
    return status.returncode == 0 and "up to date" in status.stdout


def go_cold():
    """Write out dirty pages, drop the page cache and let the host take the freed memory back, so that a
    run's time does not depend on what ran before it.

    On a virtual machine whose host reclaims the guest's free memory (free page reporting, as on this
    project's Firecracker machine), writing to memory the host has taken back costs the kernel 1.2 to
    2.4 s per GB, and to memory freed a moment ago 0.16 s. A stage that writes gigabytes (``download``
    copies every clip, and DVC copies it again into its cache) is then fast after a run that freed as
    much and slow after one that did not: measured warm, ``download``'s time grew with exponent 1.38
    from 1,000 to 2,000 clips, and a plain Python copy of the same files did the same (7.6 s for the
    first 1,000 files, 12.6 s for the next), while it was linear after a drop.
    """
    os.sync()
    DROP_CACHES.write_text("3\n")
    time.sleep(SETTLE_S)


def refuse_cold_unless_root(parser):
    """Stop with a clear message when ``--cold`` cannot drop the page cache (only root may)."""
    if not os.access(DROP_CACHES, os.W_OK):
        parser.error(f"--cold drops the page cache through {DROP_CACHES}, which only root may write; "
                     "run as root or without --cold")


def fastest(run, repeat, cold):
    """``(wall, peak bytes)`` of ``repeat`` calls of ``run`` (each returning wall and peak first), each after
    :func:`go_cold` when ``cold``: the fastest wall time, as ``timeit`` reports (what the machine's other
    work added is noise), and the largest peak."""
    runs = []
    for _ in range(repeat):
        if cold:
            go_cold()
        runs.append(run()[:2])
    return min(wall for wall, _ in runs), max(peak for _, peak in runs)


def measure(root, stage, saved, repeat, cold):
    """``(wall, peak bytes, note)`` of ``stage``: its saved measurement when it is up to date, else that of
    ``repeat`` runs (forced: a measurement dropped from ``measured.json`` is taken again), as :func:`fastest`
    keeps them."""
    if stage in saved and up_to_date(root, stage):
        return (*saved[stage], " (saved)")
    saved[stage] = fastest(lambda: run_stage(root, stage, force=True), repeat, cold)
    how = ", ".join(([f"fastest of {repeat}"] if repeat > 1 else []) + (["cold"] if cold else []))
    return (*saved[stage], f" ({how})" if how else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="collection sizes in clips (multiples of 50)")
    parser.add_argument("--quick", action="store_true", help="6 s clips at 50, 100 and 200 clips: a few minutes")
    parser.add_argument("--stages", nargs="*", default=[], help="stages to run after the data stages")
    parser.add_argument("--all", action="store_true", help="every stage of the pipeline")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "musicgenre" / "scaling")
    parser.add_argument("--keep", action="store_true", help="keep each size's project and measurements in the cache")
    parser.add_argument("--repeat", type=int, default=1, help="run each stage this many times: the fastest counts")
    parser.add_argument("--cold", action="store_true",
                        help="drop the page cache and wait before each run: the same memory state for every run "
                             "(needs root)")
    parser.add_argument("--save", type=Path, help="write (or update) the fitted figures in this JSON file")
    args = parser.parse_args()
    sizes = args.sizes or ([50, 100, 200] if args.quick else [250, 500, 1000, 2000])
    seconds = 6.0 if args.quick else 30.0
    if args.cold:
        refuse_cold_unless_root(parser)
    if any(size % (5 * len(GENRES)) for size in sizes):
        parser.error(f"each size must be a multiple of {5 * len(GENRES)} (five artists in each of the ten genres)")
    measured = {}  # stage -> [(clips, seconds, peak bytes)]
    print(f"{'clips':>6} {'stage':<22} {'wall':>9} {'s/clip':>8} {'peak memory':>12}   ({os.cpu_count()} CPUs, "
          f"clips of {seconds:g} s)", flush=True)
    for size in sizes:
        collection = args.cache / f"collection-{size}x{seconds:g}s"
        build_collection(collection, size // len(GENRES), seconds, artists=5)
        with project(collection, args.keep) as root:
            record = root / "measured.json"
            saved = json.loads(record.read_text()) if record.exists() else {}
            for stage in pipeline_order(root) if args.all else (*data_stages(root), *args.stages):
                wall, peak, note = measure(root, stage, saved, args.repeat, args.cold)
                record.write_text(json.dumps(saved, indent=1))
                measured.setdefault(stage, []).append((size, wall, peak))
                print(f"{size:>6} {stage:<22} {wall:8.1f}s {wall / size:8.3f} {peak / 2**20:9.0f} MiB{note}",
                      flush=True)
    if len(sizes) < 2:
        return
    print(f"\n{'stage':<22} {'exponent':>8} {'above fixed':>11} {'fixed':>7} {'MB/1000 clips':>13}   "
          "projected here: " + "; ".join(f"{name} ({clips} clips)" for name, clips in PROJECTED.items()))
    fitted = {}
    for stage, rows in measured.items():
        if len(rows) < 2:
            continue
        fitted[stage] = figures = fit(*zip(*rows))
        projected = "; ".join(f"{stage_cost(figures, n)[0] / 3600:.1f} h, {stage_cost(figures, n)[1] / 1e9:.1f} GB"
                              for n in PROJECTED.values())
        above = f"{figures['growth_exponent']:.2f}" + ("" if figures["exponent_measured"] else " (1)")
        print(f"{stage:<22} {figures['exponent']:8.2f} {above:>11} {figures['fixed_s']:6.1f}s "
              f"{figures['peak_per_clip_mb'] * 1000:13.0f}   {projected}")
    if not all(figures["exponent_measured"] for figures in fitted.values()):
        print("(1): growth below the fixed cost at these sizes, too small to tell its exponent: taken as linear")
    if args.save:
        save(args.save, fitted, {stage: [size for size, _, _ in rows] for stage, rows in measured.items()}, seconds)


if __name__ == "__main__":
    main()
