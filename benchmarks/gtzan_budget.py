"""Benchmark: the data stages on a GTZAN-sized collection (1000 clips of 30 s), wall time and peak memory each.

What a user's first real run costs before any training: ``download`` (from a local copy),
``clean`` (fingerprints for the duplicate search) and ``represent@<name>`` for every
representation in ``params.yaml`` (features, mels, embeddings), each run by ``dvc repro --single-item`` in a fresh copy of the project, with the committed
``params.yaml`` (2 worker processes per stage). The collection is the demo generator's music,
1000 distinct clips named like GTZAN's (``blues.00000.wav`` ...), in a folder that
``dataset.source: local`` imports; it is built once into ``--cache`` and reused. Peak memory is
the largest sum of resident memory over a stage's process tree (DVC, the stage and its workers),
sampled every 0.2 s.

With ``--train knn rf ...`` it goes on with ``split`` and ``train@<family>`` for those families
(each stage's own line says its cross-validation and fit time); ``--set models.cnn.epochs=2``
changes a parameter first, e.g. to time a few epochs of a deep family. With ``--all`` it runs
the whole pipeline, stage by stage in ``dvc repro``'s order (every family's training and
evaluation, ``compare``, ``leakage``), and checks at the end that ``dvc status`` has nothing left:
the time of a full run with the committed ``params.yaml``.

    python benchmarks/gtzan_budget.py [--clips-per-genre 100] [--seconds 30] [--cache ~/.cache/musicgenre/budget]
                                      [--train FAMILY ... | --all] [--set KEY=VALUE ...]
"""

import argparse
import json
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
from musicgenre.datasets import synthetic

PROJECT = Path(__file__).resolve().parents[1]


def build_collection(folder, per_genre, seconds):
    """The demo generator's clips, one genre per task (two at a time), no planted faults."""
    done = folder / "complete"
    if done.exists() and done.read_text() == f"{per_genre} {seconds}":
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    artists = 10 if per_genre >= 20 else 2
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
    """The committed project in a new git repository, pointed at the collection, with ``settings``."""
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(root)], check=True)
    settings = {"dataset.source": "local", "dataset.local_path": str(collection),
                "dataset.allow_incomplete": not complete, **settings}
    subprocess.run([sys.executable, "-c", "import sys, yaml; from musicgenre.cli import set_param\n"
                    "for key, value in yaml.safe_load(sys.argv[1]).items(): set_param('params.yaml', key, value)",
                    json.dumps(settings)], cwd=root, check=True, env={**os.environ, "PYTHONPATH": str(root)})


def data_stages(root):
    """The stages before the split: download, clean and one ``represent@<name>`` per representation."""
    representations = yaml.safe_load((root / "params.yaml").read_text())["representations"]
    return ("download", "clean", *(f"represent@{name}" for name in representations))


def pipeline_order(root):
    """Every stage of the project's ``dvc.yaml``, in the order ``dvc repro`` would run them."""
    models = yaml.safe_load((root / "params.yaml").read_text())["models"]
    return (*data_stages(root), "split", *(f"train@{family}" for family in models),
            *(f"evaluate@{family}" for family in models), "compare", "leakage")


def run_stage(root, stage):
    """Wall time and peak resident memory (bytes, whole process tree) of ``dvc repro -s stage``."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "dvc", "repro", "--single-item", stage], cwd=root,
                               env={**os.environ, "PYTHONPATH": str(root)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        raise SystemExit(f"{stage} failed:\n{output[-3000:]}")
    summary = [line for line in output.splitlines()
               if line.startswith((f"{stage}:", f"{stage} ", "local:")) and "%|" not in line]  # its summary, not its bar
    epochs = [line.split(" - ")[1] for line in output.splitlines() if re.match(r"\d+/\d+ - \d+s - ", line)]
    if epochs:  # a Keras family: its seconds per epoch
        summary.append(f"{stage}: epochs took {', '.join(epochs)}")
    return seconds, peak[0], " | ".join(summary[-2:] if epochs else summary[-1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-per-genre", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "musicgenre" / "budget")
    parser.add_argument("--train", nargs="*", default=[], metavar="FAMILY")
    parser.add_argument("--all", action="store_true", help="every stage of the pipeline, then check dvc status")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.all and args.train:
        parser.error("--all already trains every family; give --train or --all")
    settings = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    collection = args.cache / f"collection-{args.clips_per_genre}x{args.seconds:g}s"
    build_collection(collection, args.clips_per_genre, args.seconds)
    total = 0.0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        project_copy(root, collection, args.clips_per_genre >= 100, settings)
        if settings:
            print("settings: " + ", ".join(f"{key}={value}" for key, value in settings.items()))
        print(f"{'stage':<20} {'wall':>9} {'peak memory':>12}   ({os.cpu_count()} CPUs)")
        stages = pipeline_order(root) if args.all else (
            data_stages(root) + (("split",) if args.train else ()) + tuple(f"train@{family}" for family in args.train))
        for stage in stages:
            seconds, peak, said = run_stage(root, stage)
            total += seconds
            print(f"{stage:<20} {seconds:8.1f}s {peak / 2**30:9.2f} GiB   {said}", flush=True)
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
