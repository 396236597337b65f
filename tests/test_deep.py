"""The deep families (cnn, transfer) through their real DVC stages, on a tiny separable mel set."""

import ast
import json

import numpy as np
import pandas as pd
import pytest

from conftest import commented_family, run_python, run_stage
from musicgenre.audio import write_wav

GENRES = ["blues", "classical", "metal"]
N_MELS, FRAMES = 32, 40
TINY_CNN = {"input": "mels", "architecture": "default", "filters": [8, 16], "dropout": 0.1,
            "masks": {"time_masks": 1, "time_width": 4, "freq_masks": 1, "freq_width": 3},
            "epochs": 15, "patience": 15, "batch_size": 16, "learning_rate": 0.003, "threads": 1}
#: keras.utils.get_file goes through urllib, which honours these: a refused connection, never the network
pytestmark = pytest.mark.slow  # every test here builds or trains a Keras network, or runs a stage that does

OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}


@pytest.fixture
def mel_project(tmp_path, project_params):
    """A project folder with the outputs of ``mels`` and ``split``: 3 genres told apart by the band
    that carries their energy, 4 artists each (2 train folds, then 1 test artist), 3 clips of 3 chunks."""
    rng = np.random.default_rng(0)
    mels, index, split = [], [], []
    for g, genre in enumerate(GENRES):
        for artist in range(4):
            for clip in range(3):
                file = f"{genre}.{artist * 3 + clip:05d}.wav"
                for chunk in range(3):
                    x = rng.normal(-40.0, 4.0, (N_MELS, FRAMES))
                    x[g * 10:g * 10 + 8] += 15.0
                    mels.append(x)
                    index.append({"file": file, "chunk": chunk})
                    test = artist == 3
                    split.append({"file": file, "chunk": chunk, "genre": genre, "artist": f"{genre}-{artist}",
                                  "set": "test" if test else "train", "fold": -1 if test else artist % 2})
    (tmp_path / "data" / "inputs" / "mels").mkdir(parents=True)
    (tmp_path / "data" / "split").mkdir(parents=True)
    np.save(tmp_path / "data" / "inputs" / "mels" / "mels.npy", np.array(mels, dtype=np.float16))
    pd.DataFrame(index).rename_axis("row").to_csv(tmp_path / "data" / "inputs" / "mels" / "index.csv")
    (tmp_path / "data" / "inputs" / "mels" / "config.json").write_text(json.dumps(
        {"sample_rate": 22050, "chunk_seconds": 3.0, "n_mels": N_MELS, "n_fft": 2048, "hop_length": 1696,
                    "fmax": 11025}))  # hop 1696: a 3 s chunk is FRAMES frames, so predict's mels fit the model
    pd.DataFrame(split).to_csv(tmp_path / "data" / "split" / "split.csv", index=False)
    for file in {row["file"] for row in split if row["set"] == "test"}:  # evaluate cuts their excerpts
        path = tmp_path / "data" / "raw" / "audio" / file.split(".")[0] / file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, (0.1 * rng.normal(size=9 * 22050)).astype(np.float32), 22050)
    params = dict(project_params)
    params["dataset"] = {**params["dataset"], "source": "synthetic"}
    params["models"] = {"cnn": TINY_CNN, "transfer": {**commented_family("transfer"), "image_size": 32,
                                                       "frozen_epochs": 1, "fine_tune_epochs": 1, "threads": 1}}
    return tmp_path, params


def test_cnn_trains_beats_chance_logs_curves_and_its_bundle_round_trips(mel_project):
    root, params = mel_project
    trained = run_stage(root, "train", params, "cnn")
    assert trained.returncode == 0, trained.stderr
    assert "validation-fold clip accuracy" in trained.stdout
    evaluated = run_stage(root, "evaluate", params, "cnn")
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads((root / "metrics" / "cnn.json").read_text())
    assert metrics["clip"]["accuracy"] >= 0.8  # chance is 1/3
    assert set(metrics["per_genre_f1"]) == set(GENRES) and metrics["validation"]["folds"] == 1
    assert metrics["validation"]["scored_on"] == "the validation fold it early-stopped on (fold 0)"
    assert 0.0 <= metrics["validation"]["score"] <= 1.0  # scored at every length too, as the tables' families are
    assert metrics["model"]["architecture"] == "cnn_default" and metrics["model"]["epochs"] >= 1
    assert set(metrics["clip_accuracy_by_length"]) == {"3s", "10s", "whole"}  # excerpts of the test clips' audio

    curves = root / "data" / "models" / "cnn" / "live" / "plots" / "metrics"
    for name in ("loss", "val_loss", "accuracy", "val_accuracy"):
        rows = pd.read_csv(curves / f"{name}.tsv", sep="\t")
        assert list(rows["step"]) == list(range(metrics["model"]["epochs"]))
    assert (root / "data" / "models" / "cnn" / "learning_curve.png").stat().st_size > 0

    # the bundle, loaded in a fresh process (nothing of musicgenre imported yet), predicts as before
    mels = np.load(root / "data" / "inputs" / "mels" / "mels.npy")[:6]
    np.save(root / "few.npy", mels)
    script = ("import json, sys, numpy as np; from musicgenre.bundles import load_bundle; "
              "b = load_bundle('data/models/cnn/model.bundle'); print(sorted(b['versions'])); "
              "print(json.dumps(b['model'].predict_proba(np.load('few.npy')).tolist()))")
    fresh = run_python(script, cwd=root)
    assert fresh.returncode == 0, fresh.stderr
    *_, versions, said = fresh.stdout.strip().splitlines()
    assert {"keras", "tensorflow"} <= set(ast.literal_eval(versions))  # a network's bundle records them for the guard
    proba = np.array(json.loads(said))
    assert proba.shape == (6, 3) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-4)
    assert (proba.argmax(axis=1) == 0).all()  # the first chunks are blues


def test_transfer_with_imagenet_weights_and_no_network_stops_clearly(mel_project):
    root, params = mel_project
    result = run_stage(root, "train", params, "transfer", env_extra=OFFLINE)
    assert result.returncode == 1
    assert "could not download the ImageNet weights of MobileNetV2" in result.stderr
    assert "models.transfer.weights: none" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "data" / "models" / "transfer" / "model.bundle").exists()


def test_transfer_weights_file_must_exist(mel_project):
    root, params = mel_project
    params["models"]["transfer"]["weights"] = "missing_no_top.h5"
    result = run_stage(root, "train", params, "transfer", env_extra=OFFLINE)
    assert result.returncode == 1 and "no such file" in result.stderr and "Traceback" not in result.stderr


def test_family_input_is_checked(mel_project):
    root, params = mel_project
    params["models"]["cnn"] = {**TINY_CNN, "input": "features"}
    result = run_stage(root, "train", params, "cnn")
    assert result.returncode == 1 and "models.cnn.input (an array input: a representation) is 'features'; " \
        "expected one of: mels" in result.stderr


def test_baseline_is_the_studys_three_conv_layers():
    from musicgenre.deep import build_cnn
    from musicgenre.schema import family

    network = build_cnn(family("cnn", {"architecture": "baseline"}), (N_MELS, FRAMES), 10, seed=0)
    kinds = [type(layer).__name__ for layer in network.layers]
    assert kinds.count("Conv2D") == 3 and "Flatten" in kinds and "BatchNormalization" not in kinds
    assert network.output_shape == (None, 10)


def test_leakage_family_must_read_descriptors(tmp_path, project_params):
    params = {**project_params, "leakage": {"family": "cnn"}}
    result = run_stage(tmp_path, "leakage", params)
    assert result.returncode == 1
    offered = result.stderr.split("leakage.family is 'cnn'; expected one of: ")[1].strip()
    assert set(offered.split(", ")) == {"knn", "rf", "mlp"}


def test_transfer_from_a_local_weights_file_trains_offline(mel_project):
    """The offline way to real transfer learning: a no-top weights file given by path (here one
    written from a freshly built MobileNetV2, standing in for Keras' ImageNet file)."""
    root, params = mel_project
    script = ("from musicgenre.runtime import tensorflow; tensorflow(); import keras; "
              "keras.applications.MobileNetV2(include_top=False, weights=None, pooling='avg', "
              "input_shape=(32, 32, 3)).save_weights('backbone.weights.h5')")
    made = run_python(script, cwd=root)
    assert made.returncode == 0, made.stderr
    params["models"]["transfer"]["weights"] = "backbone.weights.h5"
    assert run_stage(root, "train", params, "transfer", env_extra=OFFLINE).returncode == 0
    evaluated = run_stage(root, "evaluate", params, "transfer")
    assert evaluated.returncode == 0, evaluated.stderr
    model = json.loads((root / "metrics" / "transfer.json").read_text())["model"]
    assert model["weights"] == "file backbone.weights.h5" and model["backbone"].startswith("mobilenet")

    # the bundle classifies audio on its own (the demo leaves transfer out, so this is its predict test)
    write_wav(root / "song.wav", np.sin(np.arange(int(6.5 * 22050)) * 0.05).astype(np.float32), 22050)
    said = run_python("from musicgenre.cli import main; main(['predict', '--model', "
                      "'data/models/transfer/model.bundle', '--format', 'json', 'song.wav'])", cwd=root)
    assert said.returncode == 0, said.stderr
    result = json.loads(said.stdout)["results"][0]
    assert result["error"] is None and result["chunks"] == 2
    assert abs(sum(p["probability"] for p in result["predictions"]) - 1.0) < 0.01


OWN_NET = {"input": "mels", "builder": "tests.own_models:small_net", "width": 8, "epochs": 8, "patience": 8, "batch_size": 16,
           "learning_rate": 0.01, "threads": 1, "masks": {"time_masks": 1, "time_width": 4, "freq_masks": 1,
                                                          "freq_width": 3}}


def test_a_network_of_ones_own_trains_like_cnn_and_its_bundle_loads_as_data(mel_project):
    root, params = mel_project
    params["models"] = {"mine": OWN_NET}
    trained = run_stage(root, "train", params, "mine")
    assert trained.returncode == 0, trained.stderr
    assert "train@mine: validation-fold clip accuracy" in trained.stdout and "Epoch 1/" in trained.stdout
    assert (root / "data" / "models" / "mine" / "live" / "plots" / "metrics" / "val_loss.tsv").exists()
    evaluated = run_stage(root, "evaluate", params, "mine")
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads((root / "metrics" / "mine.json").read_text())
    assert metrics["clip"]["accuracy"] >= 0.8  # chance is 1/3
    assert metrics["model"]["builder"] == "tests.own_models:small_net" and metrics["model"]["epochs"] >= 1
    assert metrics["settings"]["width"] == 8 and metrics["validation"]["folds"] == 1

    # made of Keras' layers and the project's SpecAugment, the bundle loads without trust, with no
    # builder module on the path (the network is data), and predicts as evaluate did
    np.save(root / "few.npy", np.load(root / "data" / "inputs" / "mels" / "mels.npy")[:6])
    script = ("import json, numpy as np; from musicgenre.bundles import load_bundle; "
              "b = load_bundle('data/models/mine/model.bundle'); "
              "print(json.dumps(b['model'].predict_proba(np.load('few.npy')).tolist()))")
    fresh = run_python(script, cwd=root)
    assert fresh.returncode == 0, fresh.stderr
    proba = np.array(json.loads(fresh.stdout.strip().splitlines()[-1]))
    assert proba.shape == (6, 3) and (proba.argmax(axis=1) == 0).all()  # the first chunks are blues


@pytest.mark.parametrize(("builder", "extra", "said"), [
    ("tests.own_models:one_too_many", {}, "must end in 3 genre probabilities per chunk, but its output has shape "
                                          "(None, 4); end it in keras.layers.Dense(n_labels, activation='softmax')"),
    ("tests.own_models:scores", {}, "but its outputs do not sum to 1"),
    ("tests.own_models:small_net", {"depth": 3}, "it cannot be called as builder(input_shape, n_labels, **settings) "
                                                 "with the settings ['depth']"),
    ("tests.own_models:missing", {}, "which cannot be imported (AttributeError"),
])
def test_a_wrong_builder_stops_before_training_naming_the_fix(builder, extra, said):
    from musicgenre.deep import own_network
    from musicgenre.errors import MusicgenreError
    from musicgenre.schema import family

    settings = family("mine", {"input": "mels", "builder": builder, **extra})
    with pytest.raises(MusicgenreError, match=r"params\.yaml: models\.mine\.builder is ") as caught:
        own_network(settings, (N_MELS, FRAMES, 1), 3, seed=0, key="models.mine")
    assert said in str(caught.value)



PARITY = """
import sys
import numpy as np
import keras
from musicgenre import deep, streams
from musicgenre.runtime import tensorflow
from musicgenre.streams import NpyRows

tensorflow(2, 7)
rng = np.random.default_rng(0)
mels = (rng.normal(size=(300, 32, 40)) * 10 - 20).astype(np.float16)
labels = rng.integers(0, 4, len(mels))
mels[np.arange(len(mels)), labels * 8] += 15
np.save("mels.npy", mels)
order = rng.permutation(len(mels))
fit_rows, val_rows = order[:203], order[203:264]
settings = {"architecture": "default", "filters": [8, 16], "dropout": 0.3,
            "masks": {"time_masks": 2, "time_width": 4, "freq_masks": 2, "freq_width": 3}}
network = deep.build_cnn(settings, (32, 40), 4, 7)
if sys.argv[1] == "memory":  # as the networks trained before: every row as float32, Keras' own shuffle
    x_fit, x_val = mels[fit_rows].astype(np.float32), mels[val_rows].astype(np.float32)
    mean, std = x_fit.mean(axis=(0, 2))[:, None], x_fit.std(axis=(0, 2))[:, None] + 1e-3
    network.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    network.fit(deep.standardise(x_fit, mean, std), labels[fit_rows], epochs=6, batch_size=32, shuffle=True,
                validation_data=(deep.standardise(x_val, mean, std), labels[val_rows]), verbose=0, callbacks=[stop])
    predicted = network.predict(deep.standardise(mels, mean, std), batch_size=64, verbose=0)
else:  # rows read from the file a batch at a time; the 300 rows predicted in blocks of 128
    class Quiet:
        def log_metric(self, *args): pass
        def next_step(self): pass

    streams.BATCH_BYTES = 2 * 64 * 32 * 40 * 4
    data = deep.Chunks(NpyRows("mels.npy", fit_rows), labels[fit_rows], NpyRows("mels.npy", val_rows),
                       labels[val_rows], *deep.band_statistics(NpyRows("mels.npy", fit_rows)))
    mean, std = data.mean, data.std
    deep.fit(network, data, 6, 32, 1e-3, 2, Quiet())
    predicted = deep.MelClassifier(network, np.arange(4), mean, std).predict_proba(NpyRows("mels.npy", np.arange(300)))
np.savez(sys.argv[1] + ".npz", mean=mean, std=std, predicted=predicted, *network.get_weights())
"""


def test_a_network_trained_on_rows_read_from_disk_is_bit_for_bit_the_one_trained_on_arrays(tmp_path):
    """The batch loader keeps a collection's mels out of memory without changing a single weight: the
    band statistics, the per-epoch shuffle, every batch and the block-wise predictions are those of
    Keras on float32 arrays in memory (how the networks trained before), so the demo's numbers hold."""
    for way in ("memory", "rows"):
        result = run_python(PARITY.replace("sys.argv[1]", repr(way)), cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
    memory, rows = np.load(tmp_path / "memory.npz"), np.load(tmp_path / "rows.npz")
    assert sorted(memory) == sorted(rows) and len(memory) > 10
    for name in memory:
        assert np.array_equal(memory[name], rows[name]), name
    assert memory["predicted"].shape == (300, 4)
