"""Benchmark: the mels stage's per-clip work against the plain library calls, in the same run.

Per clip, the stage computes a log-mel spectrogram for every 3 s chunk and for the whole clip, and
draws the clip's picture. The baseline does that the plain way: ``power_to_db(melspectrogram(y=...))``
per segment (the filter bank rebuilt every time and applied with ``einsum``) and a matplotlib
figure saved as the PNG. Ours builds the filter bank once and applies it with BLAS (the same
values within float rounding; the tests compare), and draws the PNG straight from the array. Both
decode the file and use the default ``params.yaml`` settings. Prints seconds per clip, one core.

    python benchmarks/mels.py [--clips 4] [--seconds 30]
"""

import argparse
import tempfile
import time

from clips import SR, write_clips  # benchmarks/clips.py, beside this script (first: it readies numba's cache)
from musicgenre.audio import load_chunked
from musicgenre.dsp.mels import IMAGE_SIZE, clip_mels, picture_png

SETTINGS = {"n_mels": 128, "n_fft": 2048, "hop_length": 512, "fmax": 11025}


def plain_mels(path, chunk_seconds=3.0):
    import librosa

    y, parts = load_chunked(path, SR, chunk_seconds)

    def log_mel(segment):
        return librosa.power_to_db(librosa.feature.melspectrogram(y=segment, sr=SR, **SETTINGS), ref=1.0)

    return [log_mel(y[part]) for part in parts], log_mel(y)


def plain_picture(spectrogram, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width, height = IMAGE_SIZE
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(spectrogram, origin="lower", aspect="auto", cmap="magma")
    ax.axis("off")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_picture(spectrogram, path):
    with open(path, "wb") as out:
        out.write(picture_png(spectrogram))


def timed(paths, mels, picture, folder):
    spent = {"spectrograms": 0.0, "picture": 0.0}
    for k, path in enumerate(paths):
        start = time.perf_counter()
        _, whole = mels(path)
        middle = time.perf_counter()
        picture(whole, f"{folder}/{k}.png")
        spent["spectrograms"] += middle - start
        spent["picture"] += time.perf_counter() - middle
    return {part: seconds / len(paths) for part, seconds in spent.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    ours = lambda p: clip_mels(p, SR, 3.0, **SETTINGS)  # noqa: E731
    with tempfile.TemporaryDirectory() as folder:
        paths = write_clips(folder, args.clips, args.seconds)
        timed(paths[:1], plain_mels, plain_picture, folder), timed(paths[:1], ours, save_picture, folder)  # warm-up
        timings = {"plain librosa": timed(paths, plain_mels, plain_picture, folder),
                   "musicgenre": timed(paths, ours, save_picture, folder)}
    for name, parts in timings.items():
        print(f"{name:<14} {sum(parts.values()):6.3f} s per {args.seconds:g} s clip "
              f"(log-mels {parts['spectrograms']:.3f} s, picture {parts['picture']:.3f} s; one core)")
    speed = {part: timings["plain librosa"][part] / timings["musicgenre"][part] for part in ("spectrograms", "picture")}
    total = sum(timings["plain librosa"].values()) / sum(timings["musicgenre"].values())
    print(f"speed-up       {total:6.2f}x (log-mels {speed['spectrograms']:.2f}x, picture {speed['picture']:.2f}x)")


if __name__ == "__main__":
    main()
