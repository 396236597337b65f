"""Import a GTZAN copy the user already has into the raw layout.

Accepted: the Kaggle zip or its extracted folder (``genres_original/<genre>/*.wav``), the
original Marsyas ``genres.tar.gz`` or its ``genres/`` folder (``*.au``). Clips are recognised by
their name (``blues.00000.wav``/``.au``) wherever they sit, so the archive's folder structure does
not matter. WAV bytes are copied unchanged (their md5 stays comparable with published sums);
``.au`` clips are decoded and rewritten as 16-bit WAV.
"""

import contextlib
import io
import os
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import soundfile as sf

from ..audio import write_wav
from ..errors import MusicgenreError
from ..files import atomic_write
from .layout import CLIP_NAME


def import_local(source, raw_dir):
    """Copy every GTZAN clip found in ``source`` (folder, ``.zip`` or ``.tar[.gz]``) into ``raw_dir``.

    Returns the number of clips imported.
    """
    source = existing_source(source)
    with contextlib.ExitStack() as open_archives:
        files = members(source, open_archives, GTZAN_COPY)
        return _import_members(((PurePosixPath(path).name, read) for path, read in files.items()), raw_dir, source)


def members(source, open_archives, wanted):
    """``{path inside source: reader}`` for every file of a folder (in path order), zip or tar (in
    archive order). An archive stays open in ``open_archives`` while the readers are used; entries
    that would land outside the target folder, and links, are refused. ``wanted`` names what
    ``dataset.local_path`` should be (see :func:`existing_source`)."""
    if source.is_dir():
        return {p.relative_to(source).as_posix(): p.read_bytes for p in files_below(source)}
    if zipfile.is_zipfile(source):
        archive = open_archives.enter_context(zipfile.ZipFile(source))
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        refuse_unsafe(names, source)
        return {name: (lambda n=name: archive.read(n)) for name in names}
    if tarfile.is_tarfile(source):
        archive = open_archives.enter_context(tarfile.open(source))
        infos = archive.getmembers()
        refuse_unsafe([i.name for i in infos], source)
        links = [i.name for i in infos if i.issym() or i.islnk()]
        if links:
            raise MusicgenreError(f"{source} contains links ({links[0]} …); refusing to extract it")
        return {i.name: (lambda i=i: archive.extractfile(i).read()) for i in infos if i.isfile()}
    raise MusicgenreError(f"{source} is neither a folder, a zip nor a tar archive; point dataset.local_path at "
                          f"{wanted[0]}")


def files_below(folder):
    """Every file below ``folder``, in path order, following symbolic links: genre folders that
    link to another disk are read like plain ones. A folder reached twice (a link loop, or two
    links to one place) is read once."""
    found, seen = [], set()
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders.clear()
            continue
        seen.add(real)
        found += [Path(here) / name for name in names if (Path(here) / name).is_file()]
    return sorted(found)


GTZAN_COPY = ("your GTZAN copy (the Kaggle zip or folder, or the Marsyas genres.tar.gz or genres/ folder)",
              "local", "/data/gtzan.zip")


def existing_source(path, wanted=GTZAN_COPY):
    """``path`` as a Path if it names an existing file or folder, else the error that says what to
    set; ``wanted`` is (what it should be, the source, an example path) for that message."""
    what, name, example = wanted
    source = Path(str(path or "")).expanduser()
    if not str(path or "").strip() or not source.exists():
        raise MusicgenreError(
            f"dataset.local_path ({str(path or '')!r}) is not an existing file or folder: set it to {what}, "
            f"e.g. dvc exp run -S dataset.source={name} -S dataset.local_path={example}")
    return source


def refuse_unsafe(names, archive):
    """Stop on any entry that would land outside the target folder if extracted as named."""
    for name in names:
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise MusicgenreError(
                f"{archive} has an entry that would land outside the target folder: {name!r}. "
                "Refusing to extract it; get a clean copy of the archive"
            )


def _import_members(members, raw_dir, source):
    """Write the members named like GTZAN clips into the layout; ``members`` yields (name, reader)."""
    count = 0
    seen = set()
    for name, read in members:
        match = CLIP_NAME.match(name)
        if not match:
            continue
        target_name = f"{match['genre']}.{match['number']}.wav"
        if target_name in seen:
            continue  # the same clip twice in one copy (e.g. an extracted folder beside its zip)
        seen.add(target_name)
        target = Path(raw_dir) / "audio" / match["genre"] / target_name
        data = read()
        if match["ext"] == "au":
            _au_to_wav(data, target)
        else:
            with atomic_write(target) as temporary:
                temporary.write_bytes(data)
        count += 1
    if count == 0:
        raise MusicgenreError(
            f"no GTZAN clips (named like blues.00000.wav or blues.00000.au) found in {source}"
        )
    return count


def _au_to_wav(data, target):
    """Rewrite a Sun ``.au`` clip as WAV; an undecodable one is kept as is and probed unreadable."""
    try:
        y, sample_rate = sf.read(io.BytesIO(data), dtype="float32")
    except Exception:
        with atomic_write(target) as temporary:
            temporary.write_bytes(data)
        return
    write_wav(target, y, sample_rate)

