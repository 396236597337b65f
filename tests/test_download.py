import io
import tarfile
import zipfile

import pandas as pd
import pytest
import soundfile as sf

from conftest import run_stage
from musicgenre import GENRES
from musicgenre.datasets.layout import build_manifest, check_counts
from musicgenre.datasets.local import import_local
from musicgenre.errors import MusicgenreError


def clips_of(demo_set):
    return sorted((demo_set / "audio").glob("*/*.wav"))


@pytest.fixture
def kaggle_zip(tmp_path, demo_set):
    """An archive shaped like the Kaggle download: Data/genres_original/<genre>/*.wav and more."""
    path = tmp_path / "gtzan-dataset-music-genre-classification.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for clip in clips_of(demo_set):
            archive.write(clip, f"Data/genres_original/{clip.parent.name}/{clip.name}")
        archive.writestr("Data/features_3_sec.csv", "filename,label\n")
        archive.writestr("Data/images_original/blues/blues00000.png", b"png")
    return path


def test_kaggle_zip_imports_wav_bytes_unchanged(tmp_path, demo_set, kaggle_zip):
    raw = tmp_path / "raw"
    assert import_local(kaggle_zip, raw) == 40
    imported, original = build_manifest(raw), build_manifest(demo_set)
    assert imported.equals(original)  # same names, md5s, durations, and the unreadable one flagged
    assert (~imported["readable"]).sum() == 1


def test_marsyas_tar_of_au_files_becomes_wav(tmp_path, demo_set):
    archive_path = tmp_path / "genres.tar.gz"
    with tarfile.open(archive_path, "w:gz") as archive:
        for clip in clips_of(demo_set)[:6]:
            buffer = io.BytesIO()
            try:
                y, sr = sf.read(clip)
                sf.write(buffer, y, sr, format="AU", subtype="PCM_16")
            except sf.LibsndfileError:
                buffer.write(clip.read_bytes())  # the corrupt clip stays corrupt
            info = tarfile.TarInfo(f"genres/{clip.parent.name}/{clip.stem}.au")
            info.size = buffer.tell()
            buffer.seek(0)
            archive.addfile(info, buffer)
    raw = tmp_path / "raw"
    import_local(archive_path, raw)
    manifest = build_manifest(raw)
    assert manifest["file"].str.endswith(".wav").all() and len(manifest) == 6
    assert set(manifest.loc[manifest["readable"], "sample_rate"]) == {22050}


def test_extracted_folder_imports(tmp_path, demo_set):
    raw = tmp_path / "raw"
    assert import_local(demo_set, raw) == 40


def test_genre_folders_linked_to_another_disk_import_like_plain_ones(tmp_path, demo_set):
    """A copy whose genre folders are symbolic links (the audio on another disk) reads as a plain
    folder; a link loop inside it is read once, not forever."""
    copy = tmp_path / "gtzan"
    (copy / "genres_original").mkdir(parents=True)
    for genre in (demo_set / "audio").iterdir():
        (copy / "genres_original" / genre.name).symlink_to(genre, target_is_directory=True)
    (copy / "genres_original" / "loop").symlink_to(copy, target_is_directory=True)
    raw = tmp_path / "raw"
    assert import_local(copy, raw) == 40
    assert build_manifest(raw).equals(build_manifest(demo_set))


@pytest.mark.parametrize("entry", ["../evil.wav", "/etc/blues.00000.wav", "Data/../../blues.00001.wav"])
def test_archive_entries_outside_the_target_are_refused(tmp_path, entry):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(entry, b"RIFF")
    with pytest.raises(MusicgenreError, match="outside the target folder"):
        import_local(path, tmp_path / "raw")
    assert not (tmp_path / "raw").exists() and not (tmp_path.parent / "evil.wav").exists()


def test_tar_links_are_refused(tmp_path):
    path = tmp_path / "links.tar"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("genres/blues/blues.00000.au")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(MusicgenreError, match="links"):
        import_local(path, tmp_path / "raw")


def test_not_an_archive_and_no_clips(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(MusicgenreError, match="neither a folder, a zip nor a tar"):
        import_local(junk, tmp_path / "raw")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MusicgenreError, match="no GTZAN clips"):
        import_local(tmp_path / "empty", tmp_path / "raw")


def test_incomplete_copy_is_reported_or_allowed(demo_set):
    manifest = build_manifest(demo_set)
    short = manifest[manifest["file"] != "rock.00003.wav"]
    with pytest.raises(MusicgenreError, match=r"1 of 40 expected clips are missing \(rock.00003.wav\)"):
        check_counts(short, GENRES, 4, allow_incomplete=False)
    with pytest.warns(UserWarning, match="allow_incomplete is true"):
        assert check_counts(short, GENRES, 4, allow_incomplete=True) == ["rock.00003.wav"]
    assert check_counts(manifest, GENRES, 4, allow_incomplete=False) == []


def test_missing_kaggle_credentials_give_one_clear_message(tmp_path, project_params):
    result = run_stage(tmp_path, "download", project_params)  # HOME is empty, no KAGGLE_* variables
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for way_out in ("KAGGLE_USERNAME", "dataset.source=local", "make demo"):
        assert way_out in result.stderr


def test_local_source_stage_with_incomplete_copy(tmp_path, project_params, kaggle_zip):
    project_params["dataset"].update(source="local", local_path=str(kaggle_zip))
    result = run_stage(tmp_path, "download", project_params)
    assert result.returncode == 1 and "960 of 1000 expected clips are missing" in result.stderr
    assert "Traceback" not in result.stderr
    project_params["dataset"]["allow_incomplete"] = True
    result = run_stage(tmp_path, "download", project_params)
    assert result.returncode == 0, result.stderr
    manifest = pd.read_csv(tmp_path / "data/raw/manifest.csv")
    assert len(manifest) == 40 and list(manifest.columns) == [
        "file", "genre", "md5", "duration_s", "sample_rate", "channels", "readable"]


@pytest.mark.parametrize("change, message", [
    ({"source": "spotify"}, "dataset.source is 'spotify'; expected one of: kaggle, local, synthetic"),
    ({"source": "local", "local_path": "/nowhere/gtzan.zip"}, "is not an existing file or folder"),
    ({"source": "synthetic", "synthetic": {"artists_per_genre": "four"}}, "artists_per_genre must be an integer"),
])
def test_bad_dataset_params(tmp_path, project_params, change, message):
    project_params["dataset"].update(change)
    result = run_stage(tmp_path, "download", project_params)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
