"""Every setting of ``params.yaml``: its type, its range or choices, and its default, declared once.

:func:`checked` reads a parsed ``params.yaml`` through these models: a wrong type, a value out of
range, an unknown choice or an unknown key stops with a message naming the key, and every missing
key gets its default from here. So the code reads each setting as given (``settings["patience"]``)
and never carries a default of its own. ``tests/test_schema.py`` fails when a default here and the
value in the shipped ``params.yaml`` differ.

Where a setting names something the code defines (a dataset source, a split strategy, a clip
rule), the choices are declared here and the code imports them. Two kinds of values are checked
where they are used, because their meaning lives there: scikit-learn's own settings of knn, rf and
mlp (by scikit-learn, against the estimator), and names only known at run time (a transfer
backbone of ``keras.applications``, a family's input and a fusion member's inputs, which are
representations found in the package, the leakage family).
"""

import copy
import re
import types
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import MusicgenreError

SOURCES = ("kaggle", "local", "synthetic", "folder", "fma")
FMA_SUBSETS = ("small", "medium")
MISLABEL_POLICIES = ("relabel", "drop", "keep")
DISTORTION_POLICIES = ("keep", "drop")
DETECTION = ("drop", "report", "skip")  # not "off": YAML 1.1 reads off as false
EMBEDDING_MODELS = ("MSD_musicnn", "MTT_musicnn")
EMBEDDING_LAYERS = ("max_pool", "mean_pool", "penultimate", "taggram")
STRATEGIES = ("fault_filtered", "official", "artist", "song", "random")
SCALERS = ("standard", "minmax")
CLIP_RULES = ("vote", "pool")
POOL_STATISTICS = ("mean", "std", "max", "min")
#: The settings only the pool rule reads (a vote ignores them): how it pools, and its sub-clips.
POOLING = ("pool_stats", "sub_clips")
EMBEDDING_CLASSIFIERS = ("svm", "logistic")
TABLE_CLASSIFIERS = ("knn", "rf", "mlp")
ARCHITECTURES = ("default", "baseline")
CHOOSE_BY = ("mean", "shortest", "whole")
HEAR_EMBEDDINGS = ("timestamp", "scene")
#: The families whose settings may list values to try, chosen on validation data
#: (:mod:`musicgenre.selection`); the deep families choose only their epoch (early stopping).
SEARCHABLE = ("knn", "rf", "mlp", "musicnn", "fusion")

Jobs = Annotated[int, Field(ge=-1)]  # worker processes; 0 or 1: one, -1: one per core


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Fma(Section):
    subset: Literal[FMA_SUBSETS] = "small"
    mirror: str = "https://os.unil.cloud.switch.ch/fma/"
    cache: str = "~/.cache/musicgenre/fma"


class Synthetic(Section):
    artists_per_genre: Annotated[int, Field(ge=2)] = 4
    clips_per_artist: Annotated[int, Field(ge=1)] = 5
    clip_seconds: Annotated[float, Field(ge=1.0, le=60.0)] = 9.0
    duplicates: Annotated[int, Field(ge=0)] = 8
    mislabels: Annotated[int, Field(ge=0)] = 8
    unreadable: Annotated[int, Field(ge=0)] = 1


class Dataset(Section):
    source: Literal[SOURCES] = "kaggle"
    kaggle_handle: str = "andradaolteanu/gtzan-dataset-music-genre-classification"
    local_path: str = ""
    allow_incomplete: bool = False
    fma: Fma = Fma()
    synthetic: Synthetic = Synthetic()


class Budget(Section):
    stop_over_memory: bool = True  # download stops a run whose projected peak exceeds the machine's (musicgenre.budget)


class Compute(Section):
    scheduler: str = "local"  # local, or a Dask scheduler's address (musicgenre.parallel)

    @field_validator("scheduler")
    @classmethod
    def _address(cls, value):
        if value != "local" and not re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+", value):
            raise ValueError("expected local, or the address a Dask scheduler prints when it starts, like "
                             "tcp://10.0.0.5:8786")
        return value


class Clean(Section):
    mislabel_policy: Literal[MISLABEL_POLICIES] = "relabel"
    distortion_policy: Literal[DISTORTION_POLICIES] = "keep"
    detect_duplicates: Literal[DETECTION] = "drop"
    extra_faults: Annotated[str, Field(min_length=1)] = "extra_faults.csv"
    n_jobs: Jobs = 2


class Representation(Section):
    """A representation's section; one a user adds may hold settings of its own."""

    model_config = ConfigDict(extra="allow", strict=True)
    n_jobs: Jobs = 1


class HearSection(Section):
    """A HEAR module's section (``params.yaml`` ``hear`` names the module; :mod:`musicgenre.dsp.hear`)."""

    model_file_path: str = ""  # given to the module's load_model(); empty: load_model() with no argument
    embedding: Literal[HEAR_EMBEDDINGS] = "timestamp"  # timestamp (averaged per chunk) | scene (per chunk)
    n_jobs: Jobs = 1


class Chunks(Section):
    """The one chunk grid of every input, so a row of each representation describes the same seconds."""

    sample_rate: Annotated[int, Field(ge=4000, le=96000)] = 22050
    seconds: Annotated[float, Field(ge=0.5, le=30.0)] = 3.0


class Features(Section):
    n_jobs: Jobs = 2


class Mels(Section):
    n_mels: Annotated[int, Field(ge=8, le=512)] = 128
    n_fft: Annotated[int, Field(ge=64, le=16384)] = 2048
    hop_length: Annotated[int, Field(ge=16, le=8192)] = 512
    fmax: Annotated[float, Field(ge=1000, le=48000)] = 11025
    n_jobs: Jobs = 2


class Embeddings(Section):
    model: Literal[EMBEDDING_MODELS] = "MSD_musicnn"
    layer: Literal[EMBEDDING_LAYERS] = "max_pool"
    n_jobs: Jobs = 2


class Split(Section):
    strategy: Literal[("auto",) + STRATEGIES] = "auto"
    test_fraction: Annotated[float, Field(ge=0.01, le=0.9)] = 0.2
    folds: Annotated[int, Field(ge=2)] = 5


class Train(Section):
    scaler: Literal[SCALERS] = "standard"
    drop_features: list[str] = ["mfcc2_mean", "rolloff_mean"]


class Lengths(Section):
    seconds: list[Annotated[float, Field(gt=0, le=3600)]] = [3.0, 10.0]  # each clip's excerpts
    choose_by: Literal[CHOOSE_BY] = "mean"  # which validation score selection maximises (musicgenre.selection)


class Leakage(Section):
    family: str = "mlp"  # one of the families on the descriptors (checked by the leakage stage)


class Review(Section):
    families: Annotated[list[Literal[SEARCHABLE]], Field(min_length=1)] = ["fusion", "knn"]
    folds: Annotated[int, Field(ge=2)] = 5


Statistics = Annotated[list[Literal[POOL_STATISTICS]], Field(min_length=1)]
Inverse = Annotated[float, Field(ge=1e-6, le=1e6)]  # an inverse regularisation strength
Components = Annotated[int, Field(ge=0, le=4096)]


class ClipRule(Section):
    """How a clip gets its genre from its chunks (:mod:`musicgenre.cliprules`)."""

    clip_rule: Literal[CLIP_RULES] = "vote"
    pool_stats: Statistics = ["mean", "std", "max"]
    sub_clips: Annotated[int, Field(ge=0, le=1000)] = 0  # pool: random runs of chunks per training clip too

    @field_validator("pool_stats")
    @classmethod
    def _distinct(cls, stats):
        if len(set(stats)) != len(stats):
            raise ValueError("it names a statistic twice")
        return stats


class TableFamily(ClipRule):
    """A family on tables: a setting may hold values to try (:func:`search_space`), and a default
    that is a list is such a grid. The clip rule's default tries both rules, the pool rule's with
    and without sub-clips."""

    clip_rule: Literal[CLIP_RULES] = list(CLIP_RULES)
    sub_clips: Annotated[int, Field(ge=0, le=1000)] = [0, 4]


class Knn(TableFamily):
    model_config = ConfigDict(extra="allow", strict=True)  # any other KNeighborsClassifier setting
    input: str = "features"
    n_neighbors: Annotated[int, Field(ge=1)] = [5, 9, 14]
    p: Annotated[int, Field(ge=1)] = 1
    leaf_size: Annotated[int, Field(ge=1)] = 2


class Rf(TableFamily):
    model_config = ConfigDict(extra="allow", strict=True)  # any other RandomForestClassifier setting
    input: str = "features"
    n_estimators: Annotated[int, Field(ge=1)] = 1400
    max_depth: Annotated[int, Field(ge=1)] | None = 32
    n_jobs: Jobs = 2


class Mlp(TableFamily):
    model_config = ConfigDict(extra="allow", strict=True)  # any other MLPClassifier setting
    input: str = "features"
    hidden_layer_sizes: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)] = [500, 500, 300]
    solver: str = "sgd"
    max_iter: Annotated[int, Field(ge=1)] = 500
    learning_rate_init: Annotated[float, Field(gt=0)] = 0.01
    early_stopping: bool = False


class EstimatorFamily(TableFamily):
    """A family of the user's own: any scikit-learn-compatible classifier, named by its import path
    (``estimator: sklearn.ensemble.HistGradientBoostingClassifier``). Its other settings are the
    estimator's own, checked against its parameters when it is built (:func:`musicgenre.models.build`);
    a list is values to try, as for the built-in families."""

    model_config = ConfigDict(extra="allow", strict=True)
    input: str  # no default: dvc.yaml's train@ and evaluate@ read it from params.yaml (data/inputs/<input>)
    estimator: str


class LightClassifier(Section):
    """An RBF SVM or a logistic regression on scaled (optionally PCA-reduced) vectors."""

    classifier: Literal[EMBEDDING_CLASSIFIERS] = "svm"
    C: Inverse = 1.0
    pca: Components = 0  # components before the classifier; 0 = none


class Musicnn(LightClassifier, TableFamily):
    input: str = "embeddings"
    C: Inverse = [0.1, 1.0, 10.0]


class Member(ClipRule):
    """A fusion member: the table inputs it reads (a non-empty list, checked against the inputs that
    exist when the fusion is built) and a classifier."""

    inputs: Annotated[list[str], Field(min_length=1)]


class LightMember(Member, LightClassifier):
    classifier: Literal[EMBEDDING_CLASSIFIERS]


class TableMember(Member):
    model_config = ConfigDict(extra="allow", strict=True)  # the scikit-learn settings of its classifier
    classifier: Literal[TABLE_CLASSIFIERS]


class Fusion(Section):
    input: str = "tables"
    members: Annotated[dict[str, Annotated[LightMember | TableMember, Field(discriminator="classifier")]],
                       Field(min_length=1)]
    meta_C: Inverse = 1.0


MaskSize = Annotated[int, Field(ge=0, le=512)]  # SpecAugment masks: how many, and their width in bins


class Masks(Section):
    time_masks: MaskSize = 2
    time_width: MaskSize = 16
    freq_masks: MaskSize = 2
    freq_width: MaskSize = 12


class Fitting(Section):
    """What every network the project trains shares: batches, learning rate, threads."""

    batch_size: Annotated[int, Field(ge=1, le=4096)] = 32
    learning_rate: Annotated[float, Field(ge=1e-7, le=1.0)] = 0.001
    threads: Annotated[int, Field(ge=1, le=256)] = 2  # TensorFlow CPU threads


class Network(Fitting):
    """What both built-in deep families share beyond fitting: their head's dropout."""

    dropout: Annotated[float, Field(ge=0.0, le=0.9)] = 0.3


class Cnn(Network):
    input: str = "mels"
    architecture: Literal[ARCHITECTURES] = "default"
    filters: Annotated[list[Annotated[int, Field(ge=1, le=1024)]], Field(min_length=1)] = [16, 32, 64, 128]
    masks: Masks = Masks()
    epochs: Annotated[int, Field(ge=1)] = 40
    patience: Annotated[int, Field(ge=1)] = 6


class Transfer(Network):
    input: str = "mels"
    backbone: str = "MobileNetV2"  # a keras.applications backbone (checked by musicgenre.deep)
    weights: str = "imagenet"  # imagenet | none | path/to/no_top.h5 (checked by musicgenre.deep)
    image_size: Annotated[int, Field(ge=32, le=600)] = 128
    frozen_epochs: Annotated[int, Field(ge=0)] = 10
    fine_tune_epochs: Annotated[int, Field(ge=0)] = 10
    fine_tune_layers: Annotated[int, Field(ge=0)] = 30
    fine_tune_learning_rate: Annotated[float, Field(ge=1e-8, le=1.0)] = 0.0001
    patience: Annotated[int, Field(ge=1)] = 4


class BuilderFamily(Fitting):
    """A network of the user's own on an array input (the mels), named by its builder's import path
    (``builder: mypackage.nets:small_cnn``): a function ``(input_shape, n_labels, **settings) ->
    keras.Model``. Trained like ``cnn`` (early stopping on the validation fold, dvclive curves, optional
    SpecAugment ``masks`` in front); its other settings are the builder's keyword arguments, each
    one value (a network chooses only its epoch on validation data), checked against the builder's
    parameters when it is built (:func:`musicgenre.deep.own_network`)."""

    model_config = ConfigDict(extra="allow", strict=True)
    input: str  # no default: dvc.yaml's train@ and evaluate@ read it from params.yaml (data/inputs/<input>)
    builder: str
    masks: Masks | None = None  # SpecAugment in front of the network while training; none: no masking
    epochs: Annotated[int, Field(ge=1)] = 40
    patience: Annotated[int, Field(ge=1)] = 6


#: The families of the user's own, by the setting that names their model (any family name may hold one).
OWN_FAMILIES = {"estimator": EstimatorFamily, "builder": BuilderFamily}
#: The model families, each with its settings. A family missing from ``models`` is not trained.
FAMILIES = {"knn": Knn, "rf": Rf, "mlp": Mlp, "musicnn": Musicnn, "fusion": Fusion, "cnn": Cnn, "transfer": Transfer}


class Params(Section):
    model_config = ConfigDict(extra="allow", strict=True)  # the sections of representations a user adds
    seed: Annotated[int, Field(ge=0)] = 42
    dataset: Dataset = Dataset()
    budget: Budget = Budget()
    compute: Compute = Compute()
    clean: Clean = Clean()
    chunks: Chunks = Chunks()
    representations: dict[str, str] = {"features": "musicgenre/dsp/features.py", "mels": "musicgenre/dsp/mels.py",
                                       "embeddings": "musicgenre/dsp/embeddings.py"}
    hear: dict[str, Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*$")]] = {}  # name → HEAR module (import path)
    features: Features = Features()
    mels: Mels = Mels()
    embeddings: Embeddings = Embeddings()
    split: Split = Split()
    train: Train = Train()
    lengths: Lengths = Lengths()
    leakage: Leakage = Leakage()
    review: Review = Review()
    models: dict[str, dict] = {}


#: Settings an earlier params.yaml had elsewhere: old place → new place.
MOVED = {"features.sample_rate": "chunks.sample_rate", "features.chunk_seconds": "chunks.seconds"}


def checked(params):
    """``params`` (parsed ``params.yaml``) checked against the schema, every missing setting filled
    with its default; the first problem stops with a message naming its key."""
    if not isinstance(params, dict):
        raise MusicgenreError(f"params.yaml must be a mapping of sections, got {type(params).__name__}")
    for old, new in MOVED.items():
        section, key = old.split(".")
        if key in (params.get(section) or {}):
            raise MusicgenreError(f"params.yaml: {old} has moved to {new} (the chunk grid of every input has its "
                                  f"own section, chunks:); move the value there")
    for name, settings in (params.get("models") or {}).items():
        value = settings.get("input") if isinstance(settings, dict) else None
        if isinstance(value, str) and value.startswith("data/inputs"):
            now = (value.split("/") + ["tables"])[2]  # data/inputs alone was the fusion's: every table
            raise MusicgenreError(f"params.yaml: models.{name}.input names a representation now, not a path: "
                                  f"input: {now} (train@{name} then depends on data/inputs/{now})")
    result = _validated(Params, params, "")
    chunk = result["chunks"]["seconds"]
    short = [seconds for seconds in result["lengths"]["seconds"] if seconds < chunk]
    if short:
        raise MusicgenreError(f"params.yaml: lengths.seconds has {short[0]:g}, shorter than one chunk (chunks.seconds: "
                              f"{chunk:g}); selection scores a length by whole chunks, so it could not score this one "
                              f"as the test does. Give lengths of {chunk:g} s or more (predict still classifies a "
                              "shorter file, zero-padded to one chunk)")
    both = sorted(set(result["hear"]) & ({*result["representations"], "tables"} | set(Params.model_fields)))
    if both:
        raise MusicgenreError(f"params.yaml: hear.{both[0]} takes a name that is already a representation's or a "
                              "section's; give the HEAR module a name of its own")
    from .estimators import check_hear

    for name, module in result["hear"].items():
        check_hear(module, f"hear.{name}")
        result[name] = _validated(HearSection, result.get(name) or {}, f"{name}.")
    for name in sorted(set(result) - set(Params.model_fields) - set(result["hear"])):
        if name not in result["representations"]:
            raise MusicgenreError(f"params.yaml: unknown section {name!r}; a representation's section is named "
                                  "under representations or hear, and the others are: "
                                  + ", ".join(Params.model_fields))
        result[name] = _validated(Representation, result[name], f"{name}.")
    models = result["models"] or {}
    unknown = sorted(name for name, settings in models.items() if family_schema(name, settings) is None)
    if unknown:
        raise MusicgenreError(f"params.yaml: models.{unknown[0]} is not a model family; the families are: "
                              + ", ".join(FAMILIES) + "; or make it your own with estimator: the import path of a "
                              "scikit-learn classifier, or builder: the import path of a function making a Keras "
                              "network (docs/models.md, Your own model)")
    result["models"] = {name: family(name, settings) for name, settings in models.items()}
    return result


def family_schema(name, settings):
    """The schema of ``models.<name>``: a built-in family's, or :class:`EstimatorFamily` for one of
    the user's own (settings naming an ``estimator``); ``None`` for neither."""
    if name in FAMILIES:
        return FAMILIES[name]
    own = [key for key in OWN_FAMILIES if key in (settings if isinstance(settings, dict) else {})]
    if len(own) > 1:
        raise MusicgenreError(f"params.yaml: models.{name} names both an estimator and a builder; a family is one "
                              "or the other (a scikit-learn classifier on a table, or a Keras network on the mels)")
    return OWN_FAMILIES[own[0]] if own else None


def searchable(name, settings):
    """Whether ``models.<name>``'s settings may list values to try: the families on tables, the
    user's own estimators among them."""
    return name in SEARCHABLE or family_schema(name, settings) is EstimatorFamily


def family(name, settings, key=None):
    """One family's settings (``models.<name>``, or ``key``) checked, with their defaults.

    A setting given as a list of values (a list of lists for a setting that is itself a list, like
    ``hidden_layer_sizes``) is *searched* (:func:`search_space`): every value is checked like a
    fixed one, and the list stays in place for :func:`musicgenre.selection.candidates`."""
    prefix = key or f"models.{name}"
    settings = settings or {}
    if "search" in settings and searchable(name, settings):
        raise MusicgenreError(
            f"params.yaml: {prefix}.search is not read any more: a setting holds the values to try in its own "
            f"place (n_neighbors: [5, 9, 14] tries each on validation data; n_neighbors: 7 is used as is), so "
            f"no value can be both fixed and searched. Move each entry of {prefix}.search to its setting")
    space = search_space(name, settings, prefix)
    if space and not searchable(name, settings):
        dotted = next(iter(space))
        raise MusicgenreError(f"params.yaml: {prefix}.{dotted} lists values to try ({space[dotted]}), but "
                              f"{name} chooses only its epoch on validation data (early stopping): give one value")
    first = assigned(settings, {dotted: values[0] for dotted, values in space.items()})
    schema = family_schema(name, settings)
    checked = _validated(schema, first, f"{prefix}.")
    if schema is EstimatorFamily:  # its own settings are its estimator's, which only it can check
        from .estimators import check_family

        check_family(checked, prefix)
    if schema is BuilderFamily:  # found, not imported: importing a network's module imports Keras
        from .estimators import check_builder

        check_builder(checked["builder"], prefix)
    for dotted, values in space.items():
        for value in values[1:]:  # a value to try is checked like a fixed one
            _validated(schema, assigned(first, {dotted: value}), f"{prefix}.")
    return assigned(checked, space)


def search_space(name, settings, prefix=None):
    """``{dotted setting: [values to try]}`` of a family's settings, in their order: every setting
    given as a list where one value is expected, or as a list of lists where the setting is itself
    a list (a fusion member's settings are reached as ``members.<member>.<setting>``). A setting the
    schema does not declare (another scikit-learn setting) is searched when it is a list."""
    prefix = prefix or f"models.{name}"
    schema = family_schema(name, settings)
    if schema is BuilderFamily:  # a builder's own settings are its keyword arguments, a list among them one value
        settings = {key: value for key, value in settings.items() if key in schema.model_fields}
    space = _grid((schema,), settings, "", prefix)
    members = settings.get("members") if name == "fusion" else None
    for member, values in (members or {}).items() if isinstance(members, dict) else ():
        if isinstance(values, dict):
            kind = values.get("classifier")
            own = {"knn": Knn, "rf": Rf, "mlp": Mlp}.get(kind if isinstance(kind, str) else None, TableMember)
            models = (LightMember,) if kind in EMBEDDING_CLASSIFIERS else (TableMember, own)
            space.update(_grid(models, values, f"members.{member}.", f"{prefix}.members.{member}",
                               fixed=("classifier",)))  # a member's kind picks its schema
    return space


def _grid(models, settings, path, prefix, fixed=("input", "members")):
    """The searched settings of one section, whose types the first of ``models`` declaring them
    gives; ``fixed`` ones take one value (the schema checks it)."""
    space = {}
    for key, value in settings.items():
        field = next((model.model_fields[key] for model in models if key in model.model_fields), None)
        if key in fixed or not isinstance(value, list):
            continue
        if field is not None and _is_list(field.annotation) and not (value and all(isinstance(v, list) for v in value)):
            continue  # a fixed list, like hidden_layer_sizes: [500, 500, 300] (the schema checks an empty one)
        if not value:
            raise MusicgenreError(f"params.yaml: {prefix}.{key} is an empty list; give one value, or the values "
                                  "to try")
        space[path + key] = value
    return space


def _is_list(annotation):
    """Whether a setting's declared type is a list (under ``Annotated`` and ``| None``)."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return typing.get_origin(annotation) is list or annotation is list


def assigned(settings, values):
    """A deep copy of ``settings`` with each dotted setting of ``values`` set."""
    result = copy.deepcopy(settings)
    for dotted, value in values.items():
        *path, last = dotted.split(".")
        node = result
        for key in path:
            node = node[key]
        node[last] = value
    return result


def defaults(model):
    """``{setting: default}`` of a schema model (nested sections as dicts); required settings left out."""
    found = {}
    for name, field in model.model_fields.items():
        if not field.is_required():
            value = field.get_default(call_default_factory=True)
            found[name] = value.model_dump() if isinstance(value, BaseModel) else value
    return found


def _validated(model, values, prefix):
    try:
        return model.model_validate(values).model_dump(warnings=False)  # a grid default is a list (search_space)
    except ValidationError as err:
        raise MusicgenreError(_message(err.errors(include_url=False)[0], prefix)) from None


KINDS = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false", "string_type": "text",
         "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping", "int_from_float": "an integer"}


def _message(error, prefix):
    """One pydantic error as ``params.yaml: <key> ...``."""
    loc = error["loc"]
    parts = [part for k, part in enumerate(loc) if not str(part).startswith(("function-", "tagged-union"))
             and not (k >= 2 and loc[k - 2] == "members" and part in EMBEDDING_CLASSIFIERS + TABLE_CLASSIFIERS)]
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        parts.append("classifier")

    def key(parts):
        dotted = prefix.rstrip(".")
        for part in parts:
            dotted += f"[{part}]" if isinstance(part, int) else f".{part}"
        return dotted.lstrip(".")

    value, kind, ctx = error.get("input"), error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return f"params.yaml: {key(parts[:-1])} has unknown setting(s) [{parts[-1]!r}]"
    if kind == "missing":
        return f"params.yaml: {key(parts)} is missing"
    if kind == "literal_error":
        return f"params.yaml: {key(parts)} is {value!r}; expected one of: {ctx['expected'].replace(chr(39), '').replace(' or ', ', ')}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return (f"params.yaml: {key(parts)} is {ctx.get('tag')!r}; expected one of: "
                f"{ctx.get('expected_tags', '').replace(chr(39), '')}")
    if kind in KINDS:
        return f"params.yaml: {key(parts)} must be {KINDS[kind]}, got {value!r}"
    if kind == "string_pattern_mismatch":  # the one pattern: an import path
        return f"params.yaml: {key(parts)} is {value!r}; expected a module's import path, like hear21passt.base"
    if kind == "too_short":
        return f"params.yaml: {key(parts)} is empty; it needs at least {ctx['min_length']} entry"
    bound = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}.get(kind)
    if bound:
        return f"params.yaml: {key(parts)} is {value!r}; it must be {bound} {next(iter(ctx.values()))}"
    return f"params.yaml: {key(parts)} is {value!r}; {error['msg'].removeprefix('Value error, ')}"
