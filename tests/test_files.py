"""Outputs are written whole or not at all, and a full disk is a message that names the file, the
space and the way out, with the earlier file intact."""

import os
import subprocess
import sys

import pytest

from musicgenre.errors import MusicgenreError
from musicgenre.files import PARTIAL, atomic_write


def test_a_write_that_fails_leaves_the_earlier_file_and_no_temporary(tmp_path):
    target = tmp_path / "out" / "metrics.json"
    with atomic_write(target) as temporary:
        assert temporary.parent == target.parent and temporary.suffix == ".json" and PARTIAL in temporary.name
        temporary.write_text("first")
    assert target.read_text() == "first"
    with pytest.raises(RuntimeError), atomic_write(target) as temporary:
        temporary.write_text("half of the sec")
        raise RuntimeError("stopped")
    assert target.read_text() == "first" and os.listdir(target.parent) == ["metrics.json"]


def test_temporaries_of_a_killed_run_are_removed_by_the_next_write(tmp_path):
    """A run killed mid-write leaves its temporary (SIGKILL runs no cleanup); the next write into
    the folder removes those of processes no longer alive, and leaves a living one's alone."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f".model{PARTIAL}{dead.stdout.strip()}.bundle"
    left.write_bytes(b"half")
    living = tmp_path / f".cv{PARTIAL}{os.getppid()}.json"
    living.write_text("{")
    with atomic_write(tmp_path / "other.csv") as temporary:
        temporary.write_text("a,b\n")
    assert not left.exists() and living.exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KB file system (tmpfs), where this machine lets the tests mount one (as root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip()}); "
                    "tests/test_pipeline.py fills a stage's output under a file-size limit instead")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_names_the_file_the_space_and_the_way_out(small_disk):
    (small_disk / "model.bundle").write_bytes(b"the earlier model")
    with pytest.raises(MusicgenreError) as failed, atomic_write(small_disk / "model.bundle") as temporary:
        temporary.write_bytes(os.urandom(200_000))
    message = str(failed.value)
    assert message.startswith(f"cannot write {small_disk / 'model.bundle'}: no space left on the device. It needed "
                              "more than the ")
    assert " KB was free there" in message and "Earlier outputs and the DVC cache are intact" in message
    assert "dvc gc --workspace" in message and "then rerun dvc repro" in message
    assert (small_disk / "model.bundle").read_bytes() == b"the earlier model"
    assert os.listdir(small_disk) == ["model.bundle"]  # the temporary is gone, and its space free again
