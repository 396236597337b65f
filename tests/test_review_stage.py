"""The review stage on a user's own collection with misfiled clips, and its page in a real browser:
players that load, choices exported as a fault list, and ``dvc repro`` applying exactly them."""

import shutil
import sys

import pandas as pd
import pytest
import soundfile as sf

from musicgenre.datasets import synthetic
from musicgenre.datasets.layout import audio_path
from musicgenre.faults import read_fault_list
from musicgenre.reviewpage import EXPORT_NAME
from test_pipeline import make_project, run, stages_run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("review")]  # one worker builds the project once

GENRES = ("blues", "classical", "country", "jazz", "metal", "reggae")
#: clips moved into the wrong label folder: (source folder, clip number, folder moved to)
MISFILED = (("blues", 4, "metal"), ("jazz", 10, "country"), ("reggae", 1, "classical"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def write_misfiled_collection(root, seed=5):
    """Demo clips as a user's collection (``<label>/<artist> - <n>.wav``, artists in ``metadata.csv``),
    with the :data:`MISFILED` clips in another label's folder. Returns ``{path in collection: true label}``
    of the misfiled ones."""
    demo = root.parent / "demo"
    synthetic.generate(demo, seed=seed, artists_per_genre=4, clips_per_artist=3, clip_seconds=6.5,
                       duplicates=0, mislabels=0, unreadable=0, genres=GENRES)
    artists = pd.read_csv(demo / "artists.csv").set_index("file")["artist"]
    moved, rows = {}, []
    for file, artist in artists.items():
        label, number = file.split(".")[0], int(file.split(".")[1])
        folder = next((to for source, n, to in MISFILED if (source, n) == (label, number)), label)
        path = f"{folder}/{artist} - {number}.wav"
        (root / folder).mkdir(parents=True, exist_ok=True)
        y, rate = sf.read(audio_path(demo, file))
        sf.write(root / path, y, rate)
        rows.append({"file": path, "label": folder, "artist": artist})
        if folder != label:
            moved[path] = label
    pd.DataFrame(rows).to_csv(root / "metadata.csv", index=False)
    shutil.rmtree(demo)
    return moved


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A project on the misfiled collection, reviewed (``dvc repro review``): root, env, raw name → true label."""
    base = tmp_path_factory.mktemp("review")
    collection = base / "My Music"
    moved = write_misfiled_collection(collection)
    root = base / "project"
    env = make_project(root, base / "home", {"dataset.source": "folder", "dataset.local_path": str(collection),
                                             "embeddings.n_jobs": 1, "models.fusion.members.early.C": 1.0,
                                             "models.fusion.members.early.sub_clips": 0,  # one fusion candidate
                                             "models.fusion.members.musicnn.sub_clips": 0})
    ran = run([sys.executable, "-m", "dvc", "repro", "review"], root, env)
    assert {"download", "clean", "out_of_fold@fusion", "out_of_fold@knn", "review"} <= stages_run(ran.stdout)
    manifest = pd.read_csv(root / "data" / "raw" / "manifest.csv")
    raw_name = dict(zip(manifest["source_path"], manifest["file"]))
    return root, env, {raw_name[path]: label for path, label in moved.items()}


def test_misfiled_clips_of_a_collection_rank_first(reviewed):
    root, _, misfiled = reviewed
    suspects = pd.read_csv(root / "data" / "review" / "suspects.csv", keep_default_na=False)
    first = suspects.iloc[:2 * len(misfiled)].set_index("file")
    assert set(misfiled) <= set(first.index), suspects.head(10)
    assert all(first.loc[file, "suggested"] == label for file, label in misfiled.items())
    assert suspects.loc[suspects["file"].isin(misfiled), "flagged"].all()
    assert (suspects["artist"] != "").all() and (suspects["listed"] == "").all()  # metadata.csv named every artist


@pytest.mark.skipif(not CHROMIUM, reason="needs Chromium (Debian's chromium package: make browser)")
def test_review_page_plays_every_clip_and_its_export_relabels_exactly_the_chosen_clips(reviewed, tmp_path):
    from playwright.sync_api import sync_playwright

    root, env, misfiled = reviewed
    chosen = sorted(misfiled)[:2]
    before = pd.read_csv(root / "data" / "clean" / "manifest.csv").set_index("file")
    probabilities = [root / "data" / "review" / "out_of_fold" / f / "proba.csv" for f in ("fusion", "knn")]
    heard = [path.read_bytes() for path in probabilities]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(accept_downloads=True)
        page.goto((root / "plots" / "review.html").as_uri())
        rows = page.locator("tr.suspect")
        assert rows.count() >= len(misfiled)
        page.wait_for_function("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)", timeout=30_000)
        assert page.evaluate("[...document.querySelectorAll('audio')].every(a => a.duration > 6)")  # 6.5 s clips
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("img").count() == rows.count()
        for file in chosen:
            row = page.locator(f'tr.suspect[data-file="{file}"]')
            row.locator("select").select_option(misfiled[file])  # choosing a genre picks "relabel"
            assert row.locator("input[value=relabel]").is_checked()
        assert page.locator("#count").inner_text() == "2 decisions"
        with page.expect_download() as download:
            page.click("#export")
        exported = tmp_path / EXPORT_NAME
        download.value.save_as(exported)
        assert download.value.suggested_filename == EXPORT_NAME
        browser.close()

    manifest = pd.read_csv(root / "data" / "raw" / "manifest.csv")
    rows = read_fault_list(exported, known_files=set(manifest["file"]), genres=sorted(set(manifest["genre"])))
    assert dict(zip(rows["file"], rows["correct_genre"])) == {file: misfiled[file] for file in chosen}
    assert set(rows["fault"]) == {"mislabel"}
    faults = root / "extra_faults.csv"
    faults.write_text(faults.read_text() + "".join(exported.read_text().splitlines(keepends=True)[1:]))

    ran = run([sys.executable, "-m", "dvc", "repro", "review"], root, env)
    assert stages_run(ran.stdout) == {"clean", "out_of_fold@fusion", "out_of_fold@knn", "review"}
    assert [path.read_bytes() for path in probabilities] == heard  # the labels as downloaded are reviewed
    after = pd.read_csv(root / "data" / "clean" / "manifest.csv").set_index("file")
    changed = after.index[(after["genre"] != before["genre"]) | (after["status"] != before["status"])]
    assert sorted(changed) == chosen
    assert (after.loc[chosen, "status"] == "relabelled").all()
    assert all(after.loc[file, "genre"] == misfiled[file] for file in chosen)
    suspects = pd.read_csv(root / "data" / "review" / "suspects.csv", keep_default_na=False).set_index("file")
    assert all(suspects.loc[file, "listed"] == f"mislabel → {misfiled[file]}" for file in chosen)
