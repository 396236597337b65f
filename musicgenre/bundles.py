"""Model bundles: a fitted model in one file that loads as data, never as code.

A bundle (``data/models/<family>/model.bundle``) is a zip archive of

* ``manifest.json``: the format, the family, its genres, its input's recipe, the versions of the
  packages that made it, what it learned from (:func:`training_data`) and the SHA-256 of every
  other part;
* ``model.skops``: the clip model (scikit-learn estimators inside the project's clip rules,
  fusion and calibrated SVM), saved with ``skops.io``, which stores objects' state and rebuilds
  only types it is told to trust;
* ``network.keras`` (cnn, transfer): the Keras network, in Keras' own format, loaded with
  ``safe_mode=True``.

Loading a pickle (the ``model.joblib`` of format 3 and earlier) runs whatever code it names, so
a bundle someone shares would be a way into the machine that loads it. Here, before any object
is built, :func:`load_bundle` checks that the file is a zip of exactly these parts, the format,
the package versions, every part's hash, and every type the parts name: the model's against
:data:`TRUSTED`, the network's layers against Keras' own and the project's. A type outside them
is refused with the list of them, unless the caller trusts the file (``trust=True``,
``musicgenre predict --trust``), which is warned about. docs/predict.md says more.
"""

import copy
import hashlib
import io
import json
import platform
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import sklearn

from . import __version__
from .errors import MusicgenreError
from .files import atomic_write

#: 4: a zip of a manifest, a skops model and a Keras network (3 and earlier: a joblib pickle).
BUNDLE_FORMAT = 4
BUNDLE_NAME = "model.bundle"
MANIFEST, MODEL, NETWORK = "manifest.json", "model.skops", "network.keras"
#: Packages whose major version a network's bundle records and must share with the loading machine.
NETWORK_PACKAGES = ("keras", "tensorflow")
#: No part of a bundle is larger (a zip that says otherwise is refused before it is read).
MAX_PART_BYTES = 4 * 2**30
#: The types a bundle's model may hold beyond those skops trusts by default: the project's clip
#: models and classifiers, and the scikit-learn internals of the estimators they wrap (trees,
#: neighbour indexes and their metrics, the MLP's optimisers, calibration). Each is rebuilt from
#: its stored state; none runs code of the file's choosing.
TRUSTED = (
    "musicgenre.cliprules.PoolModel", "musicgenre.cliprules.VoteModel", "musicgenre.fusion.FusionModel",
    "musicgenre.models.GroupCalibrated", "musicgenre.models.GroupedMLP", "musicgenre.deep.MelClassifier",
    "sklearn.calibration._CalibratedClassifier", "sklearn.calibration._TemperatureScaling",
    "sklearn.tree._tree.Tree", "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.neighbors._kd_tree.KDTree", "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    *(f"sklearn.metrics._dist_metrics.{name}Distance64" for name in (
        "BrayCurtis", "Canberra", "Chebyshev", "Dice", "Euclidean", "Hamming", "Haversine", "Jaccard", "Kulsinski",
        "Mahalanobis", "Manhattan", "Matching", "Minkowski", "RogersTanimoto", "RussellRao", "SEuclidean",
        "SokalMichener", "SokalSneath")),
)


def make_bundle(model, family, feature_names, labels, config, description=None, training_data=None):
    """A bundle in memory. ``config`` says how to turn audio into the model's input: ``input``
    (features, mels or embeddings), ``sample_rate``, ``chunk_seconds`` and that input's settings;
    ``training_data`` what the model learned from (:func:`training_data`)."""
    versions = {"musicgenre": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                "skops": installed("skops"), "python": platform.python_version()}
    if getattr(model, "network", None) is not None:  # a network's part is made under these
        versions.update({package: installed(package) for package in NETWORK_PACKAGES})
    return {
        "format": BUNDLE_FORMAT,
        "family": family,
        "model": model,
        "feature_names": [str(name) for name in feature_names],
        "labels": [str(label) for label in labels],
        "config": dict(config),
        "description": dict(description or {}),
        "training_data": dict(training_data or {}),
        "versions": versions,
    }


def training_data(source, train_files, genres):
    """What a model learned from, as its bundle records it: the dataset's ``source`` (params
    ``dataset.source``), how many clips, which genres, and whether they were generated music (the
    demo set), which :class:`musicgenre.api.Model` warns about."""
    return {"source": source, "clips": len(set(train_files)), "genres": sorted({str(g) for g in genres}),
            "synthetic": source == "synthetic"}


def save_bundle(bundle, path):
    """Write ``bundle`` (:func:`make_bundle`) to ``path``, whole or not at all (:func:`atomic_write`)."""
    import skops.io

    model, parts = bundle["model"], {}
    network = getattr(model, "network", None)
    if network is not None:
        model = copy.copy(model)
        model.network = None
        with tempfile.TemporaryDirectory() as folder:
            network.save(Path(folder) / NETWORK)
            parts[NETWORK] = canonical_network((Path(folder) / NETWORK).read_bytes())
    parts[MODEL] = canonical_skops(skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED))
    manifest = {**{k: v for k, v in bundle.items() if k != "model"},
                "parts": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(parts.items())}}
    entries = {MANIFEST: (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode(), **dict(sorted(parts.items()))}
    with atomic_write(path) as temporary:
        temporary.write_bytes(fixed_zip(entries))


def canonical_skops(data):
    """skops' bytes with the same model always the same. skops names each array's file and each
    object's ``__id__`` by the object's address in memory, which changes from run to run; here they
    are numbered in the order they appear in the schema, and the archive's timestamps are fixed. So
    a stage that retrains the same model writes the same file, and DVC finds it unchanged."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        files = renumber(schema, {"__id__": {}, "file": {}})["file"]
        entries = {"schema.json": json.dumps(schema, indent=2).encode()}
        entries.update({files[name]: archive.read(name) for name in archive.namelist() if name in files})
        compression = archive.infolist()[0].compress_type
    return fixed_zip(entries, compression)


def canonical_network(data):
    """A ``.keras`` file's bytes with the same network always the same: without the moment it was
    saved (``metadata.json``'s ``date_saved``, the archive's timestamps) and with the addresses in
    memory that name its shared objects (``shared_object_id``) numbered in order of appearance."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
        compression = archive.infolist()[0].compress_type
    metadata = json.loads(entries["metadata.json"])
    metadata.pop("date_saved", None)
    entries["metadata.json"] = json.dumps(metadata).encode()
    config = json.loads(entries["config.json"])
    renumber(config, {"shared_object_id": {}})
    entries["config.json"] = json.dumps(config).encode()
    return fixed_zip(entries, compression)


def renumber(node, names):
    """Replace, in place, the value of every key of ``names`` found in the JSON tree ``node`` by its
    number in order of first appearance (``__id__``, ``shared_object_id``), or, for ``file``, by that
    number and the file's suffix. Returns ``names``: each key's ``{old: new}``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in names and isinstance(value, (int, str)):
                seen = names[key]
                node[key] = seen.setdefault(value, f"{len(seen)}{Path(value).suffix}" if key == "file" else len(seen))
            else:
                renumber(value, names)
    elif isinstance(node, list):
        for value in node:
            renumber(value, names)
    return names


def fixed_zip(entries, compression=zipfile.ZIP_DEFLATED):
    """A zip archive of ``{name: bytes}``, in that order, dated 1980-01-01 (zip's earliest date)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content,
                             compress_type=compression)
    return out.getvalue()


def installed(package):
    """The version of ``package`` here, or ``None`` (a network's bundle has imported its packages already)."""
    import importlib

    try:
        return importlib.import_module(package).__version__
    except ImportError:
        return None


def load_bundle(path, trust=False, trusted=()):
    """Load a bundle after checking, before anything is built, that it is one
    (:data:`BUNDLE_FORMAT`), that the packages it needs are the versions it was made with
    (scikit-learn exactly, Keras and TensorFlow by major version), that no part changed since it
    was saved (SHA-256) and that it names no type outside the trusted ones: :data:`TRUSTED` and
    ``trusted``, the types the caller vouches for (a family of the user's own: the estimator its
    params.yaml names), nor a HEAR module (whose code ``predict`` would run) outside ``trusted``.
    ``trust=True`` lets any type and module load, with a warning (only for a file from a source you
    trust)."""
    path = Path(path)
    parts = read_parts(path)
    manifest = json.loads(parts.pop(MANIFEST))
    for name, data in parts.items():
        if hashlib.sha256(data).hexdigest() != manifest["parts"][name]:
            raise MusicgenreError(f"{path}: its part {name} is not what the bundle's manifest says was saved (its "
                                  "SHA-256 differs): the file was changed or damaged after it was made. Use the "
                                  "original, or retrain it (dvc repro)")
    untrusted = sorted(set(model_types(parts[MODEL], path)) - set(trusted))
    untrusted += network_types(parts[NETWORK], path) if NETWORK in parts else []
    if untrusted and not trust:
        raise MusicgenreError(
            f"{path} holds types a musicgenre bundle never does, and building them could run code: "
            f"{', '.join(untrusted)}. It was not loaded. If you know where it came from and trust it, load it "
            "with load_model(..., trust=True) or musicgenre predict --trust")
    hear = manifest["config"].get("hear")
    if hear and hear not in trusted:  # predict would import its code and run it on the audio
        if not trust:
            raise MusicgenreError(
                f"{path} computes its input with the HEAR module {hear}, code that predict would import and run, "
                "and that this project's params.yaml does not list under hear. It was not loaded. If you know "
                "where it came from and trust it, load it with load_model(..., trust=True) or musicgenre predict "
                "--trust")
        warnings.warn(f"{path}: its input will run the HEAR module {hear}, which its project does not list, as "
                      "trust=True asks", stacklevel=2)
    if untrusted:
        warnings.warn(f"{path}: loading the untrusted types {', '.join(untrusted)}, as trust=True asks; a bundle "
                      "from an untrusted source can run any code", stacklevel=2)
    import skops.io

    try:
        model = skops.io.loads(parts[MODEL], trusted=[*TRUSTED, *trusted, *untrusted])
    except Exception as err:  # noqa: BLE001 - what a crafted part makes skops or numpy raise
        raise MusicgenreError(f"{path}: its {MODEL} cannot be loaded ({type(err).__name__}: {err}); not loaded, "
                              "use the original or retrain it (dvc repro)") from None
    check_indices(model, path)
    if NETWORK in parts:
        model.network = load_network(parts[NETWORK], trust)
    return {**{k: v for k, v in manifest.items() if k != "parts"}, "model": model}


def read_parts(path):
    """``{name: bytes}`` of a bundle archive whose entries are exactly the manifest and the parts it
    lists, each of a name a bundle uses (so no entry can point outside the archive) and a bounded
    size, after checking the manifest's format and versions."""
    if not path.is_file():
        raise MusicgenreError(f"model bundle {path} not found; run dvc repro to train it")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            start = handle.read(2)
        if path.suffix == ".joblib" or start[:1] in (b"\x80", b"x"):  # a pickle, plain or zlib-compressed
            raise MusicgenreError(
                f"{path} is a bundle of an earlier format (format 3 or before: a pickle, which runs any code it "
                f"holds when loaded), so it is not opened; retrain it (dvc repro) to get {BUNDLE_NAME}")
        raise MusicgenreError(f"{path} is not a musicgenre bundle (a zip archive holding {MANIFEST})")
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        strange = sorted(name for name in set(names) if name not in (MANIFEST, MODEL, NETWORK))
        if strange or len(names) != len(set(names)) or MANIFEST not in names:
            raise MusicgenreError(f"{path} is not a bundle musicgenre made: it holds "
                                  f"{', '.join(map(repr, strange or names))}, where a bundle holds {MANIFEST} and "
                                  f"{MODEL} (and {NETWORK} for a network); it was not loaded")
        if any(entry.file_size > MAX_PART_BYTES for entry in entries):
            raise MusicgenreError(f"{path}: a part is larger than any bundle's ({MAX_PART_BYTES // 2**30} GB); "
                                  "not loaded")
        try:
            manifest = json.loads(archive.read(MANIFEST))
            if not isinstance(manifest, dict):
                raise ValueError(f"{MANIFEST} is not an object")
            check_format(manifest, path)
            check_versions(manifest, path)
            listed = manifest["parts"]
            if set(listed) != set(names) - {MANIFEST} or MODEL not in listed:
                raise ValueError(f"its manifest lists {sorted(listed)}, the archive holds {sorted(names)}")
            return {name: archive.read(name) for name in names}
        except MusicgenreError:
            raise
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as err:
            raise MusicgenreError(f"{path} is not a readable musicgenre bundle ({err}); use the original, or "
                                  "retrain it (dvc repro)") from None


def check_format(manifest, path):
    made = manifest.get("format")
    if made != BUNDLE_FORMAT:
        raise MusicgenreError(f"{path} is a bundle of format {made}, and this musicgenre reads format "
                              f"{BUNDLE_FORMAT}; retrain it (dvc repro)")


def check_versions(manifest, path):
    """scikit-learn's fitted objects are only promised to load in the version that made them;
    Keras' networks within a major version."""
    made_with = manifest["versions"]["scikit-learn"]
    if made_with != sklearn.__version__:
        raise MusicgenreError(
            f"{path} was made with scikit-learn {made_with}, this is {sklearn.__version__}; "
            f"retrain it (dvc repro) or install scikit-learn=={made_with}")
    for package in NETWORK_PACKAGES:
        made_with = manifest["versions"].get(package)
        if not made_with:  # only a network's bundle records them
            continue
        here = installed(package)
        if (here or "none").split(".")[0] != made_with.split(".")[0]:
            raise MusicgenreError(
                f"{path} was made with {package} {made_with}, and this is {package} {here or '(not installed)'}, "
                f"another major version; retrain it (dvc repro) or install {package}=={made_with}")


def model_types(data, path):
    """The types and functions the skops part names beyond :data:`TRUSTED` and skops' own trusted ones."""
    import skops.io

    try:
        return sorted(set(skops.io.get_untrusted_types(data=data)) - set(TRUSTED))
    except Exception as err:  # noqa: BLE001 - whatever a crafted schema makes skops raise
        raise MusicgenreError(f"{path}: its {MODEL} cannot be read ({type(err).__name__}: {err}); not loaded") from None


def check_indices(model, path):
    """Refuse a model whose decision trees or neighbour indexes hold indices out of their range.
    scikit-learn follows them without bounds checks, so a crafted tree would read or crash outside
    its arrays at the first prediction (why skops does not trust these types by default; here they
    are trusted because their content is checked)."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.neighbors import BallTree, KDTree
    from sklearn.tree._tree import Tree

    for part in reachable(model):
        if isinstance(part, TreePredictor):
            nodes, count = part.nodes, len(part.nodes)
            inner = ~part.nodes["is_leaf"].astype(bool)
            order = np.arange(count)[inner]
            fine = ((nodes["left"][inner] > order).all() and (nodes["left"][inner] < count).all()
                    and (nodes["right"][inner] > order).all() and (nodes["right"][inner] < count).all()
                    and (nodes["feature_idx"][inner] >= 0).all()
                    and (nodes["bitset_idx"][inner & nodes["is_categorical"].astype(bool)]
                         < max(len(part.raw_left_cat_bitsets), 1)).all())
        elif hasattr(part, "_predictors") and hasattr(part, "n_features_in_"):  # a gradient boosting's trees
            fine = all((p.nodes["feature_idx"] < part.n_features_in_).all() for trees in part._predictors for p in trees)
        elif isinstance(part, Tree):
            nodes, inner = np.arange(part.node_count), part.children_left != -1
            left, right, feature = part.children_left, part.children_right, part.feature
            fine = (len(left) == len(right) == len(feature) == part.node_count == len(part.value)
                    and np.array_equal(inner, right != -1)
                    and (left[inner] > nodes[inner]).all() and (left[inner] < part.node_count).all()
                    and (right[inner] > nodes[inner]).all() and (right[inner] < part.node_count).all()
                    and (feature[inner] >= 0).all() and (feature[inner] < part.n_features).all())
        elif isinstance(part, (KDTree, BallTree)):
            data, order, node_data, bounds = part.get_arrays()
            state = part.__getstate__()
            levels, count = state[5], state[6]
            fine = (len(node_data) == count == 2 ** levels - 1 == np.shape(bounds)[1]
                    and len(order) == len(data) and np.array_equal(np.sort(order), np.arange(len(data)))
                    and (0 <= node_data["idx_start"]).all() and (node_data["idx_start"] <= node_data["idx_end"]).all()
                    and (node_data["idx_end"] <= len(order)).all())
        else:
            continue
        if not fine:
            raise MusicgenreError(f"{path}: a {type(part).__name__} in its model holds indices outside its own "
                                  "arrays (a crafted or damaged file); not loaded")


def reachable(obj, seen=None):
    """Every object inside ``obj``: through containers and the attributes of the project's and
    scikit-learn's objects."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, dict):
        children = obj.values()
    elif isinstance(obj, (list, tuple)):
        children = obj
    elif type(obj).__module__.split(".")[0] in ("musicgenre", "sklearn") and hasattr(obj, "__dict__"):
        children = vars(obj).values()
    else:
        return
    for child in children:
        yield from reachable(child, seen)


def network_types(data, path):
    """The layers and objects the Keras part's configuration names outside Keras and the project's
    registered layers, and any ``Lambda`` (a Python function stored in the file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            config = json.loads(archive.read("config.json"))
    except (KeyError, ValueError, zipfile.BadZipFile) as err:
        raise MusicgenreError(f"{path}: its {NETWORK} is not a Keras model file ({err}); not loaded") from None
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "class_name" in node:
                module, name = node.get("module") or "", str(node["class_name"])
                registered = str(node.get("registered_name") or "")
                ours = module.startswith("musicgenre.") and registered.startswith("musicgenre>")
                keras_own = module == "keras" or module.startswith("keras.")
                if name in ("Lambda", "__lambda__") or (module and not (ours or keras_own)):
                    found.add(f"{module}.{name}" if module else name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return sorted(found)


def load_network(data, trust):
    """The Keras network of a bundle; Keras' ``safe_mode`` refuses stored Python code unless trusted."""
    from . import deep  # noqa: F401 - registers the project's layers (and sets up TensorFlow) first

    import keras

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / NETWORK).write_bytes(data)
        return keras.saving.load_model(Path(folder) / NETWORK, compile=False, safe_mode=not trust)
