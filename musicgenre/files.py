"""Outputs written whole or not at all, and a full disk that says so.

A stage stopped hard (a closed laptop lid, an out-of-memory kill, a pre-empted cluster node) or
a disk that fills in the middle of a write would otherwise leave a half-written file where its
output belongs: DVC reruns the unfinished stage, but ``predict``, the API or a notebook reads the
file outside DVC. So every output goes through :func:`atomic_write`: it is written under a
temporary name beside its final one and renamed into place (one ``os.replace``, atomic on one
file system) only once complete. A reader meets the earlier file or the new one, never a part.
"""

import errno
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .errors import MusicgenreError

#: The marker in a temporary output's name: ``.<stem>.partial-<pid><suffix>``.
PARTIAL = ".partial-"
#: errno values that mean "no room": no space on the device, a disk quota, a file-size limit.
NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@contextmanager
def atomic_write(path):
    """Yield a temporary path to write ``path``'s content to; on success it becomes ``path``.

    The temporary name keeps the suffix (writers choose their format by it: ``.png``, ``.npy``,
    ``.keras``) and sits in the same folder (a rename across file systems would be a copy).
    Temporaries that killed runs left in the folder are removed first. On any error the
    temporary is removed and ``path`` is as it was; a full disk becomes :func:`no_room`'s message.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    temporary = path.with_name(f".{path.stem}{PARTIAL}{os.getpid()}{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as err:
        if err.errno in NO_ROOM:
            written = temporary.stat().st_size if temporary.exists() else 0
            free = shutil.disk_usage(path.parent).free  # as the write found it, before its temporary is removed
            temporary.unlink(missing_ok=True)
            raise no_room(path, written, free, err) from None
        raise
    finally:
        temporary.unlink(missing_ok=True)


#: The folders this process has cleared of leftovers (each is listed once, however many files it gets).
_cleared = set()


def remove_leftovers(path):
    """Remove the temporaries that runs no longer alive (killed mid-write) left in ``path``'s folder."""
    folder = path.parent.resolve()
    if folder in _cleared:
        return
    _cleared.add(folder)
    for leftover in folder.glob(f".*{PARTIAL}*"):
        pid = leftover.stem.rpartition(PARTIAL)[2].split(".")[0]
        if pid.isdigit() and not alive(int(pid)):
            leftover.unlink(missing_ok=True)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def no_room(path, written, free, err):
    """The message for a write of ``path`` that ran out of room after ``written`` bytes, ``free`` left."""
    if err.errno == errno.EFBIG:
        why, way_out = ("the file is larger than this process may write (its file-size limit, ulimit -f)",
                        "Raise the limit (ulimit -f unlimited)")
    else:
        why = "the disk quota is used up" if err.errno == errno.EDQUOT else "no space left on the device"
        way_out = ("Free some space (dvc gc --workspace removes cached versions the workspace does not use; or "
                   "move DVC's cache to a larger disk: dvc cache dir PATH)")
    return MusicgenreError(
        f"cannot write {path}: {why}. It needed more than the {size(written)} written when the write failed, "
        f"and {size(free)} was free there. Earlier outputs and the DVC cache are intact (this file was written "
        f"under a temporary name, now removed). {way_out}, then rerun dvc repro: it resumes with this stage")


def size(count):
    """``count`` bytes in KB, MB or GB (binary), to one decimal."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count / 2**10:.1f} KB"
