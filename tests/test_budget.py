"""What download says a large collection will cost, and when it stops (musicgenre.budget)."""

import pandas as pd
import pytest
import yaml

from conftest import PROJECT, committed_params_text
from musicgenre.budget import GTZAN_CLIPS, figures, projection, say_cost, stage_names
from musicgenre.errors import MusicgenreError
from musicgenre.schema import checked

#: Two stages as benchmarks/scaling.py saves them: a per-clip one and a training one.
MEASURED = {"cpus": 2, "clip_seconds": 30.0, "stages": {
    "represent@mels": {"fixed_s": 10.0, "scale_s": 0.1, "growth_exponent": 1.0, "peak_base_mb": 1000.0,
                       "peak_per_clip_mb": 0.0, "peak_max_mb": 1010.0},
    "train@cnn": {"fixed_s": 20.0, "scale_s": 1.0, "growth_exponent": 1.0, "peak_base_mb": 1500.0,
                  "peak_per_clip_mb": 0.5, "peak_max_mb": 2500.0},
    "train@svm": {"fixed_s": 0.0, "scale_s": 1e-4, "growth_exponent": 2.0, "peak_base_mb": 500.0,
                  "peak_per_clip_mb": 0.0, "peak_max_mb": 500.0}}}


def manifest(clips, seconds=30.0):
    return pd.DataFrame({"file": [f"a.{k:05d}.wav" for k in range(clips)], "duration_s": seconds,
                         "readable": True})


def write_pipeline(tmp_path):
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {
        "download": {"cmd": "x"}, "represent": {"foreach": "${representations}", "do": {"cmd": "x"}},
        "train": {"foreach": "${models}", "do": {"cmd": "x"}}}}))
    return str(tmp_path / "dvc.yaml")


def params(stop=True):
    return checked({"representations": {"mels": "musicgenre/dsp/mels.py"}, "budget": {"stop_over_memory": stop},
                    "models": {"cnn": {}, "mine": {"input": "features", "estimator": "sklearn.svm:SVC"}}})


def test_the_stages_are_named_as_dvc_names_them():
    names = stage_names(yaml.safe_load((PROJECT / "dvc.yaml").read_text()), yaml.safe_load(committed_params_text()))
    assert names[:2] == ["download", "clean"] and not any("$" in name for name in names)
    assert {"represent@features", "represent@mels", "represent@embeddings", "train@cnn", "evaluate@knn",
            "compare"} <= set(names)
    assert not any(name.startswith("hear@") for name in names)  # the shipped params list no HEAR module


@pytest.mark.parametrize("jobs, cpus, mels_seconds", [(4, 4, 100.0), (-1, 8, 50.0), (16, 3, 400 / 3), (1, 8, 400.0)])
def test_a_projection_scales_by_clip_length_and_shares_per_clip_work_among_workers(jobs, cpus, mels_seconds):
    settings = params()
    settings["mels"]["n_jobs"] = jobs
    seconds, peak, worst, unmeasured = projection(["represent@mels", "train@cnn", "train@svm", "train@mine"], 4000,
                                                  15.0, cpus, MEASURED, settings)
    # 4000 clips of 15 s are 2000 of 30 s: 200 s of mels on the benchmark's 2 workers, 2000 s of network
    # and 400 s of a search costing the square of its rows on any
    assert seconds == pytest.approx(10 + mels_seconds + 20 + 1.0 * 2000 + 1e-4 * 2000 ** 2)
    assert peak == pytest.approx((1500 + 0.5 * 2000) * 1e6) and worst == "train@cnn"
    assert unmeasured == ["train@mine"]


def test_gtzan_sized_collections_are_not_talked_about(tmp_path):
    assert say_cost(manifest(GTZAN_CLIPS), params(), write_pipeline(tmp_path), 2, 24e9, MEASURED) is None


def test_a_larger_collection_is_told_its_cost_and_what_is_not_counted(tmp_path):
    said = say_cost(manifest(8000), params(), write_pipeline(tmp_path), 2, 24e9, MEASURED)
    assert said.startswith("budget: 8000 clips of 30 s on average; on 2 CPUs the whole run will take about 2 h 27 min "
                           "and peak at 5.5 GB (train@cnn) of this machine's 24.0 GB")
    assert "benchmarks/scaling.py's runs on 2 CPUs" in said
    assert said.endswith("not counted, having no figures: download, train@mine")


def test_a_run_that_would_not_fit_stops_first_unless_told_to_go_on(tmp_path):
    pipeline = write_pipeline(tmp_path)
    with pytest.raises(MusicgenreError, match=r"peak at 5\.5 GB \(train@cnn\) of this machine's 4\.0 GB.*so the run "
                                              r"stops here.*set budget\.stop_over_memory: false in params\.yaml"):
        say_cost(manifest(8000), params(), pipeline, 2, 4e9, MEASURED)
    assert say_cost(manifest(8000), params(stop=False), pipeline, 2, 4e9, MEASURED).startswith("budget: 8000 clips")


def test_unreadable_clips_are_not_counted(tmp_path):
    clips = manifest(GTZAN_CLIPS + 5)
    clips.loc[:5, "readable"] = False
    assert say_cost(clips, params(), write_pipeline(tmp_path), 2, 24e9, MEASURED) is None


def test_the_shipped_figures_are_a_benchmark_run_of_every_data_stage():
    shipped = figures()
    assert shipped["clip_seconds"] == 30.0 and shipped["cpus"] >= 1
    assert {"download", "clean", "represent@features", "represent@mels", "represent@embeddings", "combine"} <= set(
        shipped["stages"])
    for stage in shipped["stages"].values():
        assert len(stage["sizes"]) >= 2 and len(stage["commit"]) >= 7 and stage["scale_s"] > 0


def test_download_of_a_collection_larger_than_gtzan_says_its_cost_first(tmp_path, project_params):
    """The real stage on 1,001 tiny clips of one's own: the budget line, from the shipped figures."""
    import shutil

    import numpy as np

    from conftest import run_stage
    from musicgenre.audio import write_wav

    collection = tmp_path / "collection"
    for label in ("a", "b"):
        (collection / label).mkdir(parents=True)
    write_wav(collection / "a" / "0.wav", np.sin(np.arange(2205) * 0.1).astype(np.float32) * 0.3, 22050)
    for k in range(1, GTZAN_CLIPS + 1):  # copies: the download stage does not look for duplicates
        shutil.copyfile(collection / "a" / "0.wav", collection / "ab"[k % 2] / f"{k}.wav")
    shutil.copyfile(PROJECT / "dvc.yaml", tmp_path / "dvc.yaml")
    params = {**project_params, "dataset": {**project_params["dataset"], "source": "folder",
                                           "local_path": str(collection)}}
    result = run_stage(tmp_path, "download", params)
    assert result.returncode == 0, result.stderr[-2000:]
    said = [line for line in result.stdout.splitlines() if line.startswith("budget: ")]
    assert len(said) == 1 and said[0].startswith("budget: 1001 clips of 0.1 s on average; on ")
    assert f"runs on {figures()['cpus']} CPUs" in said[0]
