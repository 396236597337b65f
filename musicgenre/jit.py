"""numba's JIT cache, made safe for parallel first runs: compiled once, then only read.

librosa compiles its numba functions (the beat tracker, local maxima, zero crossings, the
overlap-add of the inverse STFT...) the first time they are imported or called, and keeps the
machine code in an on-disk cache. Two processes that compile the same function at the same moment
on an empty cache leave an index pointing at the other's code: both crash with a segmentation
fault, and so does every later process that loads it (numba 0.68, librosa 0.11). A stage's first
run with two workers on a new machine did exactly that. So:

* the project keeps its **own cache**, one folder per Python environment and package versions
  (under ``~/.cache/musicgenre/numba``, or under ``$NUMBA_CACHE_DIR`` when that is set), never the
  ``__pycache__`` beside librosa that an older run may have left broken;
* :func:`ready` runs in the main process before any worker starts. In a **child process**, under
  an **inter-process file lock**, it runs every compiled code path the stages use
  (:func:`exercise`), so the cache is complete before workers start and workers only read it;
* the child is also the **check**: when it crashes or fails on an existing cache, that cache is
  deleted and built again; failing on an empty cache stops with one message;
* a list of the cache's files (size, mtime) saved after a good check lets later runs skip the
  child until anything in the folder changes (a killed run, a truncated file, a worker that
  compiled something new), and :func:`forget` drops it when a worker died.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from .errors import MusicgenreError

#: Set by :func:`ready` to the cache folder it chose, so child processes use that folder as it is.
CHOSEN = "MUSICGENRE_NUMBA_CACHE"
CHECKED = "checked.json"
LOCK = ".lock"
PACKAGES = ("numba", "llvmlite", "librosa", "numpy")


def cache_dir():
    """This environment's cache folder: a new virtualenv or package upgrade gets a new, empty one."""
    if os.environ.get(CHOSEN) and os.environ.get(CHOSEN) == os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ[CHOSEN])
    base = os.environ.get("NUMBA_CACHE_DIR")
    if not base:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "musicgenre" / "numba"
    # a reinstall of the same version rewrites the sources numba stamps its cache with: new folder too
    stamps = [f"{name} {version(name)} {Path(find_spec(name).origin).stat().st_mtime_ns}" for name in PACKAGES]
    key = hashlib.sha1("\n".join([sys.prefix, sys.version, *stamps]).encode()).hexdigest()[:16]
    return Path(base) / f"musicgenre-{key}"


def ready(stream=sys.stderr):
    """Make this process and its future workers use a complete, checked cache; return its folder.

    Call it before anything imports ``librosa.beat`` or starts workers. Cheap when the cache was
    checked before and nothing in it changed.
    """
    from filelock import FileLock, Timeout

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = os.environ[CHOSEN] = str(folder)
    if "numba" in sys.modules:  # numba reads the variable when imported: tell an imported numba too
        sys.modules["numba"].config.CACHE_DIR = str(folder)
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=2)
    except Timeout:
        print(f"waiting for another musicgenre process to finish compiling librosa's functions in {folder}",
              file=stream, flush=True)
        lock.acquire()
    try:
        if _read_checked(folder) != _listing(folder):
            _build(folder, stream)
    finally:
        lock.release()
    return folder


def start_in_background():
    """Begin :func:`ready`'s work in a child process and return at once (``make demo`` starts it while
    the download stage synthesises audio, which compiles nothing; the first stage that needs the
    cache waits for the lock). Returns the child, to be waited for."""
    return subprocess.Popen([sys.executable, "-c", "from musicgenre.jit import ready; ready()"], env=_child_env())


def forget():
    """Have the next :func:`ready` check the cache again (after a worker died: the cache may be why)."""
    folder = os.environ.get(CHOSEN)
    if folder:
        (Path(folder) / CHECKED).unlink(missing_ok=True)


def _build(folder, stream):
    """Run :func:`exercise` in a child; on failure with files in the cache, empty it and try once more."""
    had_files = bool(_listing(folder))
    print(f"checking librosa's compiled functions in {folder}" if had_files else
          f"compiling librosa's functions once for this environment (about a minute) into {folder}",
          file=stream, flush=True)
    failure = _run_exercise()
    if failure and had_files:
        print(f"the numba cache in {folder} is broken ({failure}); deleting it and compiling again",
              file=stream, flush=True)
        _empty(folder)
        failure = _run_exercise()
    if failure:
        raise MusicgenreError(
            f"compiling librosa's numba functions into an empty cache failed ({failure}). This is not about "
            f"your data: the numba/llvmlite installation looks broken. Reinstall them (pip install --force-reinstall "
            f"numba llvmlite), then delete {folder} and run again")
    (folder / CHECKED).write_text(json.dumps(_listing(folder), sort_keys=True))


def _run_exercise():
    """``None`` when :func:`exercise` succeeded in a fresh interpreter, else what went wrong."""
    result = subprocess.run([sys.executable, "-m", "musicgenre.jit"], env=_child_env(), capture_output=True, text=True)
    if result.returncode == 0:
        return None
    if result.returncode < 0:
        return f"the check crashed with {signal.Signals(-result.returncode).name}"
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    return f"the check failed: {lines[-1] if lines else f'exit code {result.returncode}'}"


def _child_env():
    """This environment, with this package importable however the parent found it."""
    here = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}


def _listing(folder):
    """``{relative path: [size, mtime_ns]}`` of the cache's compiled files."""
    return {str(p.relative_to(folder)): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in (CHECKED, LOCK)}


def _read_checked(folder):
    try:
        return json.loads((folder / CHECKED).read_text())
    except (OSError, ValueError):
        return None


def _empty(folder):
    for path in folder.iterdir():
        if path.name != LOCK:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def exercise():
    """Run every numba-compiled code path of the stages and ``predict`` once, on a few seconds of audio.

    The calls are the stages' own (same dtypes, so the same compiled signatures): descriptors with
    their separation and tempo, log-mels, fingerprints, and musicnn's input; and the reference recipe
    the tests and benchmarks compare the descriptors with (:func:`~musicgenre.dsp.features.kaggle_recipe`,
    whose librosa beat tracker the stages do not run), so no process compiles anything after the check.
    """
    import tempfile

    import numpy as np

    from .audio import write_wav
    from .dsp.embeddings import frames, musicnn_input
    from .dsp.features import extract, kaggle_recipe
    from .fingerprint import fingerprint_file
    from .dsp.mels import clip_mels

    sample_rate = 22050
    t = np.arange(int(3.5 * sample_rate)) / sample_rate
    y = np.sin(2 * np.pi * 220 * t) * (1 + np.sign(np.sin(2 * np.pi * 2 * t))) / 4
    y[::sample_rate // 4] += 1.0  # clicks: beats to track, so the beat tracker's dynamic programme runs
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exercise.wav"
        write_wav(path, y.astype(np.float32), sample_rate)
        extract(path, sample_rate, 3.0)
        clip_mels(path, sample_rate, 3.0, n_mels=128, n_fft=2048, hop_length=512, fmax=sample_rate / 2)
        fingerprint_file(path)
        musicnn_input(y[:3 * sample_rate], sample_rate, frames(3.0))
        kaggle_recipe(y.astype(np.float32), sample_rate)


if __name__ == "__main__":
    exercise()
