import numpy as np
import pytest

from musicgenre import jit
from musicgenre.datasets import synthetic

# Before any test imports librosa: the two xdist workers (and the stages the tests start, which
# inherit the environment) share one cache, compiled once under a lock (see musicgenre.jit).
jit.ready()

SR = 22050
#: Modules whose tests take minutes (a whole pipeline under DVC): run first, so that on make test's
#: two workers the many short tests fill the other worker meanwhile, instead of one long test
#: running alone at the end.
LONGEST = ("test_pipeline.py", "test_review_stage.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name not in LONGEST)  # stable: each module keeps its order


@pytest.fixture(scope="session")
def demo_set(tmp_path_factory):
    """A tiny demo set in the raw layout: 10 genres x 2 artists x 2 clips of 4 s, with faults."""
    root = tmp_path_factory.mktemp("demo")
    synthetic.generate(root, seed=7, artists_per_genre=2, clips_per_artist=2, clip_seconds=4.0,
                       duplicates=3, mislabels=3, unreadable=1)
    return root


@pytest.fixture
def tone():
    """Seven seconds of a chord with clicks and noise: enough structure for every feature."""
    rng = np.random.default_rng(0)
    t = np.arange(int(7.0 * SR)) / SR
    y = sum(np.sin(2 * np.pi * f * t) for f in (220, 277, 330)) / 3
    y[:: SR // 2] += 1.0
    return (0.5 * y + 0.05 * rng.normal(size=t.size)).astype(np.float32)


PROJECT = __import__("pathlib").Path(__file__).resolve().parents[1]


def run_stage(workdir, module, params, *args, env_extra=None):
    """Run a stage as DVC would (``python -m stages.X`` from a project root) with ``params``."""
    import os
    import subprocess
    import sys

    import yaml

    (workdir / "params.yaml").write_text(yaml.safe_dump(params))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAGGLE")}
    env.update({"PYTHONPATH": str(PROJECT), "HOME": str(workdir / "home"), **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", f"stages.{module}", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=300)


def run_python(code, cwd=None, env_extra=None):
    """Run ``code`` in a fresh interpreter with only the project on its path: nothing this test
    process imported or set up carries over."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(PROJECT), "PATH": "/usr/bin:/bin", **(env_extra or {})})


def committed_params_text():
    """The committed ``params.yaml``: the defaults the tests assert, whatever ``make demo`` or
    ``dvc exp run -S`` left in the working tree's copy (outside a git checkout: that copy)."""
    import subprocess

    shown = subprocess.run(["git", "show", "HEAD:params.yaml"], cwd=PROJECT, capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else (PROJECT / "params.yaml").read_text()


def commented_family(name):
    """The settings of a family that ``params.yaml`` ships commented out under ``models`` (as
    ``transfer``): what uncommenting its lines (dropping each line's first ``# ``) gives."""
    import yaml

    lines = committed_params_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"  # {name}:")))
    block = []
    for line in lines[start:]:
        if not line.startswith("  # "):
            break
        block.append(line.replace("# ", "", 1))
    return yaml.safe_load("\n".join(block))[name]


@pytest.fixture
def project_params():
    import yaml

    return yaml.safe_load(committed_params_text())
