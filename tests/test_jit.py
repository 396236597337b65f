"""First runs on a fresh machine: numba's JIT cache, written by parallel workers, must never crash a stage.

These tests give every run its own empty ``NUMBA_CACHE_DIR``: that is what a brand-new virtualenv
looks like, and what CI (whose caches were warmed long ago) never sees.
"""

import shutil

import pandas as pd
import pytest

from conftest import run_stage
from musicgenre import jit
from musicgenre.datasets.layout import build_manifest

pytestmark = pytest.mark.slow


@pytest.fixture
def raw_project(tmp_path, demo_set, project_params):
    """A project folder holding six readable demo clips in the raw layout, and the project's params."""
    manifest = build_manifest(demo_set)
    files = manifest[manifest["readable"]].groupby("genre").head(1)["file"].head(6).tolist()
    for file in files:
        genre = file.split(".")[0]
        (tmp_path / "data" / "raw" / "audio" / genre).mkdir(parents=True, exist_ok=True)
        shutil.copy(demo_set / "audio" / genre / file, tmp_path / "data" / "raw" / "audio" / genre / file)
    build_manifest(tmp_path / "data" / "raw").to_csv(tmp_path / "data" / "raw" / "manifest.csv", index=False)
    project_params["features"]["n_jobs"] = 2
    return tmp_path, project_params, files


@pytest.mark.parametrize("attempt", range(3))
def test_first_parallel_features_run_on_an_empty_jit_cache(raw_project, tmp_path_factory, attempt):
    """Two workers that would both compile librosa's beat tracker at once, on a brand-new cache."""
    workdir, params, files = raw_project
    cache = tmp_path_factory.mktemp("numba-cache")
    result = run_stage(workdir, "represent", params, "features", env_extra={"NUMBA_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(pd.read_parquet(workdir / "data" / "inputs" / "features" / "clips.parquet")["file"]) == sorted(files)
    # and the cache it left behind serves the next run
    again = run_stage(workdir, "represent", params, "features", env_extra={"NUMBA_CACHE_DIR": str(cache)})
    assert again.returncode == 0, again.stderr[-3000:]


def broken_copy_of_the_cache(tmp_path, damage):
    """A copy of this session's checked cache under a new ``NUMBA_CACHE_DIR``, each compiled file damaged."""
    base = tmp_path / "numba-cache"
    copy = base / jit.cache_dir().name  # the folder ready() picks under that base, in this environment
    shutil.copytree(jit.cache_dir(), copy, ignore=shutil.ignore_patterns(jit.LOCK))
    compiled = [p for p in copy.rglob("*") if p.suffix in (".nbi", ".nbc")]
    assert compiled
    for path in compiled:
        damage(path)
    return base


def test_a_truncated_cache_is_detected_and_rebuilt(raw_project, tmp_path_factory):
    """As a run killed while numba wrote its files leaves it (a cache that crashes on load is
    handled the same way: the check runs in a child process)."""
    workdir, params, files = raw_project
    base = broken_copy_of_the_cache(tmp_path_factory.mktemp("broken"), lambda path: path.write_bytes(path.read_bytes()[:10]))
    result = run_stage(workdir, "represent", params, "features", env_extra={"NUMBA_CACHE_DIR": str(base)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "is broken" in result.stderr and "deleting it and compiling again" in result.stderr
    assert len(pd.read_parquet(workdir / "data" / "inputs" / "features" / "clips.parquet")) == len(files)
