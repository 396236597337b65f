"""Per-clip work on worker processes, for every stage that decodes audio.

One home for what each such stage needs around joblib: numba's cache made ready before any
worker starts (:mod:`musicgenre.jit`), results in input order under a progress bar, and a worker
that dies (a crash in native code, or killed by the system for memory) turned into one message
naming the stage, the clip it held and what to try, instead of joblib's ``TerminatedWorkerError``
traceback.

To know the clip, each task writes its path to ``<journal>/<pid>.clip`` before it starts and
removes it when done; each worker sends Python's fault handler to ``<journal>/<pid>.crash``. After
a death, the worker with a crash report names its clip; a worker killed outright (SIGKILL leaves
no report) is one of those whose clip file is still there.

With ``scheduler`` set to a Dask scheduler's address (``compute.scheduler`` in params.yaml), the
same work runs on that cluster's workers instead (:func:`_on_dask`): same function, same order,
same progress bar, and a clip whose workers keep dying is named. The results are the same, which
is why ``compute`` is not a DVC parameter: moving a run to a cluster reruns nothing.
"""

import faulthandler
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from .errors import MusicgenreError
from .jit import forget, ready

_crash_files = {}  # per worker process: journal folder -> its open fault-handler file


def map_clips(function, paths, n_jobs, stage, n_jobs_param, batch_size="auto", scheduler="local"):
    """Yield ``function(path)`` for every path, in order, on ``n_jobs`` processes (1: this one), or
    on the Dask cluster whose scheduler listens at ``scheduler`` (``"local"``: not on one).

    ``stage`` and ``n_jobs_param`` (e.g. ``"features.n_jobs"``) name what the user runs and can
    change, in the message when a worker dies.
    """
    from joblib import Parallel, delayed
    from joblib.externals.loky.process_executor import BrokenProcessPool
    from tqdm import tqdm

    ready()
    paths = list(paths)
    if scheduler != "local":
        yield from _on_dask(function, paths, scheduler, stage)
        return
    with tempfile.TemporaryDirectory(prefix=f"musicgenre-{stage}-") as journal:
        jobs = (delayed(_tracked)(function, path, journal, os.getpid()) for path in paths)
        results = Parallel(n_jobs=n_jobs, batch_size=batch_size, return_as="generator")(jobs)
        try:
            with tqdm(total=len(paths), desc=stage, unit="clip", file=sys.stderr) as bar:
                for result in results:
                    bar.update()  # before handing it on: a caller that stops at the last clip still sees 100%
                    yield result
        except BrokenProcessPool as err:  # joblib's TerminatedWorkerError among others
            forget()
            raise MusicgenreError(_death_message(stage, n_jobs_param, str(err), Path(journal))) from None


def _tracked(function, path, journal, main_pid):
    """Run ``function(path)`` in a worker, leaving a note of the clip while it runs."""
    pid = os.getpid()
    if pid != main_pid and journal not in _crash_files:  # n_jobs 1 runs here: its crashes stay on stderr
        _crash_files[journal] = open(Path(journal) / f"{pid}.crash", "w")
        faulthandler.enable(file=_crash_files[journal])
    note = Path(journal) / f"{pid}.clip"
    note.write_text(str(path))
    result = function(path)
    note.unlink()
    return result


def _death_message(stage, n_jobs_param, error, journal):
    signals = sorted(set(re.findall(r"SIG[A-Z]+", error)))
    held = {p.stem: p.read_text() for p in journal.glob("*.clip")}
    crashed = {p.stem: p.read_text() for p in journal.glob("*.crash") if p.stat().st_size}
    culprits = [held[pid] for pid in crashed if pid in held] or sorted(held.values())
    frames = [line.strip() for report in crashed.values() for line in report.splitlines()
              if line.strip().startswith("File ")][:3]
    what = {"SIGKILL": "killed by the system, most often for lack of memory",
            "SIGSEGV": "a crash in native code", "SIGBUS": "a crash in native code",
            "SIGABRT": "aborted by native code"}
    cause = "; ".join(f"{s}: {what.get(s, 'ended by a signal')}" for s in signals) or "it exited unexpectedly"
    clip = ("while working on " + " or ".join(culprits)) if culprits else "before it started a clip"
    lines = [f"{stage}: a worker process died ({cause}) {clip}. Nothing was written."]
    if frames:
        lines.append("Where it crashed (innermost first): " + " <- ".join(frames))
    lines.append(f"What to try: run the stage again: musicgenre checks numba's compiled-code cache first and "
                 f"rebuilds it when it is broken. If it dies again: lower {n_jobs_param} (each worker holds its own "
                 f"copy of a clip's audio and models), or set it to 1 to see the error in the main process; if it is "
                 f"always the same clip, check that file (play it, or remove it from the dataset).")
    return "\n".join(lines)


#: How long to wait for a Dask scheduler to answer (a cluster on a busy network can take seconds).
CONNECT_TIMEOUT_S = 20


def _on_dask(function, paths, address, stage):
    """``map_clips`` on a Dask cluster: every worker must see the audio at the same absolute path."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker
    from tqdm import tqdm

    paths = [Path(path).resolve() for path in paths]
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise MusicgenreError(f"{stage}: no Dask scheduler answers at {address} (compute.scheduler in params.yaml): "
                              f"{err}. Start one (`dask scheduler`, then `dask worker {address}` on each machine), "
                              "or set compute.scheduler: local") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise MusicgenreError(f"{stage}: the Dask scheduler at {address} has no workers after 60 s; "
                                  f"start some with `dask worker {address}`") from None
        if paths:
            blind = sorted(worker for worker, sees in client.run(os.path.exists, paths[0]).items() if not sees)
            if blind:
                raise MusicgenreError(f"{stage}: Dask worker(s) {', '.join(blind)} cannot see {paths[0]}. The audio "
                                      "must be on storage that every worker mounts at the same path as this machine")
        client.run(ready)  # each worker's numba cache, compiled once before any clip
        keys = [f"{stage}-{i}-{Path(path).name}" for i, path in enumerate(paths)]
        futures = client.map(function, paths, key=keys, pure=False)
        position = {future.key: i for i, future in enumerate(futures)}
        finished, next_out = {}, 0
        with tqdm(total=len(paths), desc=stage, unit="clip", file=sys.stderr) as bar:
            try:
                for future in as_completed(futures, loop=client.loop):
                    finished[position[future.key]] = future.result()
                    future.release()
                    bar.update()
                    while next_out in finished:
                        yield finished.pop(next_out)
                        next_out += 1
            except KilledWorker as err:
                # every task a dying worker held is suspect; the scheduler retries them elsewhere
                # (allowed-failures), so innocent ones finish and the deadly clip stays named alone
                time.sleep(0.5)  # let the scheduler's verdicts on the worker's other tasks arrive
                suspects = [paths[position[f.key]] for f in futures
                            if f.status == "error" and isinstance(f.exception(), KilledWorker)]
                clip = " or ".join(map(str, suspects)) or err.args[0]
                raise MusicgenreError(
                    f"{stage}: Dask workers died while working on {clip}, as often as the "
                    "scheduler allows (distributed.scheduler.allowed-failures). Nothing was written. Most often a "
                    "worker runs out of memory (give workers more: `dask worker --memory-limit`) or crashes in native "
                    "code; check that file, or run the stage here with compute.scheduler: local to see its error"
                ) from None
