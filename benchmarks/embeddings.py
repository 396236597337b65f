"""Benchmark: musicnn embeddings against the package's own ``extractor()``, in the same run.

The baseline is what the musicnn README shows: ``extractor(file, model, extract_features=True)``
once per file, which builds the TensorFlow graph and restores the checkpoint on every call (in a
subprocess, because it switches TensorFlow into graph mode for good). Ours builds the graph once
and feeds it every chunk; the ``embeddings`` stage also spreads clips over ``n_jobs`` processes.
Prints seconds per clip and the ratio, one process each.

    python benchmarks/embeddings.py [--clips 6] [--seconds 30]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


from clips import SR, write_clips  # benchmarks/clips.py, beside this script
from musicgenre.dsp.embeddings import clip_embeddings

BASELINE = """
import json, sys, time
from musicnn.extractor import extractor
paths = sys.argv[1:]
extractor(paths[0], model="MSD_musicnn", input_length=3, extract_features=True)  # warm-up, as ours gets
start = time.perf_counter()
for path in paths:
    extractor(path, model="MSD_musicnn", input_length=3, extract_features=True)
print(json.dumps((time.perf_counter() - start) / len(paths)))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        # at -20 dB: musicnn's own float16 spectrogram overflows on louder audio
        paths = write_clips(folder, args.clips, args.seconds, gain=0.1)
        env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
        result = subprocess.run([sys.executable, "-c", BASELINE, *map(str, paths)], env=env,
                                capture_output=True, text=True, check=True)
        timings = {"musicnn extractor": json.loads(result.stdout.strip().splitlines()[-1])}
        clip_embeddings(paths[0], SR, 3.0, "MSD_musicnn", "max_pool")  # warm-up: builds the graph once
        start = time.perf_counter()
        for path in paths:
            clip_embeddings(path, SR, 3.0, "MSD_musicnn", "max_pool")
        timings["musicgenre"] = (time.perf_counter() - start) / len(paths)
    for name, seconds in timings.items():
        print(f"{name:<18} {seconds:6.3f} s per {args.seconds:g} s clip (MSD_musicnn, one process)")
    print(f"speed-up           {timings['musicnn extractor'] / timings['musicgenre']:6.2f}x")


if __name__ == "__main__":
    main()
