"""An embedding of the HEAR 2021 API as a representation: the tests' own module (tests/hear_toy.py)
computed on the project's chunk grid, and every way a module can be wrong, named with its fix."""

import importlib

import numpy as np
import pytest
import yaml

from conftest import SR, committed_params_text
from musicgenre.dsp.hear import clip_embeddings, embed_chunks, loaded
from musicgenre.errors import MusicgenreError
from musicgenre.representations import available, named
from musicgenre.schema import checked

TOY = "tests.hear_toy"
hear_toy = importlib.import_module(TOY)  # the module the representation imports, by that name


def with_hear(module=TOY, **section):
    params = yaml.safe_load(committed_params_text())
    params["hear"] = {"toy": module}
    params["toy"] = section
    return params


def test_a_module_listed_under_hear_is_a_table_representation_with_a_stage_of_its_own():
    params = checked(with_hear())
    assert params["toy"] == {"model_file_path": "", "embedding": "timestamp", "n_jobs": 1}
    toy = available(params)["toy"]
    assert toy.tabular and toy.output == "data/inputs/toy" and toy.module == TOY
    # a bundle's config names its module, so predict finds the same representation with no project
    assert named("toy", {"input": "toy", "hear": TOY}).module == TOY


def sine(frequency, seconds=3.0):
    return (0.5 * np.sin(2 * np.pi * frequency * np.arange(int(seconds * SR)) / SR)).astype(np.float32)


def test_chunks_are_embedded_at_the_models_rate_timestamps_averaged_or_as_scenes():
    chunks = [sine(440.0), sine(880.0)]  # two chunks at the project's 22050 Hz
    timestamp = embed_chunks(chunks, SR, TOY, "", "timestamp")
    scene = embed_chunks(chunks, SR, TOY, "", "scene")
    assert timestamp.shape == scene.shape == (2, 32) and timestamp.dtype == np.float32
    assert not np.allclose(timestamp[0], timestamp[1])  # two pitches, two embeddings
    at_16k = np.stack([__import__("librosa").resample(c, orig_sr=SR, target_sr=16000) for c in chunks])
    frames, times = hear_toy.get_timestamp_embeddings(at_16k, hear_toy.load_model())
    np.testing.assert_allclose(timestamp, frames.mean(axis=1), rtol=1e-5)  # the module's own, resampled for it
    assert times.shape == frames.shape[:2] and 0 < times[0, 0] < times[0, -1] < 3000.0
    np.testing.assert_allclose(scene, hear_toy.get_scene_embeddings(at_16k, hear_toy.load_model()), rtol=1e-5)


def test_model_file_path_is_given_to_load_model(tmp_path):
    weights = tmp_path / "projection.npy"
    np.save(weights, np.ones((513, 32), dtype=np.float32))
    chunk = [sine(440.0)]
    mine = embed_chunks(chunk, SR, TOY, str(weights), "scene")
    assert np.allclose(mine, mine[0, 0])  # every column of an all-ones projection is the same sum
    assert not np.allclose(embed_chunks(chunk, SR, TOY, "", "scene"), mine)
    assert loaded(TOY, str(weights)) is loaded(TOY, str(weights))  # loaded once per process


def test_a_clip_is_cut_on_the_chunk_grid(demo_set):
    clip = next(demo_set.rglob("*.wav"))
    values = clip_embeddings(clip, SR, 3.0, TOY, "", "timestamp")
    assert values.shape[1] == 32 and len(values) >= 1


@pytest.mark.parametrize(("module", "section", "said"), [
    ("nosuchpackage.base", {}, "params.yaml: hear.toy is 'nosuchpackage.base', but no package 'nosuchpackage' is "
                               "installed here. Install it (pip install nosuchpackage"),
    ("tests.nosuchmodule", {}, "the HEAR module tests.nosuchmodule cannot be imported"),
    ("tests.own_models", {}, "tests.own_models is not a module of the HEAR 2021 API: it has no load_model, "
                             "get_scene_embeddings, get_timestamp_embeddings"),
    (TOY, {"model_file_path": "missing.npy"}, "tests.hear_toy.load_model('missing.npy') failed (FileNotFoundError"),
    (TOY, {"embedding": "frames"}, "params.yaml: toy.embedding is 'frames'; expected one of: timestamp, scene"),
    ("hear toy", {}, "params.yaml: hear.toy is 'hear toy'; expected a module's import path, like hear21passt.base"),
])
def test_a_wrong_module_or_setting_stops_before_any_clip_naming_the_fix(module, section, said):
    with pytest.raises(MusicgenreError) as caught:
        params = checked(with_hear(module, **section))
        available(params)["toy"].per_clip(params)  # what the stage does before it hands out any clip
        embed_chunks([np.zeros(3 * SR, np.float32)], SR, module, params["toy"]["model_file_path"], "timestamp")
    assert said in str(caught.value)


def test_a_module_that_downloads_its_weights_is_told_to_take_a_file(monkeypatch):
    def offline(model_file_path=""):
        raise OSError("could not resolve host: weights.example.org")

    monkeypatch.setattr(hear_toy, "load_model", offline)
    loaded.cache_clear()
    try:
        with pytest.raises(MusicgenreError, match=r"load_model\(''\) failed \(OSError: could not resolve host.*"
                                                  r"this machine may have no network.*model_file_path"):
            loaded(TOY, "")
    finally:
        loaded.cache_clear()


def test_a_name_already_taken_is_refused():
    params = with_hear()
    params["hear"] = {"features": TOY}
    with pytest.raises(MusicgenreError, match="hear.features takes a name that is already a representation's"):
        checked(params)


def test_a_bundle_runs_a_hear_module_only_where_its_project_lists_it(tmp_path):
    from test_bundles import knn_bundle

    from musicgenre.bundles import load_bundle, save_bundle

    bundle = knn_bundle()
    bundle["config"] = {**bundle["config"], "input": "toy", "hear": TOY, "model_file_path": "", "embedding": "scene"}
    save_bundle(bundle, tmp_path / "model.bundle")
    with pytest.raises(MusicgenreError, match=r"computes its input with the HEAR module tests\.hear_toy, code that "
                                              r"predict would import and run.*--trust"):
        load_bundle(tmp_path / "model.bundle")
    assert load_bundle(tmp_path / "model.bundle", trusted=(TOY,))["config"]["hear"] == TOY  # its project's
    with pytest.warns(UserWarning, match="will run the HEAR module tests.hear_toy"):
        load_bundle(tmp_path / "model.bundle", trust=True)
