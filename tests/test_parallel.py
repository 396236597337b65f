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


def read_square(path):
    """Per-clip work on a real file (Dask workers are handed absolute paths): its number, squared."""
    text = open(path).read()
    if text == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return int(text) ** 2


@pytest.fixture(scope="module")
def cluster():
    """A Dask cluster of two worker processes, as `dask scheduler` + `dask worker` would make; a
    task whose worker dies is not retried, so a deadly clip fails at once."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
            yield running


def numbered_files(folder, values):
    paths = []
    for i, value in enumerate(values):
        paths.append(folder / f"clip{i:02d}.txt")
        paths[-1].write_text(str(value))
    return paths


@pytest.mark.slow
def test_dask_results_equal_the_local_ones_in_order(tmp_path, cluster):
    paths = numbered_files(tmp_path, range(15))
    local = list(map_clips(read_square, paths, 2, "features", "features.n_jobs"))
    on_dask = list(map_clips(read_square, paths, 2, "features", "features.n_jobs", scheduler=cluster.scheduler_address))
    assert on_dask == local == [i * i for i in range(15)]


@pytest.mark.slow
def test_dask_worker_death_names_the_clip(tmp_path, cluster):
    paths = numbered_files(tmp_path, [1, 2, "die", 4])
    with pytest.raises(MusicgenreError) as caught:
        list(map_clips(read_square, paths, 2, "mels", "mels.n_jobs", scheduler=cluster.scheduler_address))
    message = str(caught.value)
    # the deadly clip, perhaps with others its worker held too (with retries allowed, as by
    # default, those would finish on another worker and the deadly one be named alone)
    assert message.startswith("mels: Dask workers died while working on ") and str(paths[2]) in message.split(",")[0]
    assert "Nothing was written" in message and "compute.scheduler: local" in message


@pytest.mark.slow  # Dask's client waits out its connection timeout
def test_unreachable_scheduler_and_bad_address_are_clear(tmp_path, monkeypatch):
    from musicgenre import parallel
    from musicgenre.schema import checked

    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2)  # nothing listens on port 9: waiting longer tells nothing
    with pytest.raises(MusicgenreError, match="no Dask scheduler answers at tcp://127.0.0.1:9"):
        list(map_clips(read_square, numbered_files(tmp_path, [1]), 1, "features", "features.n_jobs",
                       scheduler="tcp://127.0.0.1:9"))
    assert checked({})["compute"]["scheduler"] == "local"
    assert checked({"compute": {"scheduler": "tcp://h:8786"}})["compute"]["scheduler"] == "tcp://h:8786"
    with pytest.raises(MusicgenreError, match="compute.scheduler is 'h:8786'; expected local, or"):
        checked({"compute": {"scheduler": "h:8786"}})


@pytest.mark.slow
def test_features_stage_on_a_dask_cluster_writes_the_local_table(tmp_path, demo_set, project_params, cluster):
    import shutil

    import pandas as pd

    from conftest import run_stage
    from musicgenre.datasets.layout import build_manifest

    tables = {}
    for scheduler in ("local", cluster.scheduler_address):
        root = tmp_path / scheduler.replace(":", "_").replace("/", "_")
        shutil.copytree(demo_set, root / "data" / "raw")
        build_manifest(root / "data" / "raw").to_csv(root / "data" / "raw" / "manifest.csv", index=False)
        result = run_stage(root, "represent", {**project_params, "compute": {"scheduler": scheduler}}, "features")
        assert result.returncode == 0, result.stderr
        assert "39/39" in result.stderr  # the progress bar, to its end
        tables[scheduler] = [pd.read_parquet(root / "data" / "inputs" / "features" / name) for name in ("chunks.parquet", "clips.parquet")]
    local, on_dask = tables.values()
    for ours, theirs in zip(local, on_dask):
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert len(local[1]) == 39  # every readable demo clip
