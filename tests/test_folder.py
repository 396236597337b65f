"""A user's own collection (``dataset.source: folder``): labels from folders, artists from
metadata.csv or tags, every format the decoders read, and clear errors for bad collections."""

import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from musicgenre.datasets import synthetic
from musicgenre.datasets.folder import import_folder, tag_artist
from musicgenre.datasets.layout import audio_path, build_manifest, label_of
from musicgenre.errors import MusicgenreError
from musicgenre.splits import make_split

#: label folder → (GTZAN-like style the demo generator makes for it, the format its files are written in)
LABELS = {"Blues Rock": ("blues", "mp3"), "Música Clásica": ("classical", "flac"), "metal": ("metal", "ogg"),
          "hip.hop": ("hiphop", "wav")}
FORMATS = {"mp3": ("MP3", None), "flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "VORBIS"), "wav": ("WAV", "PCM_16")}


def write_tags(path, artist):
    """The artist in the file's own tags, as a tagger would write them (ID3 in mp3/wav, Vorbis comments)."""
    import mutagen
    from mutagen.id3 import ID3, TPE1

    if path.suffix == ".wav":
        wave = mutagen.File(path)
        wave.add_tags()
        wave.tags.add(TPE1(encoding=3, text=[artist]))
        wave.save()
    elif path.suffix == ".mp3":
        tags = ID3()
        tags.add(TPE1(encoding=3, text=[artist]))
        tags.save(path)
    else:
        audio = mutagen.File(path)
        audio["artist"] = [artist]
        audio.save()


def write_collection(root, artists_per_label=3, clips_per_artist=2, seconds=6.5, seed=3):
    """A collection as a user would have it: ``<label>/<artist> - <n>.<ext>`` with tags carrying the
    artists (the first label's first file is named in ``metadata.csv`` instead), one corrupt file,
    and every artist's second file cut to 2 s, shorter than one chunk.

    Returns the true artist of every file, by path inside the collection."""
    demo = root.parent / f"{root.name}-demo"
    styles = tuple(style for style, _ in LABELS.values())
    synthetic.generate(demo, seed=seed, artists_per_genre=artists_per_label, clips_per_artist=clips_per_artist,
                       clip_seconds=seconds, duplicates=0, mislabels=0, unreadable=0, genres=styles)
    made = pd.read_csv(demo / "artists.csv")
    truth = {}
    for label, (style, ext) in LABELS.items():
        (root / label).mkdir(parents=True)
        for k, row in enumerate(made[made["file"].str.startswith(f"{style}.")].itertuples()):
            y, rate = sf.read(audio_path(demo, row.file))
            y = y[:2 * rate] if k % clips_per_artist == 1 else y
            path = root / label / f"{row.artist} - {k}.{ext}"
            kind, subtype = FORMATS[ext]
            sf.write(path, y, rate, format=kind, subtype=subtype)
            truth[f"{label}/{path.name}"] = row.artist
            if not (label == "Blues Rock" and k == 0):
                write_tags(path, row.artist)
    first = next(iter(truth))
    pd.DataFrame([{"file": first, "label": "Blues Rock", "artist": truth[first]}]).to_csv(root / "metadata.csv",
                                                                                            index=False)
    (root / "metal" / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8)
    shutil.rmtree(demo)
    return truth


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    root = tmp_path_factory.mktemp("collection") / "My Music"
    return root, write_collection(root)


def test_labels_formats_artists_and_origins(collection, tmp_path):
    root, truth = collection
    origins, artists = import_folder(root, tmp_path)
    manifest = build_manifest(tmp_path, origins)
    assert sorted(manifest["genre"].unique()) == sorted(LABELS)
    assert len(manifest) == len(truth) + 1  # every file, the corrupt one included
    for row in manifest.itertuples():
        assert label_of(row.file) == row.genre and row.source_path.startswith(f"{row.genre}/")
        assert row.file.endswith("." + LABELS[row.genre][1]) or row.source_path == "metal/broken.mp3"
        assert audio_path(tmp_path, row.file).read_bytes() == (root / row.source_path).read_bytes()  # bytes kept
    broken = manifest[manifest["source_path"] == "metal/broken.mp3"]
    assert not broken["readable"].iloc[0] and manifest["readable"].sum() == len(truth)
    by_path = dict(zip(manifest["file"], manifest["source_path"]))
    got = {by_path[f]: (a, how) for f, a, how in artists.itertuples(index=False)}
    assert got.pop("metal/broken.mp3") == ("", "none")
    first = next(iter(truth))
    assert got.pop(first) == (truth[first], "metadata")
    assert got == {path: (artist, "tags") for path, artist in truth.items() if path != first}


def test_label_folders_linked_elsewhere_read_like_plain_ones(collection, tmp_path):
    root, truth = collection
    linked = tmp_path / "linked"
    linked.mkdir()
    for label in LABELS:
        (linked / label).symlink_to(root / label, target_is_directory=True)
    shutil.copy(root / "metadata.csv", linked / "metadata.csv")
    origins, artists = import_folder(linked, tmp_path / "raw")
    assert sorted(set(map(label_of, origins))) == sorted(LABELS) and len(origins) == len(truth) + 1
    assert (artists["artist_source"] == "metadata").sum() == 1


def test_a_zip_with_a_wrapping_folder_reads_the_same(collection, tmp_path):
    root, truth = collection
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out.write(path, f"export/My Music/{path.relative_to(root).as_posix()}")
    origins, artists = import_folder(archive, tmp_path / "raw")
    assert sorted(set(map(label_of, origins))) == sorted(LABELS)
    assert (artists["artist_source"] == "metadata").sum() == 1


def test_tags_without_an_artist_give_none(tmp_path):
    path = tmp_path / "x.flac"
    sf.write(path, np.zeros(2205, dtype=np.float32), 22050, format="FLAC")
    assert tag_artist(path) == ""
    (tmp_path / "junk.mp3").write_bytes(b"not audio at all")
    assert tag_artist(tmp_path / "junk.mp3") == ""


def _tone(path):
    sf.write(path, np.zeros(22050, dtype=np.float32), 22050)


def test_bad_collections_stop_clearly(tmp_path):
    with pytest.raises(MusicgenreError, match="is not an existing file or folder.*dataset.source=folder"):
        import_folder(tmp_path / "nowhere", tmp_path / "raw")
    (tmp_path / "empty" / "rock").mkdir(parents=True)
    (tmp_path / "empty" / "rock" / "notes.txt").write_text("no audio here")
    with pytest.raises(MusicgenreError, match="no audio files .* found in .*empty"):
        import_folder(tmp_path / "empty", tmp_path / "raw")
    (tmp_path / "one" / "rock").mkdir(parents=True)
    _tone(tmp_path / "one" / "rock" / "a.wav")
    with pytest.raises(MusicgenreError, match=r"one label only \(rock\)"):
        import_folder(tmp_path / "one", tmp_path / "raw")
    (tmp_path / "one" / "jazz").mkdir()
    _tone(tmp_path / "one" / "jazz" / "b.wav")
    _tone(tmp_path / "one" / "loose.wav")
    with pytest.raises(MusicgenreError, match="loose.wav is not inside a label folder"):
        import_folder(tmp_path / "one", tmp_path / "raw")
    (tmp_path / "one" / "loose.wav").unlink()
    (tmp_path / "one" / "metadata.csv").write_text("file,singer\nrock/a.wav,X\n")
    with pytest.raises(MusicgenreError, match="metadata.csv needs the columns file, label, artist .missing: artist"):
        import_folder(tmp_path / "one", tmp_path / "raw")


def test_a_label_short_of_clips_stops_the_split_by_name():
    clips = pd.DataFrame({"file": [f"{g}.{i:05d}.wav" for g, n in (("Música Clásica", 6), ("rare one", 2))
                                   for i in range(n)]})
    clips["genre"] = clips["file"].map(label_of)
    clips["artist"] = [f"a{i}" for i in range(len(clips))]
    chunks = clips[["file"]].assign(chunk=0)
    with pytest.raises(MusicgenreError, match=r"'rare one' has 2; each label needs at least 4 .* split.folds is 3"):
        make_split(chunks, clips, "artist", 0.2, 3, 0)


def test_a_label_with_clips_but_too_few_artists_for_the_folds():
    clips = pd.DataFrame({"file": [f"{g}.{i:05d}.wav" for g in ("a", "b") for i in range(8)]})
    clips["genre"] = clips["file"].map(label_of)
    clips["artist"] = clips["genre"] + "-one-artist"
    with pytest.raises(MusicgenreError, match="split.folds is 3 but the training set has only 2 artist groups"):
        make_split(clips[["file"]].assign(chunk=0), clips, "artist", 0.2, 3, 0)
