"""Benchmark: ``musicgenre predict`` on a whole song, on one core, for every trained family.

A 4-minute file (80 chunks of 3 s; the demo generator's music, a different piece every 30 s) is
classified by each bundle in ``data/models`` twice, each time in a fresh process pinned to one
core (``taskset -c 0``), as a user runs it: with the default ``--max-chunks`` (30 chunks spread
evenly over the song) and, as the baseline, with ``--max-chunks 0`` (all 80). Wall time includes
starting Python, loading the bundle (and TensorFlow for the deep families and musicnn) and
decoding the file. It prints each time, the ratio, and the line ``predict`` printed.

Run it in a project whose pipeline has run (``make demo``):

    python benchmarks/predict_song.py [--minutes 4] [--families mlp fusion ...]
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from musicgenre.bundles import BUNDLE_NAME  # noqa: E402
from musicgenre.datasets import synthetic  # noqa: E402
from musicgenre.paths import MODELS  # noqa: E402

SR = 22050


def song(path, minutes, seed=0):
    """``minutes`` of the demo generator's music: 30 s pieces of several genres, one after another."""
    with tempfile.TemporaryDirectory() as folder:
        synthetic.generate(Path(folder), seed=seed, artists_per_genre=2, clips_per_artist=1, clip_seconds=30.0,
                           duplicates=0, mislabels=0, unreadable=0)
        pieces = sorted(Path(folder).glob("audio/*/*.wav"))[:: max(1, 20 // int(minutes * 2))]
        y = np.concatenate([sf.read(p, dtype="float32")[0] for p in pieces])[: int(minutes * 60 * SR)]
    sf.write(path, y, SR, subtype="PCM_16")
    return len(y) / SR


def timed(path, family, max_chunks):
    command = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    command += [sys.executable, "-m", "musicgenre", "predict", str(path), "--model", family,
                "--max-chunks", str(max_chunks)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"predict --model {family} failed:\n{result.stderr[-2000:]}")
    line = next(line for line in result.stdout.splitlines() if line.startswith(str(path)))
    return seconds, re.sub(r"^.*?: ", "", line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--families", nargs="+", default=None, help="default: every bundle in data/models")
    args = parser.parse_args()
    families = args.families or sorted(p.parent.name for p in MODELS.glob(f"*/{BUNDLE_NAME}"))
    if not families:
        raise SystemExit("no bundles in data/models: run the pipeline first (make demo)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "song.wav"
        length = song(path, args.minutes)
        print(f"a {length / 60:.1f}-minute file, one core; wall time of a whole predict process\n")
        print(f"{'family':<8} {'30 chunks':>10} {'all chunks':>11} {'ratio':>6}  what predict printed (30 chunks)")
        for family in families:
            sampled, said = timed(path, family, 30)
            every, _ = timed(path, family, 0)
            print(f"{family:<8} {sampled:>9.1f}s {every:>10.1f}s {every / sampled:>5.2f}x  {said}", flush=True)


if __name__ == "__main__":
    main()
