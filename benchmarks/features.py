"""Benchmark: feature extraction against the plain Kaggle recipe, in the same run.

The baseline is the recipe as published: for every 3 s chunk and for the whole clip, one librosa
call per feature (each with its own STFT) and its own harmonic/percussive separation. Ours shares
one STFT per segment and separates once per clip. Prints seconds per clip and the ratio.

    python benchmarks/features.py [--clips 4] [--seconds 30]
"""

import argparse
import tempfile
import time

from clips import SR, write_clips  # benchmarks/clips.py, beside this script (first: it readies numba's cache)
from musicgenre.dsp.features import extract, kaggle_recipe



def baseline(path, chunk_seconds=3.0):
    import librosa

    y = librosa.load(path, sr=SR)[0]
    chunk = int(chunk_seconds * SR)
    rows = [kaggle_recipe(y[i * chunk:(i + 1) * chunk], SR) for i in range(len(y) // chunk)]
    return kaggle_recipe(y, SR), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = write_clips(folder, args.clips, args.seconds)
        extract(paths[0], SR, 3.0)  # warm up numba and lazy imports for both contenders
        timings = {}
        for name, run in (("kaggle recipe", baseline), ("musicgenre", lambda p: extract(p, SR, 3.0))):
            start = time.perf_counter()
            for path in paths:
                run(path)
            timings[name] = (time.perf_counter() - start) / len(paths)
    for name, seconds in timings.items():
        print(f"{name:<14} {seconds:6.3f} s per {args.seconds:g} s clip (clip + chunk features, one core)")
    print(f"speed-up       {timings['kaggle recipe'] / timings['musicgenre']:6.2f}x")


if __name__ == "__main__":
    main()
