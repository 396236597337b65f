"""FMA: tracks.csv as published, its official split, and the download against a server on
127.0.0.1 (a good archive, a bad checksum, a cut transfer resumed or restarted)."""

import hashlib
import http.server
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import run_stage
from musicgenre.datasets import fma
from musicgenre.errors import MusicgenreError
from musicgenre.splits import make_split

#: (track id, genre_top, artist id, subset, split): two genres, artists never across sets; track 5
#: is medium only, track 9 has no top genre, track 8 is one of FMA's near-empty files.
TRACKS = [(2, "Hip-Hop", 1, "small", "training"), (3, "Hip-Hop", 1, "small", "training"),
          (4, "Hip-Hop", 2, "small", "validation"), (10, "Hip-Hop", 3, "small", "test"),
          (11, "Hip-Hop", 4, "small", "training"), (12, "Hip-Hop", 4, "small", "training"),
          (20, "Old-Time / Historic", 5, "small", "training"), (21, "Old-Time / Historic", 6, "small", "validation"),
          (22, "Old-Time / Historic", 7, "small", "test"), (23, "Old-Time / Historic", 7, "small", "test"),
          (24, "Old-Time / Historic", 8, "small", "training"), (8, "Old-Time / Historic", 8, "small", "training"),
          (5, "Hip-Hop", 9, "medium", "training"), (9, None, 10, "small", "training")]


def tracks_csv():
    """``tracks.csv`` in FMA's own layout: pandas' two-level column header and the ``track_id`` row."""
    columns = pd.MultiIndex.from_tuples([("album", "title"), ("artist", "id"), ("artist", "name"), ("set", "split"),
                                         ("set", "subset"), ("track", "genre_top"), ("track", "title")])
    rows = [("An album", artist, f"Artist {artist}", split, subset, genre, f"Track {tid}")
            for tid, genre, artist, subset, split in TRACKS]
    table = pd.DataFrame(rows, columns=columns, index=pd.Index([t[0] for t in TRACKS], name="track_id"))
    return table.to_csv()


def test_tracks_csv_is_read_as_published():
    text = tracks_csv()
    assert text.splitlines()[0].startswith(",album,artist") and text.splitlines()[2].startswith("track_id")
    from io import StringIO

    tracks = fma.read_tracks(StringIO(text))
    assert list(tracks.columns) == ["genre", "artist", "subset", "split"] and tracks.loc[20, "genre"] == "Old-Time / Historic"
    assert set(fma.in_subset(tracks, "small").index) == {t[0] for t in TRACKS} - {5}
    assert set(fma.in_subset(tracks, "medium").index) == {t[0] for t in TRACKS}
    with pytest.raises(MusicgenreError, match="no set.split column"):
        fma.read_tracks(StringIO(text.replace("split", "partition")))


def mp3(seconds, seed):
    from io import BytesIO

    rng = np.random.default_rng(seed)
    buffer = BytesIO()
    sf.write(buffer, (0.3 * rng.normal(size=int(seconds * 22050))).astype(np.float32), 22050, format="MP3")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def fma_copy(tmp_path_factory):
    """fma_metadata.zip and fma_small.zip as published (paths inside them included), and the same extracted."""
    root = tmp_path_factory.mktemp("fma")
    with zipfile.ZipFile(root / "fma_metadata.zip", "w") as out:
        out.writestr("fma_metadata/tracks.csv", tracks_csv())
        out.writestr("fma_metadata/README.txt", "metadata")
    with zipfile.ZipFile(root / "fma_small.zip", "w") as out:
        for tid, *_ in TRACKS:
            if tid != 5:
                seconds = 0.2 if tid == 8 else 3.2
                number = f"{tid:06d}"
                out.writestr(f"fma_small/{number[:3]}/{number}.mp3", mp3(seconds, tid))
    extracted = root / "extracted"
    for name in ("fma_metadata.zip", "fma_small.zip"):
        with zipfile.ZipFile(root / name) as archive:
            archive.extractall(extracted)
    return root, extracted


def test_import_keeps_the_official_split_and_no_artist_crosses_sets(fma_copy, tmp_path):
    from musicgenre.datasets.layout import build_manifest

    zips, _ = fma_copy
    origins, artists, official = fma.import_fma(zips, "small", tmp_path)
    manifest = fma.with_official_split(build_manifest(tmp_path, origins), official)
    assert set(manifest["genre"]) == {"Hip-Hop", "Old-Time - Historic"}  # "/" cannot be in a folder name
    assert origins["Hip-Hop.000002.mp3"] == "fma_small/000/000002.mp3" and len(manifest) == 12  # no 5, no 9
    assert not manifest.set_index("file").loc["Old-Time - Historic.000008.mp3", "readable"]  # near-empty
    published = {f"{fma.label(g)}.{tid:06d}.mp3": fma.SETS[split] for tid, g, _, _, split in TRACKS if g and tid != 5}
    assert dict(zip(manifest["file"], manifest["official_set"])) == published

    clips = manifest[manifest["readable"]].merge(artists, on="file")
    split = make_split(clips[["file"]].assign(chunk=0), clips, "official", 0.2, 2, 0,
                       published={f: s for f, s in published.items()})
    assert dict(zip(split["file"], split["set"])) == {f: "test" if s == "test" else "train"
                                                      for f, s in published.items() if f in set(clips["file"])}
    assert set(split.loc[split["fold"] == 0, "file"]) == {f for f, s in published.items() if s == "valid"}
    assert split.groupby("artist")["set"].nunique().max() == 1  # no artist on both sides


def test_the_download_stage_imports_a_local_copy(fma_copy, tmp_path, project_params):
    _, extracted = fma_copy
    params = {**project_params, "dataset": {**project_params["dataset"], "source": "fma",
                                            "local_path": str(extracted)}}
    result = run_stage(tmp_path, "download", params)
    assert result.returncode == 0, result.stderr
    assert "fma: 12 clips in data/raw/audio, 1 unreadable" in result.stdout
    assert "official split 6 training, 2 validation, 3 test clips" in result.stdout
    artists = pd.read_csv(tmp_path / "data" / "raw" / "artists.csv")
    assert artists["artist"].str.startswith("fma:").all()


def test_a_local_archive_with_the_wrong_checksum_is_left_alone_and_refused(fma_copy, tmp_path, project_params):
    zips, _ = fma_copy
    params = {**project_params, "dataset": {**project_params["dataset"], "source": "fma", "local_path": str(zips)}}
    result = run_stage(tmp_path, "download", params)
    assert result.returncode == 1 and "its SHA-1 is" in result.stderr and "Nothing was extracted" in result.stderr
    assert (zips / "fma_metadata.zip").exists() and not (tmp_path / "data" / "raw").exists()


class Server:
    """A file server on 127.0.0.1 that honours ``Range`` (or not), and can cut a transfer halfway."""

    def __init__(self, files):
        self.cut, self.ranges, self.honour_range = False, [], True
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                data = outer.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                asked = self.headers.get("Range")
                outer.ranges.append(asked)
                if asked and outer.honour_range:
                    start = int(asked.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if outer.cut:  # half the body, then the connection drops
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fma/"
        self.files = {f"fma/{name}": data for name, data in files.items()}
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def archive():
    data = np.random.default_rng(1).bytes(3 * 2**20 + 12345)  # a few blocks of the download loop
    return data, hashlib.sha1(data).hexdigest()


def test_download_good_archive(tmp_path, archive):
    data, digest = archive
    server = Server({"fma_small.zip": data})
    try:
        path = fma.fetch("fma_small.zip", tmp_path, server.url, expected=digest, progress=False)
        assert path.read_bytes() == data and not (tmp_path / "fma_small.zip.part").exists()
        assert fma.fetch("fma_small.zip", tmp_path, server.url, expected=digest) == path  # there: not again
        assert len(server.ranges) == 1
    finally:
        server.close()


def test_download_bad_checksum_is_refused_and_deleted(tmp_path, archive):
    data, _ = archive
    server = Server({"fma_small.zip": data})
    try:
        with pytest.raises(MusicgenreError, match="not the published 0+: the file is damaged .* nothing was extracted"):
            fma.fetch("fma_small.zip", tmp_path, server.url, expected="0" * 40, progress=False)
        assert list(tmp_path.iterdir()) == []
    finally:
        server.close()


@pytest.mark.parametrize("honour_range", [True, False])
def test_a_cut_download_resumes_or_restarts_cleanly(tmp_path, archive, honour_range):
    data, digest = archive
    server = Server({"fma_small.zip": data})
    server.honour_range = honour_range
    try:
        server.cut = True
        with pytest.raises(MusicgenreError, match="run the stage again to resume it"):
            fma.fetch("fma_small.zip", tmp_path, server.url, expected=digest, progress=False)
        part = tmp_path / "fma_small.zip.part"
        assert 0 < part.stat().st_size < len(data) and not (tmp_path / "fma_small.zip").exists()
        server.cut = False
        path = fma.fetch("fma_small.zip", tmp_path, server.url, expected=digest, progress=False)
        assert path.read_bytes() == data and not part.exists()
        assert server.ranges[-1] == f"bytes={len(data) // 2}-"  # it asked to resume where it stopped
    finally:
        server.close()


def test_no_server_says_how_to_go_on(tmp_path):
    with pytest.raises(MusicgenreError, match="stopped .* run the stage again .* dataset.local_path"):
        fma.fetch("fma_small.zip", tmp_path, "http://127.0.0.1:9/fma/", expected="0" * 40, progress=False)
