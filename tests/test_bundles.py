"""Bundles load as data, never as code: the round trip, the version and format guards, and bundles
crafted to run code when loaded (a pickle, a constructor of the file's choosing, a pickle inside
skops' arrays, a Keras Lambda layer, a part changed after its hash was taken, an entry that
points outside the archive). Each is refused by ``load_model`` and by ``musicgenre predict``
before it runs anything: the sentinel file its code would create never appears."""

import hashlib
import importlib
import io
import json
import re
import zipfile

import joblib
import numpy as np
import pytest
import soundfile as sf

from conftest import run_python
from musicgenre.api import SyntheticModelWarning, load_model
from musicgenre.bundles import MODEL, load_bundle, make_bundle, save_bundle, training_data
from musicgenre.cli import main as cli
from musicgenre.cliprules import VoteModel
from musicgenre.dsp.features import FEATURE_NAMES
from musicgenre.errors import MusicgenreError
from musicgenre.models import build
from test_models import separable

SR = 22050


def knn_bundle(source="gtzan"):
    features, genre = separable()
    files = np.arange(len(genre)) // 2
    model = VoteModel(build("knn", {"n_neighbors": 3}, "standard", 0)).fit(features, genre, files)
    config = {"input": "features", "sample_rate": SR, "chunk_seconds": 3.0}
    return make_bundle(model, "knn", FEATURE_NAMES[:4], model.classes_, config, training_data=training_data(
        source, files, genre))


def test_bundle_round_trip_and_version_guard(tmp_path):
    features, genre = separable()
    bundle = knn_bundle()
    save_bundle(bundle, tmp_path / "model.bundle")
    loaded = load_bundle(tmp_path / "model.bundle")
    files = np.arange(len(genre))
    assert loaded["model"].clip_proba(features, files).equals(bundle["model"].clip_proba(features, files))
    assert loaded["labels"] == ["blues", "jazz", "rock"] and loaded["config"] == bundle["config"]
    assert loaded["training_data"] == {"source": "gtzan", "clips": 30, "genres": ["blues", "jazz", "rock"],
                                       "synthetic": False}
    with zipfile.ZipFile(tmp_path / "model.bundle") as archive:  # a zip anyone can inspect
        assert sorted(archive.namelist()) == ["manifest.json", "model.skops"]
    assert not list(tmp_path.glob(".*partial*"))  # written under a temporary name, renamed when whole
    save_bundle({**bundle, "versions": {**bundle["versions"], "scikit-learn": "0.22"}}, tmp_path / "old.bundle")
    with pytest.raises(MusicgenreError, match="made with scikit-learn 0.22"):
        load_bundle(tmp_path / "old.bundle")
    with pytest.raises(MusicgenreError, match="not found"):
        load_bundle(tmp_path / "missing.bundle")
    for package in ("keras", "tensorflow"):  # a network's bundle: another major version is refused, naming both
        installed = importlib.import_module(package).__version__
        other = f"{int(installed.split('.')[0]) + 1}.0.0"
        save_bundle({**bundle, "versions": {**bundle["versions"], package: other}}, tmp_path / "next.bundle")
        with pytest.raises(MusicgenreError, match=f"made with {package} {re.escape(other)}, and this is {package} "
                                                  f"{re.escape(installed)}, another major version"):
            load_bundle(tmp_path / "next.bundle")
        minor = f"{installed.split('.')[0]}.0.0"  # the same major version loads
        save_bundle({**bundle, "versions": {**bundle["versions"], package: minor}}, tmp_path / "minor.bundle")
        assert load_bundle(tmp_path / "minor.bundle")["family"] == "knn"
    save_bundle({**bundle, "format": 3}, tmp_path / "format3.bundle")
    with pytest.raises(MusicgenreError, match="a bundle of format 3, and this musicgenre reads format 4; retrain"):
        load_bundle(tmp_path / "format3.bundle")


def test_a_bundle_without_a_network_loads_without_tensorflow(tmp_path):
    """The version guard asks Keras and TensorFlow their versions only for a network's bundle: a
    table family's bundle loads (and predict starts) without importing them (seconds, 500 MB)."""
    save_bundle(knn_bundle(), tmp_path / "m.bundle")
    result = run_python("import sys; from musicgenre.bundles import load_bundle; "
                        f"load_bundle({str(tmp_path / 'm.bundle')!r}); "
                        "print(sorted({'keras', 'tensorflow'} & set(sys.modules)))")
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


class Payload:
    """What a pickle runs when it is loaded: here, creating the sentinel file."""

    def __init__(self, sentinel):
        self.sentinel = str(sentinel)

    def __reduce__(self):
        return exec, (f"open({self.sentinel!r}, 'w').close()",)


def skops_schema(obj):
    import skops.io

    with zipfile.ZipFile(io.BytesIO(skops.io.dumps(obj))) as archive:
        return json.loads(archive.read("schema.json"))


def rezip(data, replace):
    """A zip's bytes with the entries in ``replace`` (name to bytes) replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name not in replace:
                target.writestr(name, source.read(name))
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


def with_model_part(path, part, rehash=True):
    """Replace a bundle's model part; ``rehash``: update its manifest's SHA-256 too (as an attacker would)."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    if rehash:
        manifest["parts"][MODEL] = hashlib.sha256(part).hexdigest()
    path.write_bytes(rezip(data, {MODEL: part, "manifest.json": json.dumps(manifest)}))


def constructor_attack(path, sentinel):
    """skops rebuilds a ``__reduce__`` object by calling the constructor its schema names: here
    ``builtins.exec`` with code that creates the sentinel."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        model_part = archive.read(MODEL)
    from sklearn.tree import DecisionTreeClassifier

    tree = skops_schema(DecisionTreeClassifier().fit(*separable()).tree_)
    evil = {**tree, "__class__": "exec", "__module__": "builtins", "__loader__": "LossNode",  # rebuilt by calling it
            "__reduce__": {"args": skops_schema((f"open({str(sentinel)!r}, 'w').close()",))},
            "content": skops_schema({})}
    return rezip(model_part, {"schema.json": json.dumps(evil)})


def pickled_array_attack(path, sentinel):
    """An array part of the skops model holding a pickle (an object array), which
    ``numpy.load(allow_pickle=True)`` would run."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        model_part = archive.read(MODEL)
    with zipfile.ZipFile(io.BytesIO(model_part)) as archive:
        array = next(name for name in archive.namelist() if name.endswith(".npy"))
    buffer = io.BytesIO()
    np.save(buffer, np.array([Payload(sentinel)], dtype=object), allow_pickle=True)
    return rezip(model_part, {array: buffer.getvalue()})


ATTACKS = {
    "a pickle (format 3)": ("earlier format .* a pickle.* retrain it \\(dvc repro\\)", False),
    "a constructor that runs code": ("holds types a musicgenre bundle never does, .*builtins.exec", True),
    "a pickle inside skops' arrays": ("model.skops cannot be read|cannot be loaded|not loaded", False),
    "a part changed after its hash": ("is not what the bundle's manifest says was saved", False),
    "an entry pointing outside": ("is not a bundle musicgenre made: it holds '../", False),
}


def crafted(kind, folder):
    """A bundle that would create ``folder/sentinel`` when loaded the unsafe way, and the sentinel."""
    sentinel = folder / "sentinel"
    path = folder / ("model.joblib" if kind == "a pickle (format 3)" else "model.bundle")
    bundle = knn_bundle()
    if kind == "a pickle (format 3)":
        joblib.dump({**bundle, "format": 3, "model": Payload(sentinel)}, path, compress=3)
        return path, sentinel
    save_bundle(bundle, path)
    if kind == "a constructor that runs code":
        with_model_part(path, constructor_attack(path, sentinel))
    elif kind == "a pickle inside skops' arrays":
        with_model_part(path, pickled_array_attack(path, sentinel))
    elif kind == "a part changed after its hash":
        with_model_part(path, constructor_attack(path, sentinel), rehash=False)
    else:
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        escape = f"../{'../' * len(folder.parts)}{str(sentinel).lstrip('/')}"
        manifest["parts"][escape] = hashlib.sha256(b"x").hexdigest()
        path.write_bytes(rezip(data, {escape: b"x", "manifest.json": json.dumps(manifest)}))
    return path, sentinel


@pytest.mark.parametrize("kind", ATTACKS)
def test_a_bundle_crafted_to_run_code_is_refused_and_runs_nothing(kind, tmp_path, capsys):
    message, trust_would_run_it = ATTACKS[kind]
    path, sentinel = crafted(kind, tmp_path)
    with pytest.raises(MusicgenreError, match=message):
        load_model(path)
    sf.write(tmp_path / "song.wav", np.sin(np.arange(SR * 4) * 0.05) * 0.3, SR)
    with pytest.raises(SystemExit) as stopped:
        cli(["predict", "--model", str(path), str(tmp_path / "song.wav")])
    assert stopped.value.code == 1 and re.search(message, capsys.readouterr().err)
    assert not sentinel.exists()
    if trust_would_run_it:  # the danger is real: trusting the file runs its code
        with pytest.warns(UserWarning, match="untrusted types builtins.exec"):
            load_model(path, trust=True)
        assert sentinel.exists()
    else:  # no trust opens these
        with pytest.raises(MusicgenreError, match=message):
            load_model(path, trust=True)
        assert not sentinel.exists()


@pytest.mark.slow
def test_a_network_with_a_lambda_layer_is_refused_and_runs_nothing(tmp_path):
    """A Keras ``Lambda`` layer stores Python code; rebuilding the network runs it. Refused by the
    bundle's own check of the network's configuration, and by Keras' safe mode behind it."""
    code = f"""
import numpy as np, keras
from musicgenre.bundles import make_bundle, save_bundle
from musicgenre.deep import MelClassifier
inputs = keras.Input((4, 5, 1))
x = keras.layers.Lambda(lambda t: (open({str(tmp_path / 'sentinel')!r}, 'w').close(), t)[1])(inputs)
x = keras.layers.Dense(2, activation='softmax')(keras.layers.Flatten()(x))
model = MelClassifier(keras.Model(inputs, x), ['a', 'b'], np.zeros((4, 1)), np.ones((4, 1)))
save_bundle(make_bundle(model, 'cnn', [], ['a', 'b'], {{'input': 'mels'}}), {str(tmp_path / 'model.bundle')!r})
"""
    made = run_python(code)
    assert made.returncode == 0, made.stderr
    (tmp_path / "sentinel").unlink()  # building the network ran the lambda once
    loaded = run_python(f"from musicgenre.api import load_model; load_model({str(tmp_path / 'model.bundle')!r})")
    assert "holds types a musicgenre bundle never does" in loaded.stderr and "Lambda" in loaded.stderr
    assert not (tmp_path / "sentinel").exists()


def test_a_model_of_the_synthetic_demo_set_says_so_once(tmp_path):
    save_bundle(knn_bundle(source="synthetic"), tmp_path / "demo.bundle")
    model = load_model(tmp_path / "demo.bundle")
    assert model.training_data["synthetic"] and model.training_data["source"] == "synthetic"
    features = np.sin(np.arange(SR * 4) * 0.05) * 0.3
    with pytest.warns(SyntheticModelWarning, match="learned only from the synthetic demo set: its genres are those "
                                                   "of generated music, not of recordings. Train on GTZAN"):
        model.classify(features, sample_rate=SR)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once: a second file says nothing
        model.classify(features, sample_rate=SR)
    save_bundle(knn_bundle(source="gtzan"), tmp_path / "real.bundle")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(tmp_path / "real.bundle").classify(features, sample_rate=SR)


def test_predict_says_once_that_a_demo_model_learned_from_generated_music(tmp_path):
    save_bundle(knn_bundle(source="synthetic"), tmp_path / "demo.bundle")
    for name in ("a.wav", "b.wav"):
        sf.write(tmp_path / name, np.sin(np.arange(SR * 4) * 0.05) * 0.3, SR)
    said = run_python("from musicgenre.cli import main; main(['predict', '--model', 'demo.bundle', '.'])",
                      cwd=tmp_path)
    assert said.returncode == 0 and said.stdout.count(".wav: ") == 2, said.stderr
    assert said.stderr.count("warning: the knn model learned only from the synthetic demo set") == 1, said.stderr
