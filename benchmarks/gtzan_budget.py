"""Benchmark: the data stages on a GTZAN-sized collection (1000 clips of 30 s), wall time and peak memory each.

What a user's first real run costs before any training: ``download`` (from a local copy),
``clean`` (fingerprints for the duplicate search), ``represent@<name>`` for every
representation in ``params.yaml`` (features, mels, embeddings) and ``combine`` (the tables side
by side), each run by ``dvc repro --single-item`` in a fresh copy of the project, with the
committed ``params.yaml`` (2 worker processes per stage). The collection is the demo generator's music,
1000 distinct clips named like GTZAN's (``blues.00000.wav`` ...), in a folder that
``dataset.source: local`` imports; it is built once into ``--cache`` and reused. Peak memory is
the largest sum of resident memory over a stage's process tree (DVC, the stage and its workers),
sampled every 0.2 s.

With ``--train knn rf ...`` it goes on with ``split`` and ``train@<family>`` for those families
(each stage's own line says its cross-validation and fit time); ``--set models.cnn.epochs=2``
changes a parameter first, e.g. to time a few epochs of a deep family. With ``--all`` it runs
the whole pipeline, stage by stage in ``dvc repro``'s order (every family's training and
evaluation, ``compare``, ``leakage``, the review), and checks at the end that ``dvc status`` has nothing left:
the time of a full run with the committed ``params.yaml``.

With ``--baseline REV`` every ``train@<family>`` runs twice on the same data, first with the code
and ``params.yaml`` of commit ``REV``, then with the committed ones, and the second line says the
ratio of their times: what a change costs in training, measured in one run on one machine.

    python benchmarks/gtzan_budget.py [--clips-per-genre 100] [--seconds 30] [--cache ~/.cache/musicgenre/budget]
                                      [--train FAMILY ... | --all] [--set KEY=VALUE ...] [--baseline REV]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

import clips  # noqa: F401  (beside this script; first: it readies numba's cache)
from musicgenre import GENRES
from musicgenre.cli import set_param
from musicgenre.datasets import synthetic

PROJECT = Path(__file__).resolve().parents[1]


def build_collection(folder, per_genre, seconds, artists=None):
    """The demo generator's clips, one genre per task (two at a time), no planted faults; ``artists``
    per genre (default 10, or 2 for fewer than 20 clips a genre)."""
    done = folder / "complete"
    if done.exists() and done.read_text() == f"{per_genre} {seconds}":
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    artists = artists or (10 if per_genre >= 20 else 2)
    jobs = [(folder / genre, seed, artists, per_genre // artists, seconds, genre) for seed, genre in enumerate(GENRES)]
    print(f"building {len(GENRES) * per_genre} clips of {seconds:g} s in {folder} (once) ...", flush=True)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_one_genre, jobs))
    done.write_text(f"{per_genre} {seconds}")


def _one_genre(job):
    out, seed, artists, per_artist, seconds, genre = job
    synthetic.generate(out, seed=seed, artists_per_genre=artists, clips_per_artist=per_artist,
                       clip_seconds=seconds, duplicates=0, mislabels=0, unreadable=0, genres=(genre,))


def project_copy(root, collection, complete, settings):
    """The committed project in a new git repository, pointed at the collection, with ``settings``;
    returns what :func:`checkout` needs to set them again."""
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(root)], check=True)
    settings = {"dataset.source": "local", "dataset.local_path": str(collection),
                "dataset.allow_incomplete": not complete, **settings}
    apply_settings(root, settings)
    return settings


def checkout(root, revision, settings):
    """The project's code and ``params.yaml`` as of ``revision``, with ``settings`` set again."""
    subprocess.run(["git", "checkout", "-q", revision, "--", "."], cwd=root, check=True)
    apply_settings(root, settings)


def apply_settings(root, settings):
    """Set each dotted key of ``settings`` in the project's ``params.yaml``."""
    for key, value in settings.items():
        set_param(root / "params.yaml", key, value)


def pipeline_order(root):
    """Every stage of the project's ``dvc.yaml``, in the order ``dvc repro`` runs them (its dry run's)."""
    dry = subprocess.run([sys.executable, "-m", "dvc", "repro", "--dry", "--force"], cwd=root, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)}).stdout
    return tuple(re.findall(r"Running stage '([^']+)'", dry))


def data_stages(root):
    """The stages before the split: download, clean, one ``represent@<name>`` per representation, and what joins them."""
    order = pipeline_order(root)
    return order[:order.index("split")]


def timed(command, cwd, env):
    """``(wall seconds, peak resident bytes of the whole process tree, output)`` of running ``command``;
    a failure stops the benchmark with its output."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]

    def sample():
        parent = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    output = process.communicate()[0]
    watcher.join()
    seconds = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{output[-3000:]}")
    return seconds, peak[0], output


def run_stage(root, stage, force=False):
    """Wall time and peak resident memory (bytes, whole process tree) of ``dvc repro -s stage`` (with
    ``force``: even when it is up to date), and its summary line."""
    seconds, peak, output = timed([sys.executable, "-m", "dvc", "repro", "--single-item",
                                   *(["--force"] if force else []), stage], root,
                                  {**os.environ, "PYTHONPATH": str(root)})
    summary = [line for line in output.splitlines()
               if line.startswith((f"{stage}:", f"{stage} ", "local:")) and "%|" not in line]  # its summary, not its bar
    epochs = [line.split(" - ")[1] for line in output.splitlines() if re.match(r"\d+/\d+ - \d+s - ", line)]
    if epochs:  # a Keras family: its seconds per epoch
        summary.append(f"{stage}: epochs took {', '.join(epochs)}")
    return seconds, peak, " | ".join(summary[-2:] if epochs else summary[-1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-per-genre", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "musicgenre" / "budget")
    parser.add_argument("--train", nargs="*", default=[], metavar="FAMILY")
    parser.add_argument("--all", action="store_true", help="every stage of the pipeline, then check dvc status")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--baseline", metavar="REV", help="train each family at this commit first, then compare")
    args = parser.parse_args()
    if args.all and args.train:
        parser.error("--all already trains every family; give --train or --all")
    if args.baseline and not (args.all or args.train):
        parser.error("--baseline compares training times: give --train FAMILY ... or --all")
    settings = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    collection = args.cache / f"collection-{args.clips_per_genre}x{args.seconds:g}s"
    build_collection(collection, args.clips_per_genre, args.seconds)
    total = 0.0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        applied = project_copy(root, collection, args.clips_per_genre >= 100, settings)
        baseline = args.baseline and subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=root, check=True,
                                                    capture_output=True, text=True).stdout.strip()
        trained = {"baseline": 0.0, "committed": 0.0}
        if settings:
            print("settings: " + ", ".join(f"{key}={value}" for key, value in settings.items()))
        print(f"{'stage':<20} {'wall':>9} {'peak memory':>12}   ({os.cpu_count()} CPUs)")
        stages = pipeline_order(root) if args.all else (
            data_stages(root) + (("split",) if args.train else ()) + tuple(f"train@{family}" for family in args.train))
        for stage in stages:
            compared, ratio = baseline and stage.startswith("train@"), ""
            if compared:
                checkout(root, baseline, applied)
                before, peak, said = run_stage(root, stage)
                print(f"{f'{stage} ({baseline})':<20} {before:8.1f}s {peak / 2**30:9.2f} GiB   {said}", flush=True)
                checkout(root, "HEAD", applied)
            seconds, peak, said = run_stage(root, stage)
            total += seconds
            if compared:
                trained["baseline"] += before
                trained["committed"] += seconds
                ratio = f"{seconds / before:.2f}x {baseline} | "
            print(f"{stage:<20} {seconds:8.1f}s {peak / 2**30:9.2f} GiB   {ratio}{said}", flush=True)
        if baseline:
            print(f"{'training':<20} {trained['committed']:8.1f}s against {trained['baseline']:.1f}s at {baseline}: "
                  f"{trained['committed'] / trained['baseline']:.2f}x")
        if args.all:
            status = subprocess.run([sys.executable, "-m", "dvc", "status"], cwd=root, capture_output=True,
                                    text=True, env={**os.environ, "PYTHONPATH": str(root)}).stdout
            if "up to date" not in status:
                raise SystemExit(f"dvc status: stages are left after running them all:\n{status}")
            print("dvc status: Data and pipelines are up to date.")
    minutes, rest = divmod(round(total), 60)
    print(f"{'all':<20} {total:8.1f}s ({minutes} min {rest:02d} s) for {len(GENRES) * args.clips_per_genre} "
          f"clips of {args.seconds:g} s")


if __name__ == "__main__":
    main()
