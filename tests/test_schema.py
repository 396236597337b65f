"""params.yaml and its schema: one default per setting, declared once, and clear errors."""

import ast

import pytest
import yaml

from conftest import PROJECT, commented_family, committed_params_text
from musicgenre.errors import MusicgenreError
from musicgenre.params import load_params
from musicgenre.schema import FAMILIES, Params, checked, defaults


def shipped():
    return yaml.safe_load(committed_params_text())


def disagreements(model, values, where):
    """Every setting whose schema default differs from the value ``values`` gives it (nested)."""
    found = []
    for name, default in defaults(model).items():
        if model is Params and name == "models":  # each family is compared with its own schema
            continue
        if name not in values:
            found.append(f"{where}{name}: not in params.yaml (the schema says {default!r})")
        elif isinstance(default, dict) and isinstance(values[name], dict) and default:
            found += [f"{where}{name}.{key}: params.yaml {values[name].get(key)!r}, schema {value!r}"
                      for key, value in default.items() if values[name].get(key) != value]
        elif values[name] != default:
            found.append(f"{where}{name}: params.yaml {values[name]!r}, schema {default!r}")
    return found


def test_every_default_is_the_value_params_yaml_ships():
    params = shipped()
    found = disagreements(Params, params, "")
    models = {**params["models"], "transfer": commented_family("transfer")}  # shipped commented out
    assert set(models) == set(FAMILIES)
    for name, settings in models.items():
        found += disagreements(FAMILIES[name], settings, f"models.{name}.")
    assert not found, "params.yaml and musicgenre/schema.py disagree:\n" + "\n".join(found)


def test_the_shipped_params_pass_and_read_back_unchanged():
    params = shipped()
    params["models"]["transfer"] = commented_family("transfer")
    assert as_given(params, checked(params))


def as_given(given, result):
    """Whether ``result`` holds every value ``given`` holds, unchanged (it may hold defaults beside)."""
    if isinstance(given, dict):
        return isinstance(result, dict) and all(k in result and as_given(v, result[k]) for k, v in given.items())
    return given == result


def test_a_setting_left_out_gets_the_schemas_default(tmp_path):
    params = shipped()
    del params["models"]["cnn"]["patience"], params["mels"]["n_mels"], params["dataset"]["synthetic"]
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    loaded = load_params(tmp_path / "params.yaml")
    assert loaded["models"]["cnn"]["patience"] == 6 and loaded["mels"]["n_mels"] == 128
    assert loaded["dataset"]["synthetic"]["clip_seconds"] == 9.0
    assert "transfer" not in loaded["models"]  # a family left out is not trained


@pytest.mark.parametrize("change, message", [
    ({"seed": "42"}, "seed must be an integer, got '42'"),
    ({"mels": {"n_mels": 4}}, "mels.n_mels is 4; it must be >= 8"),
    ({"chunks": {"seconds": 40.0}}, "chunks.seconds is 40.0; it must be <= 30.0"),
    ({"features": {"chunk_seconds": 3.0}}, "features.chunk_seconds has moved to chunks.seconds"),
    ({"models": {"knn": {"input": "data/inputs/features/chunks.parquet"}}},
     "models.knn.input names a representation now, not a path: input: features (train@knn then depends on "
     "data/inputs/features)"),
    ({"models": {"fusion": {"input": "data/inputs"}}}, "models.fusion.input names a representation now, not a path: "
                                                         "input: tables"),
    ({"clean": {"mislabel_policy": "fix"}}, "clean.mislabel_policy is 'fix'; expected one of: relabel, drop, keep"),
    ({"clean": {"detect_duplicates": False}}, "clean.detect_duplicates is False; expected one of: drop, report, skip"),
    ({"split": {"folds": 1}}, "split.folds is 1; it must be >= 2"),
    ({"split": {"strategy": "leaky"}}, "split.strategy is 'leaky'; expected one of: auto, fault_filtered"),
    ({"models": {"cnn": {"patience": 2.5}}}, "models.cnn.patience must be an integer, got 2.5"),
    ({"models": {"cnn": {"masks": {"time_masks": -1}}}}, "models.cnn.masks.time_masks is -1; it must be >= 0"),
    ({"models": {"cnn": {"epoch": 3}}}, "models.cnn has unknown setting(s) ['epoch']"),
    ({"models": {"cnn": {"search": {"epochs": [3]}}}}, "models.cnn has unknown setting(s) ['search']"),
    ({"models": {"knn": {"clip_rule": "average"}}}, "models.knn.clip_rule is 'average'; expected one of: vote, pool"),
    ({"models": {"rf": {"pool_stats": ["mean", "median"]}}}, "models.rf.pool_stats[1] is 'median'; expected one of"),
    ({"models": {"rf": {"pool_stats": ["mean", "mean"]}}}, "models.rf.pool_stats is ['mean', 'mean']; it names a"),
    ({"models": {"fusion": {}}}, "models.fusion.members is missing"),
    ({"models": {"fusion": {"members": {"x": {"inputs": [], "classifier": "svm"}}}}},
     "models.fusion.members.x.inputs is empty"),
    ({"models": {"svm": {}}}, "models.svm is not a model family; the families are: knn, rf, mlp"),
    ({"compute": {"scheduler": "h:8786"}}, "compute.scheduler is 'h:8786'; expected local, or the address"),
    ({"sound": {"bands": 3}}, "unknown section 'sound'"),
    ({"lengths": {"seconds": [2.0, 10.0]}}, "lengths.seconds has 2, shorter than one chunk (chunks.seconds: 3)"),
    ({"lengths": {"seconds": [5.0]}, "chunks": {"seconds": 6.0}}, "lengths.seconds has 5, shorter than one chunk"),
])
def test_a_bad_value_is_named_with_its_key(change, message):
    with pytest.raises(MusicgenreError, match="^params.yaml: " + message.replace("[", r"\[").replace("(", r"\(")
                       .replace(")", r"\)").replace("]", r"\]")):
        checked(change)


def test_a_users_representation_has_a_section_of_its_own():
    result = checked({"representations": {"loudness": "musicgenre/representations/loudness.py"},
                      "loudness": {"bands": 4}})
    assert result["loudness"] == {"bands": 4, "n_jobs": 1}


#: What the code calls the dicts that hold params.yaml's settings (a section, a family's settings, ...).
SETTINGS = ("params", "settings", "policy", "dataset", "member", "section(", "config", "mel")


def test_the_code_carries_no_second_default():
    """No ``x.get("<setting>", default)``, ``x.pop("<setting>", default)`` or ``setdefault`` of a
    setting the schema declares, anywhere in the library or the stages: the schema's is the one."""
    names = set()
    for model in (Params, *FAMILIES.values(), *[m for m in _all_models()]):
        names |= set(model.model_fields)
    found = []
    for path in sorted([*(PROJECT / "musicgenre").rglob("*.py"), *(PROJECT / "stages").glob("*.py")]):
        if path.name == "schema.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "pop", "setdefault") and len(node.args) == 2
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value in names
                    and any(word in ast.unparse(node.func.value) for word in SETTINGS)
                    and not (node.func.attr == "pop" and ast.unparse(node.args[1]) == "None")):
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "defaults outside musicgenre/schema.py:\n" + "\n".join(found)


def _all_models():
    from pydantic import BaseModel

    import musicgenre.schema as schema

    return [value for value in vars(schema).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel]
