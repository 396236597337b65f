"""Import a user's own labelled collection: a folder, zip or tar laid out as ``<label>/<audio files>``.

* **Labels** are the folder names just below the collection's root, the deepest folder that
  holds every audio file (so a zip of ``mine/<label>/...`` reads as ``<label>/...``). Files deeper
  down (``<label>/<album>/...``) keep their top folder's label. Any name a file system allows is a
  label: spaces, accents, other scripts.
* **Files** are copied byte for byte (any format the decoders read: wav, flac, ogg, mp3, au; m4a
  only where an ffmpeg is installed) to ``audio/<label>/<label>.NNNNN.<ext>``, numbered per label
  in the order of their source paths. The raw manifest's ``source_path`` column maps every raw
  name back to its path in the collection. Files that do not decode are kept and recorded
  ``readable=false``, and the clean stage skips them, as for GTZAN.
* **Artists**, which the artist-aware split groups by: from ``metadata.csv`` at the collection's
  root (columns ``file, label, artist``; ``file`` as a path inside the collection, or a bare file
  name when that is unique) when it names the file, else from the file's own tags (ID3, Vorbis
  comments, MP4, read with mutagen), else none: the file is then its own group. They go to
  ``artists.csv`` (``file, artist, artist_source``), which the clean stage reads.
"""

import contextlib
import csv
import io
from collections import Counter
from pathlib import Path, PurePosixPath

import pandas as pd

from ..audio import AUDIO_EXTENSIONS
from ..errors import MusicgenreError
from ..files import atomic_write
from .local import existing_source, members

METADATA = "metadata.csv"
COLLECTION = ("your collection (a folder, zip or tar of <label>/<audio files>)", "folder", "/data/my_music")
ARTIST_COLUMNS = ["file", "artist", "artist_source"]


def import_folder(source, raw_dir):
    """Copy every audio file of the collection at ``source`` into ``raw_dir``'s layout.

    Returns ``(origins, artists)``: raw file name → source path, and the ``artists.csv`` table.
    """
    source = existing_source(source, COLLECTION)
    with contextlib.ExitStack() as open_archives:
        return _import(source, members(source, open_archives, COLLECTION), raw_dir)


def _import(source, files, raw_dir):
    audio = {path: read for path, read in files.items() if PurePosixPath(path).suffix.lower() in AUDIO_EXTENSIONS}
    if not audio:
        raise MusicgenreError(f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) found in {source}; "
                              "dataset.source: folder expects <label>/<audio files>")
    root = _common_root(audio)
    if root and all(len(PurePosixPath(path).parts) == len(root) + 1 for path in audio):
        root = root[:-1]  # every file in one folder: that folder is the (only) label
    loose = [path for path in sorted(audio) if len(PurePosixPath(path).parts) < len(root) + 2]
    if loose:
        raise MusicgenreError(f"{source}: {loose[0]} is not inside a label folder; lay the collection out as "
                              "<label>/<audio files>, one folder per label")
    labels = sorted({PurePosixPath(path).parts[len(root)] for path in audio})
    if len(labels) < 2:
        raise MusicgenreError(f"{source} holds one label only ({labels[0]}); a classifier needs two or more "
                              "label folders")
    by_metadata = _read_metadata(files.get(str(PurePosixPath(*root, METADATA))) or files.get(METADATA), source)
    origins, rows, numbers = {}, [], Counter()
    for path in sorted(audio):
        inside = PurePosixPath(*PurePosixPath(path).parts[len(root):])
        label = inside.parts[0]
        name = f"{label}.{numbers[label]:05d}{PurePosixPath(path).suffix.lower()}"
        numbers[label] += 1
        target = Path(raw_dir) / "audio" / label / name
        with atomic_write(target) as temporary:
            temporary.write_bytes(audio[path]())
        origins[name] = str(inside)
        artist, how = by_metadata.get(str(inside)) or by_metadata.get(inside.name) or (tag_artist(target), "tags")
        rows.append({"file": name, "artist": artist, "artist_source": how if artist else "none"})
    return origins, pd.DataFrame(rows, columns=ARTIST_COLUMNS)


def tag_artist(path):
    """The artist in a file's own tags (ID3 ``TPE1``, Vorbis/FLAC ``artist``, MP4 ``©ART``), or ``""``."""
    import mutagen

    try:
        audio = mutagen.File(str(path), easy=True)
    except Exception:  # mutagen raises per-format errors for damaged tags; the file just has no artist
        return ""
    tags = getattr(audio, "tags", None)
    if not tags:
        return ""
    for key in ("artist", "TPE1"):  # easy keys where mutagen has them (mp3, flac, ogg, mp4), raw ID3 in WAV/AIFF
        try:
            value = tags[key]
        except (KeyError, ValueError):
            continue
        text = getattr(value, "text", value)
        return str(text[0] if isinstance(text, list) and text else text).strip()
    return ""


def artist_summary(artists):
    """One line on where the artists came from, for the download stage's summary."""
    counts = artists["artist_source"].value_counts()
    return (f"artists: {counts.get('metadata', 0)} files from {METADATA}, {counts.get('tags', 0)} from tags, "
            f"{counts.get('none', 0)} with none (each its own group in the split)")


def _common_root(paths):
    """The folder parts that every path shares (not counting the file name)."""
    parents = [PurePosixPath(path).parts[:-1] for path in paths]
    if not parents:
        return ()
    root = parents[0]
    for parts in parents[1:]:
        common = 0
        while common < min(len(root), len(parts)) and root[common] == parts[common]:
            common += 1
        root = root[:common]
    return root


def _read_metadata(read, source):
    """``metadata.csv`` as ``{file: (artist, "metadata")}``, keyed by path and by unique bare name."""
    if read is None:
        return {}
    text = read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = {"file", "artist"} - set(rows[0] if rows else {})
    if missing:
        raise MusicgenreError(f"{source}: {METADATA} needs the columns file, label, artist (missing: "
                              f"{', '.join(sorted(missing))})")
    found = {}
    names = Counter(PurePosixPath(row["file"]).name for row in rows)
    for row in rows:
        artist = (row.get("artist") or "").strip()
        if artist:
            found[row["file"].strip()] = (artist, "metadata")
            name = PurePosixPath(row["file"].strip()).name
            if names[name] == 1:
                found.setdefault(name, (artist, "metadata"))
    return found
