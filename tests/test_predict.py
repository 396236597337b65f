"""``musicgenre predict`` and the hostile-input suite: every bad file has a stated outcome, none ends the batch."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import PROJECT
from musicgenre.audio import probe
from musicgenre.datasets.layout import audio_path, build_manifest
from musicgenre.dsp.features import FEATURE_NAMES, extract
from musicgenre.bundles import load_bundle, make_bundle, save_bundle
from musicgenre.cliprules import VoteModel
from musicgenre.models import build
from musicgenre.predict import classify

SR = 22050


@pytest.fixture(scope="module")
def bundle_path(demo_set, tmp_path_factory):
    """A small kNN bundle trained on the demo set's chunk features."""
    manifest = build_manifest(demo_set)
    rows = []
    for file, genre in zip(manifest.loc[manifest["readable"], "file"], manifest.loc[manifest["readable"], "genre"]):
        _, chunks = extract(audio_path(demo_set, file), SR, 3.0)
        rows += [{**c, "genre": genre, "file": file} for c in chunks]
    table = pd.DataFrame(rows)
    model = VoteModel(build("knn", {"n_neighbors": 3}, "standard", 0)).fit(table[FEATURE_NAMES].to_numpy(),
                                                                          table["genre"].to_numpy(), table["file"])
    path = tmp_path_factory.mktemp("bundle") / "model.bundle"
    save_bundle(make_bundle(model, "knn", FEATURE_NAMES, model.classes_, {"input": "features", "sample_rate": SR, "chunk_seconds": 3.0}), path)
    return path


def music(seconds, sr=SR, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t)) + 0.05 * rng.normal(size=t.size)
    return np.repeat(y[:, None], channels, axis=1) * np.linspace(1, 0.5, channels) if channels > 1 else y


def write_hostile(folder):
    """The hostile files and, for each, what must happen: ``("ok", note)`` or ``("error", message part)``."""
    good = music(6.5)
    sf.write(folder / "good.wav", good, SR)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "random bytes.wav").write_bytes(np.random.default_rng(1).bytes(4096))
    (folder / "truncated.wav").write_bytes((folder / "good.wav").read_bytes()[:30])
    sf.write(folder / "nan.wav", np.where(np.arange(good.size) % 1000 == 0, np.nan, good).astype(np.float32), SR,
             subtype="FLOAT")
    sf.write(folder / "inf.wav", np.where(np.arange(good.size) == 5, np.inf, good).astype(np.float32), SR,
             subtype="FLOAT")
    sf.write(folder / "silence.wav", np.zeros(5 * SR), SR)
    sf.write(folder / "zero length.wav", np.zeros(0), SR)
    sf.write(folder / "8 kHz.wav", music(5, 8000), 8000)
    sf.write(folder / "96 kHz.flac", music(4, 96000), 96000)
    sf.write(folder / "six channels.wav", music(4, channels=6), SR)
    sf.write(folder / "short 1 s.wav", music(1.0), SR)
    sf.write(folder / "ünïcödé ∂ name.ogg", music(4), SR)
    sf.write(folder / "44.1 kHz stereo.mp3", music(4, 44100, channels=2), 44100, format="MP3")
    sf.write(folder / "marsyas.au", music(4), SR, format="AU", subtype="PCM_16")
    both = good.astype(np.float32)
    both[[100, 200]] = np.nan, np.inf
    sf.write(folder / "nan and inf.wav", both, SR, subtype="FLOAT")
    sf.write(folder / "8 channels.wav", music(4, channels=8), SR)
    sf.write(folder / "192 kHz.wav", music(4, 192000), 192000)
    sf.write(folder / "one sample.wav", music(4)[:1], SR)
    boasting = bytearray((folder / "good.wav").read_bytes())  # a header that declares 4 GB of samples
    data = boasting.find(b"data")
    boasting[4:8], boasting[data + 4:data + 8] = (0xFFFFFFF8).to_bytes(4, "little"), (0xFFFFFFF0).to_bytes(4, "little")
    (folder / "gigabyte header.wav").write_bytes(bytes(boasting))
    sf.write(folder / "corrupt frame.mp3", music(8, 44100), 44100, format="MP3")
    mp3 = bytearray((folder / "corrupt frame.mp3").read_bytes())
    mp3[len(mp3) // 2:len(mp3) // 2 + 2000] = np.random.default_rng(3).bytes(2000)  # garbage in the middle frames
    (folder / "corrupt frame.mp3").write_bytes(bytes(mp3))
    return {
        "good.wav": ("ok", 2),
        "empty.wav": ("error", "cannot decode"),
        "random bytes.wav": ("error", "cannot decode"),
        "truncated.wav": ("error", "cannot decode"),
        "nan.wav": ("error", "NaN or infinite"),
        "inf.wav": ("error", "NaN or infinite"),
        "silence.wav": ("error", "silent"),
        "zero length.wav": ("error", "no audio samples"),
        "8 kHz.wav": ("ok", 1),
        "96 kHz.flac": ("ok", 1),
        "six channels.wav": ("ok", 1),
        "short 1 s.wav": ("ok", 1),
        "ünïcödé ∂ name.ogg": ("ok", 1),
        "44.1 kHz stereo.mp3": ("ok", 1),
        "marsyas.au": ("ok", 1),
        "nan and inf.wav": ("error", "NaN or infinite"),
        "8 channels.wav": ("ok", 1),
        "192 kHz.wav": ("ok", 1),
        "one sample.wav": ("ok", 1),  # padded to one chunk
        "gigabyte header.wav": ("ok", 2),  # the samples it has, not the ones it declares
        "corrupt frame.mp3": ("ok", 1),  # the decoder resyncs past the garbage; 8 s, less what it skipped
    }


def run_cli(*args, obey_permissions=False):
    """Run ``musicgenre predict``; ``obey_permissions`` drops root's right to read any file (setpriv)."""
    command = [sys.executable, "-m", "musicgenre", "predict", *map(str, args)]
    if obey_permissions and os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, cwd=tempfile.gettempdir())


def test_demo_clip_top3_and_json(demo_set, bundle_path):
    clip = audio_path(demo_set, "metal.00000.wav")
    table = run_cli(clip, "--model", bundle_path)
    assert table.returncode == 0, table.stderr
    line = [l for l in table.stdout.splitlines() if l.startswith(str(clip))][0]
    assert len(line.split(":")[1].split("[")[0].split()) == 6  # three genres, three probabilities
    result = json.loads(run_cli(clip, "--model", bundle_path, "--format", "json").stdout)
    predictions = result["results"][0]["predictions"]
    assert result["model"] == "knn" and len(predictions) == 3
    probabilities = [p["probability"] for p in predictions]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001


def test_a_song_is_classified_by_its_chunks_spread_evenly_and_says_how_many(tmp_path, bundle_path):
    song = tmp_path / "four minutes.flac"
    sf.write(song, music(240.0), SR)
    table = run_cli(song, "--model", bundle_path)
    assert table.returncode == 0, table.stderr
    assert "[30 of 80 chunks, spread evenly]" in table.stdout
    said = json.loads(run_cli(song, "--model", bundle_path, "--format", "json", "--max-chunks", "8").stdout)
    assert (said["results"][0]["chunks"], said["results"][0]["file_chunks"]) == (8, 80)
    every = json.loads(run_cli(song, "--model", bundle_path, "--format", "json", "--max-chunks", "0").stdout)
    assert every["results"][0]["chunks"] == 80
    refused = run_cli(song, "--model", bundle_path, "--max-chunks", "-1")
    assert refused.returncode != 0 and "--max-chunks must be 0 (every chunk) or more" in refused.stderr


def predict_with_peak(*args):
    """``musicgenre predict`` with ``args`` in a fresh process: ``(exit code, stdout, stderr, peak resident MB)``."""
    script = ("import resource, runpy, sys\n"
              "sys.argv = ['musicgenre', 'predict', *sys.argv[1:]]\n"
              "code = 0\n"
              "try:\n    runpy.run_module('musicgenre', run_name='__main__')\n"
              "except SystemExit as end:\n    code = end.code\n"
              "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'CODE', code)")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    result = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, env=env,
                            timeout=900, cwd=tempfile.gettempdir())
    said, _, peak = result.stdout.rpartition("PEAK ")
    assert peak, result.stderr
    return int(peak.split()[2]), said, result.stderr, int(peak.split()[0]) / 1024


def test_hostile_batch_reports_each_file_and_goes_on_in_bounded_memory(tmp_path, bundle_path):
    """Every hostile file has its outcome, and the batch's peak memory stays within 200 MB of a
    good file's alone: the WAV declaring 4 GB, the 8-channel and the 192 kHz files cost what they hold."""
    expected = write_hostile(tmp_path)
    (tmp_path / "notes.txt").write_text("not audio, and not named like audio: skipped in folders")
    code, said, stderr, peak = predict_with_peak(tmp_path, "--model", bundle_path, "--format", "json", "--top-k", "2")
    assert code == 1  # some files failed
    assert "Traceback" not in stderr
    *_, alone = predict_with_peak(tmp_path / "good.wav", "--model", bundle_path)
    assert peak - alone < 200, (peak, alone)
    outcomes = {Path(r["file"]).name: r for r in json.loads(said)["results"]}
    assert set(outcomes) == set(expected)
    for name, (kind, detail) in expected.items():
        r = outcomes[name]
        if kind == "ok":
            assert r["error"] is None and len(r["predictions"]) == 2 and r["chunks"] == detail, name
        else:
            assert detail in r["error"] and not r["predictions"], (name, r["error"])
            assert f"{name}: " in stderr  # one error line per bad file
    assert outcomes["short 1 s.wav"]["padded"] is True and outcomes["good.wav"]["padded"] is False
    assert outcomes["one sample.wav"]["padded"] is True


def test_csv_output_is_machine_readable(tmp_path, bundle_path):
    expected = write_hostile(tmp_path)
    result = run_cli(tmp_path / "good.wav", tmp_path / "empty.wav", "--model", bundle_path, "--format", "csv")
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(table.columns) == ["file", "rank", "genre", "probability", "chunks", "file_chunks", "error"]
    assert len(table) == 4 and table["error"].notna().sum() == 1 and expected


def test_download_stage_probe_agrees_with_predict(tmp_path):
    """The raw manifest's ``readable`` flag (download stage) for the same hostile files."""
    expected = write_hostile(tmp_path)
    for name, (kind, _) in expected.items():
        if name.endswith(".wav"):
            unusable = kind == "error" and name != "silence.wav"  # silence decodes: the manifest keeps it
            assert probe(tmp_path / name)["readable"] is not unusable, name


def test_folders_without_audio_missing_paths_and_link_loops(tmp_path, bundle_path):
    empty = tmp_path / "no audio here"
    empty.mkdir()
    (empty / "readme.txt").write_text("hi")
    looped = tmp_path / "looped"
    looped.mkdir()
    sf.write(looped / "song.wav", music(4), SR)
    (looped / "again").symlink_to(looped, target_is_directory=True)  # a folder that contains itself
    (tmp_path / "self.wav").symlink_to(tmp_path / "self.wav")  # a link to itself
    result = run_cli(empty, looped, tmp_path / "self.wav", tmp_path / "missing.wav", "--model", bundle_path,
                     "--format", "json")
    outcomes = {Path(r["file"]).name: r for r in json.loads(result.stdout)["results"]}
    assert "no audio files" in outcomes["no audio here"]["error"]
    assert outcomes["song.wav"]["error"] is None  # the loop is not followed, the song is classified once
    assert [Path(r["file"]).name for r in json.loads(result.stdout)["results"]].count("song.wav") == 1
    assert outcomes["self.wav"]["error"] == "cannot read the file: Too many levels of symbolic links"
    assert outcomes["missing.wav"]["error"] == "no such file or folder"
    assert result.returncode == 1


def test_permission_denied_file(tmp_path, bundle_path):
    sf.write(tmp_path / "locked.wav", music(4), SR)
    sf.write(tmp_path / "open.wav", music(4), SR)
    (tmp_path / "locked.wav").chmod(0o000)
    result = run_cli(tmp_path, "--model", bundle_path, "--format", "json", obey_permissions=True)
    outcomes = {Path(r["file"]).name: r for r in json.loads(result.stdout)["results"]}
    assert outcomes["locked.wav"]["error"] == "cannot read the file: Permission denied"
    assert outcomes["open.wav"]["error"] is None and result.returncode == 1


def test_bundle_copied_elsewhere_predicts_without_the_project(tmp_path, demo_set, bundle_path):
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    shutil.copy(bundle_path, elsewhere / "genre-model.bundle")
    bundle = load_bundle(elsewhere / "genre-model.bundle")
    result = classify(bundle, audio_path(demo_set, "disco.00001.wav"))
    assert abs(sum(result["probabilities"].values()) - 1) < 1e-3 and result["chunks"] == 1


def test_a_decoder_failure_is_bad_audio_and_a_bug_is_an_internal_error(tmp_path, bundle_path, monkeypatch, capsys):
    """Both injected: what the decoder raises means "cannot decode" (exit 1); anything raised after
    decoding is a bug, said to be one, naming the file and the exception (exit 3), with its
    traceback under --verbose only; the other files are still classified."""
    import librosa

    from musicgenre import cli
    from musicgenre.dsp import features

    sf.write(tmp_path / "a.wav", music(4), SR)
    sf.write(tmp_path / "b.wav", music(4, seed=1), SR)
    args = ["predict", str(tmp_path / "a.wav"), str(tmp_path / "b.wav"), "--model", str(bundle_path), "--format", "json"]
    real_load = librosa.load

    def decoder(path, **kwargs):
        if path.endswith("a.wav"):
            raise RuntimeError("the decoder gave up")
        return real_load(path, **kwargs)

    monkeypatch.setattr(librosa, "load", decoder)
    assert cli.main(args) == 1
    outcomes = {Path(r["file"]).name: r["error"] for r in json.loads(capsys.readouterr().out)["results"]}
    assert outcomes == {"a.wav": "cannot decode the audio (the decoder gave up)", "b.wav": None}
    monkeypatch.setattr(librosa, "load", real_load)

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a planted bug")

    monkeypatch.setattr(features, "describe_clip", bug)
    assert cli.main(args) == cli.INTERNAL_ERROR == 3
    captured = capsys.readouterr()
    errors = [r["error"] for r in json.loads(captured.out)["results"]]
    assert all(e.startswith("internal error (ZeroDivisionError: a planted bug); this is a bug") for e in errors)
    assert "cannot decode" not in captured.err and f"error: {tmp_path / 'a.wav'}: internal error" in captured.err
    assert "Traceback" not in captured.err and "--verbose" in captured.err
    assert cli.main([*args, "--verbose"]) == 3
    verbose = capsys.readouterr().err
    assert "Traceback (most recent call last)" in verbose and "ZeroDivisionError: a planted bug" in verbose


def test_no_trained_model_is_a_clear_error(tmp_path):
    result = run_cli(tmp_path)  # cwd has no metrics/ and no data/models/
    assert result.returncode == 1 and "no trained model found" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_one_hour_file_in_bounded_memory(tmp_path, bundle_path):
    """A 1-hour file costs its decoded samples (22050 x 3600 float32: 318 MB) and a working set
    bounded by the separation's segments (features.SEPARATION_CHUNKS), not by the file: its peak
    stays within 500 MB of a 4 s file's (separating the hour in one piece takes several GB)."""
    short, hour = tmp_path / "short.wav", tmp_path / "hour.wav"
    sf.write(short, music(4), SR, subtype="PCM_16")
    with sf.SoundFile(hour, "w", SR, 1, "PCM_16") as handle:
        for minute in range(60):
            handle.write(music(60, seed=minute))
    peaks = {}
    for name, path in (("short", short), ("hour", hour)):  # every chunk (--max-chunks 0): the whole hour is separated
        code, said, stderr, peaks[name] = predict_with_peak(path, "--model", bundle_path, "--max-chunks", "0")
        assert code == 0, stderr
        if name == "hour":
            assert "[1200 chunks]" in said
    assert peaks["hour"] - peaks["short"] < 500, peaks
