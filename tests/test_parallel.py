"""Per-clip work on worker processes: results in order, and a dying worker becomes one clear message."""

import os
import signal
import time

import pytest

from musicgenre.errors import MusicgenreError
from musicgenre.parallel import map_clips


def square_or_die(path):
    """A stand-in for per-clip work: the clip named ``die-<SIGNAL>`` kills its own worker."""
    if path.startswith("die-"):
        time.sleep(0.2)
        os.kill(os.getpid(), getattr(signal, path.split("-", 1)[1]))
    return int(path) ** 2


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_results_come_in_input_order(n_jobs):
    paths = [str(i) for i in range(12)]
    assert list(map_clips(square_or_die, paths, n_jobs, "features", "features.n_jobs")) == [i * i for i in range(12)]


@pytest.mark.parametrize("sig, cause", [("SIGSEGV", "a crash in native code"),
                                        ("SIGKILL", "killed by the system, most often for lack of memory")])
def test_a_dying_worker_is_one_message_naming_stage_clip_and_remedy(sig, cause):
    paths = ["1", "2", "3", f"die-{sig}", "5", "6"]
    with pytest.raises(MusicgenreError) as caught:
        list(map_clips(square_or_die, paths, 2, "mels", "mels.n_jobs", batch_size=1))
    message = str(caught.value)
    assert message.startswith(f"mels: a worker process died ({sig}: {cause}) while working on ")
    assert f"die-{sig}" in message.splitlines()[0] and "Nothing was written" in message
    assert "lower mels.n_jobs" in message and "run the stage again" in message
    if sig == "SIGSEGV":  # the fault handler's report points at the crash; the culprit is named alone
        assert " or " not in message.splitlines()[0]
        assert "square_or_die" in message
