"""Test material shared by the benchmarks: demo-set clips of the first genres, written as WAV."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, for `python benchmarks/<name>.py`
from musicgenre import jit  # noqa: E402
from musicgenre.audio import write_wav  # noqa: E402
from musicgenre.datasets import synthetic  # noqa: E402

SR = 22050
jit.ready()  # every benchmark imports this before librosa compiles anything: the project's checked cache


def write_clips(folder, count, seconds, gain=1.0, seed=0):
    """``count`` clips of ``seconds`` (one per genre, in the demo generator's order) in ``folder``."""
    rng = np.random.default_rng(seed)
    paths = []
    for genre in list(synthetic.STYLES)[:count]:
        artist = synthetic.make_artists(genre, 1, rng)[0]
        paths.append(Path(folder) / f"{genre}.wav")
        write_wav(paths[-1], gain * synthetic.render_clip(genre, artist, seconds, rng), SR)
    return paths
