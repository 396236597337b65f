"""The Python API: a trained model and a run's results in a notebook or a script.

>>> from musicgenre.api import load_model, read_metrics
>>> model = load_model("fusion")              # a family of this project, or a bundle's path
>>> model.classify("song.mp3").genre          # a file of any length, in any format librosa reads
'jazz'
>>> model.classify(samples, sample_rate=44100).probabilities   # samples already in memory
>>> read_metrics()                            # every family's test scores, best first

This is what the command line runs: ``musicgenre predict`` classifies with :meth:`Model.classify`,
and ``musicgenre summary`` prints :func:`read_metrics`. A bundle holds everything it needs (the
model, and how to compute its input from audio), so a model classifies without the project's data,
``params.yaml`` or DVC.
"""

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .bundles import BUNDLE_NAME
from .errors import MusicgenreError
from .jsonio import read_json
from .paths import METRICS, MODELS, model_dir
from .predict import MAX_CHUNKS


@dataclass(frozen=True)
class Prediction:
    """What a model heard in one file or array.

    Attributes
    ----------
    probabilities : pandas.Series
        The probability of every genre the model knows, most probable first, rounded to 4 places.
    chunks : int
        How many chunks the model read.
    file_chunks : int
        How many chunks the audio has; more than ``chunks`` when it was longer than ``max_chunks``.
    padded : bool
        Whether the audio was shorter than one chunk, and so zero-padded to one, as the stages do.
    """

    probabilities: pd.Series
    chunks: int
    file_chunks: int
    padded: bool

    @property
    def genre(self):
        """str: The most probable genre."""
        return str(self.probabilities.index[0])


class Model:
    """A trained model bundle, ready to classify audio.

    Parameters
    ----------
    bundle : dict
        A bundle as :func:`musicgenre.bundles.load_bundle` returns it. Use :func:`load_model` to
        get a model from a family name or a file.

    Attributes
    ----------
    family : str
        The model family (``knn``, ``fusion``, ``cnn``, ...).
    genres : list of str
        The genres it tells apart, sorted.
    sample_rate : int
        The rate every input is resampled to.
    chunk_seconds : float
        The length of the chunks it reads.
    training_data : dict
        What it learned from: the dataset's ``source``, ``clips``, ``genres`` and whether they were
        ``synthetic`` (the demo set's generated music).
    """

    def __init__(self, bundle):
        self.bundle = bundle
        self.family = bundle["family"]
        self.genres = [str(genre) for genre in bundle["labels"]]
        self.sample_rate = bundle["config"]["sample_rate"]
        self.chunk_seconds = bundle["config"]["chunk_seconds"]
        self.training_data = bundle["training_data"]
        self._warned = False

    def __repr__(self):
        return f"Model(family={self.family!r}, genres={len(self.genres)}, input={self.bundle['config']['input']!r})"

    def classify(self, audio, sample_rate=None, max_chunks=MAX_CHUNKS):
        """Classify one file, or samples in memory, as the pipeline classified its test clips.

        Parameters
        ----------
        audio : str, pathlib.Path or numpy.ndarray
            A file path, or samples: shape ``(samples,)`` for mono, ``(channels, samples)`` for
            more channels (down-mixed to mono, as a file is).
        sample_rate : int, optional
            The rate of ``audio`` when it is an array (required then); resampled to the model's
            rate as a file is. Ignored for a path.
        max_chunks : int, optional
            Past this many chunks, the audio is classified by this many spread evenly over it, so
            a long song costs a bounded time. ``None`` or 0 reads every chunk.

        Returns
        -------
        Prediction
            The genre probabilities and how many chunks were read.

        Raises
        ------
        musicgenre.errors.MusicgenreError
            When the file cannot be read or decoded, the samples are not finite, or the audio is
            silent: the message says which.
        """
        from .predict import classify, classify_audio, samples

        if self.training_data.get("synthetic") and not self._warned:
            self._warned = True
            warnings.warn(SyntheticModelWarning(synthetic_note(self.family)), stacklevel=2)
        if isinstance(audio, (str, Path)):
            found = classify(self.bundle, audio, max_chunks)
        else:
            if sample_rate is None:
                raise MusicgenreError("classify: give the sample_rate of an array of samples")
            found = classify_audio(self.bundle, samples(audio, sample_rate, self.sample_rate), max_chunks)
        return Prediction(pd.Series(found["probabilities"], name="probability"), found["chunks"],
                          found["file_chunks"], found["padded"])


class SyntheticModelWarning(UserWarning):
    """A model that learned only from the synthetic demo set is classifying audio."""


def synthetic_note(family):
    return (f"the {family} model learned only from the synthetic demo set: its genres are those of generated "
            "music, not of recordings. Train on GTZAN or your own collection first (docs/data.md)")


def load_model(model=None, project=".", trust=False):
    """Load a trained model.

    Parameters
    ----------
    model : str or pathlib.Path, optional
        A bundle file (``model.bundle``), or the name of a family the project trained
        (``data/models/<family>/model.bundle``). ``None``: the family with the best validation
        score in the project's ``metrics/`` (the score that chose its settings, never the test
        set's; the first by name of equal ones: :func:`musicgenre.selection.chosen_family`).
    project : str or pathlib.Path, default "."
        The project the family names and the metrics are read from.
    trust : bool, default False
        Load a bundle that holds types no musicgenre bundle holds (building them could run code),
        with a warning. Only for a file from a source you trust; without it such a bundle is refused.

    Returns
    -------
    Model

    Raises
    ------
    musicgenre.errors.MusicgenreError
        When no such bundle exists, it is not a bundle of this format (an older ``model.joblib``),
        a part of it changed since it was saved, it holds untrusted types, or it was made by another
        version of a package it needs.
    """
    from .bundles import load_bundle

    path = bundle_path(model, project)
    return Model(load_bundle(path, trust=trust, trusted=vouched_by(project, path)))


def vouched_by(project, path):
    """The types and HEAR modules the project's params.yaml vouches for in its own family's bundle at
    ``path`` (:func:`musicgenre.estimators.vouched`); none for a bundle from elsewhere."""
    from .estimators import vouched
    from .params import load_params

    project, path = Path(project), Path(path)
    params = project / "params.yaml"
    if path.name != BUNDLE_NAME or path.resolve().parent.parent != (project / MODELS).resolve() or not params.is_file():
        return ()
    params = load_params(params)
    families = params["models"]
    return vouched(families[path.parent.name], params["hear"]) if path.parent.name in families else ()


def bundle_path(model=None, project="."):
    """The bundle file :func:`load_model` reads for ``model`` (see there)."""
    project = Path(project)
    if model is not None and Path(model).is_file():
        return Path(model)
    if model is None:
        try:
            model = default_family(project)
        except MusicgenreError:
            raise MusicgenreError(f"no trained model found in {project.resolve()}: run `make demo` or `dvc repro` "
                                  "first, or name a bundle file (predict: --model path/to/model.bundle)") from None
    path = project / model_dir(str(model)) / BUNDLE_NAME
    if not path.is_file():
        raise MusicgenreError(f"model {str(model)!r} is neither a bundle file nor a trained family "
                              f"({path} does not exist)")
    return path


def default_family(project="."):
    """The family :func:`load_model` and ``musicgenre predict`` use when none is named: the best
    validation score of the project's trained families (chosen on validation data, as their
    settings were; the test set chooses nothing)."""
    from .selection import chosen_family

    return chosen_family(read_metrics(project)["validation_score"].to_dict())


def trained_on(data):
    """``"<source>, <n> clips"``: what a family learned from, as its metrics record it."""
    return f"{data['source']}, {data['clips']} clips"


def read_metrics(project="."):
    """Every trained family's test scores, from the project's ``metrics/<family>.json``.

    Parameters
    ----------
    project : str or pathlib.Path, default "."
        A project whose ``evaluate`` stages have run (``make demo`` or ``dvc repro``).

    Returns
    -------
    pandas.DataFrame
        One row per family (the index), the best test clip accuracy first (families with equal
        accuracy by name). Columns: ``split``; ``clip_accuracy`` with ``ci95_low`` and
        ``ci95_high``, its 95% interval; ``clip_macro_f1``; ``chunk_accuracy`` (missing for a
        family that classifies whole clips); ``on_<length>``, the clip accuracy on excerpts that
        long (``on_3s``, ``on_10s``); and ``validation_score``, the score on validation data that
        chose its settings (and chooses :func:`default_family`; optimistic where values were tried);
        ``trained_on``, the dataset's source and training clips (``synthetic, 142 clips``).

    Raises
    ------
    musicgenre.errors.MusicgenreError
        When the project has no model metrics yet.
    """
    rows = {}
    for path in sorted((Path(project) / METRICS).glob("*.json")):
        data = read_json(path)
        if "clip" not in data:  # cleaning, comparison, leakage, review: not a family's
            continue
        clip = data["clip"]
        by_length = {f"on_{key}": value["accuracy"] for key, value in data.get("clip_accuracy_by_length", {}).items()
                     if key != "whole"}
        rows[path.stem] = {"split": data["split"], "clip_accuracy": clip["accuracy"],
                           "ci95_low": clip["accuracy_ci95_low"], "ci95_high": clip["accuracy_ci95_high"],
                           "clip_macro_f1": clip["macro_f1"],
                           "chunk_accuracy": data["chunk"]["accuracy"] if "chunk" in data else np.nan,
                           **by_length, "validation_score": data["validation"]["score"],
                           "trained_on": trained_on(data["training_data"])}
    if not rows:
        raise MusicgenreError(f"no model metrics in {Path(project) / METRICS}/; run dvc repro (or make demo) first")
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("family")
    lengths = sorted((c for c in table.columns if c.startswith("on_")), key=lambda c: float(c[3:].removesuffix("s")))
    order = ["split", "clip_accuracy", "ci95_low", "ci95_high", "clip_macro_f1", "chunk_accuracy", *lengths,
             "validation_score", "trained_on"]
    table = table[order].sort_index()
    return table.sort_values("clip_accuracy", ascending=False, kind="stable")
