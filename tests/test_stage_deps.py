"""Every project module a DVC stage imports is one of its declared deps, so ``dvc repro`` reruns a
stage whenever code it runs has changed (and ``dvc status`` never calls stale metrics up to date).

The import closure is read from the source (``ast``): every ``import`` and ``from ... import`` of
a stage's module, at module level or inside a function, followed through ``stages/`` and
``musicgenre/`` (a package's ``__init__`` included). A file is covered when a declared dep is the
file or a folder above it. What a stage imports but cannot change its outputs is in
:data:`NOT_OUTPUTS`, each with its reason.
"""

import ast
import fnmatch
import re
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT, committed_params_text

PACKAGES = ("musicgenre", "stages")
REPRESENTATIONS = "musicgenre/representations"
#: The libraries behind the representations' per-clip work. ``represent@<name>``, ``evaluate@<family>``
#: (the test clips' excerpts, as ``predict`` computes them) and ``predict`` run them: the other stages
#: after it read ``data/inputs/<name>``, a declared dep that changes when they do, so a change to them
#: reruns those stages through their data.
DSP = "musicgenre/dsp/*"

#: (stages, files) → why importing those files cannot change those stages' outputs. Patterns as in
#: fnmatch, several separated by spaces; ``<other>`` is every representation module but the stage's own.
#: An excused file's own imports are not followed.
NOT_OUTPUTS = {
    ("*", "musicgenre/errors.py"): "error messages and exit codes, never a result",
    ("*", "musicgenre/jit.py"): "numba's compile cache, warmed before work: the results are the same either way",
    ("*", "musicgenre/estimators.py"): "checks that a family of the user's own names a classifier and settings it "
                                       "has; the classifier is built by models.py (declared where it runs)",
    ("*", "musicgenre/files.py"): "writes an output under a temporary name and renames it into place: where and "
                                  "when, never what it holds",
    ("represent@*", "<other>"): "the package imports every representation to find it by name; represent@<name> "
                                "runs only its own module (declared)",
    ("represent@* hear@*", "musicgenre/representations/combined.py"): "the table inputs side by side, joined from "
                                                               "the others' outputs by the combine stage",
    ("represent@*", "musicgenre/representations/hear.py"): "the HEAR modules' representation, which hear@<name> "
                                                           "runs (declared there)",
    ("hear@*", "<other>"): "the package imports every representation to find it by name; hear@<name> runs "
                           "representations/hear.py only (declared)",
    ("leakage out_of_fold@*", "musicgenre/streams.py"): "writes a representation's output as it comes, and "
        "reads the mels by rows for the networks (declared by the stages that do); these stages read tables",
    ("train@* leakage split out_of_fold@* combine", DSP): "per-clip audio work of represent@<name>; these stages read its "
                                    "output data/inputs/<name> (declared), which it changes",
}


def module_file(name):
    """The project file of a dotted module name, or None when it is not a project module."""
    if name.split(".")[0] not in PACKAGES:
        return None
    base = PROJECT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(PROJECT).as_posix()
    return None


def imported_modules(path):
    """Dotted names of every module ``path`` imports (anywhere in it), parents included."""
    rel = Path(path)
    package = ".".join(rel.with_suffix("").parts[:-1] if rel.name != "__init__.py" else rel.parent.parts)
    names = set()
    for node in ast.walk(ast.parse((PROJECT / path).read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}  # a submodule, when it is one
    with_parents = set()
    for name in names:
        parts = name.split(".")
        with_parents |= {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
    return with_parents


def closure(module, skip=lambda file: False):
    """Project files that running ``python -m <module>`` imports, not following into ``skip``ped files."""
    seen, todo = set(), [module_file(module)]
    while todo:
        file = todo.pop()
        if file in seen or skip(file):
            continue
        seen.add(file)
        found = [module_file(name) for name in imported_modules(file)]
        if file == f"{REPRESENTATIONS}/__init__.py":  # it imports every module of its package by name
            found += [p.relative_to(PROJECT).as_posix() for p in (PROJECT / REPRESENTATIONS).glob("*.py")]
        todo += [f for f in found if f]
    return seen


def excused(stage, file):
    """Whether :data:`NOT_OUTPUTS` excuses ``file`` for ``stage``."""
    own = f"{REPRESENTATIONS}/{stage.split('@')[1]}.py" if stage.startswith("represent@") else None
    other = file != own and file.startswith(REPRESENTATIONS + "/") and "REPRESENTATION = " in (PROJECT / file).read_text()
    for (stages, files), _reason in NOT_OUTPUTS.items():
        if any(fnmatch.fnmatch(stage, s) for s in stages.split()) and any(
                other if f == "<other>" else fnmatch.fnmatch(file, f) for f in files.split()):
            return True
    return False


def stages():
    """``{stage: (module, deps)}`` with foreach stages expanded over params.yaml, as DVC does (and
    ``hear@example``, the stage of a HEAR module: the shipped params list none)."""
    params = yaml.safe_load(committed_params_text())
    params["hear"] = params.get("hear") or {"example": "hear_module"}
    pipeline = yaml.safe_load((PROJECT / "dvc.yaml").read_text())["stages"]
    expanded = {}
    for name, stage in pipeline.items():
        if "foreach" not in stage:
            expanded[name] = stage
            continue
        items = params
        for key in stage["foreach"].strip("${} ").split("."):
            items = items[key]
        for key, item in (items.items() if isinstance(items, dict) else zip(items, items)):
            text = yaml.safe_dump(stage["do"]).replace("${key}", key)
            text = re.sub(r"\$\{item(?:\.(\w+))?\}", lambda m: str(item[m.group(1)] if m.group(1) else item), text)
            expanded[f"{name}@{key}"] = yaml.safe_load(text)
    return {name: (re.match(r"python -m ([\w.]+)", stage["cmd"]).group(1), [str(d).rstrip("/") for d in stage["deps"]])
            for name, stage in expanded.items()}


def covered(file, deps):
    return any(file == dep or file.startswith(dep + "/") for dep in deps)


@pytest.mark.parametrize("stage", sorted(stages()))
def test_every_imported_module_is_a_declared_dep(stage):
    module, deps = stages()[stage]
    missing = sorted(f for f in closure(module, lambda file: excused(stage, file)) if not covered(f, deps))
    assert not missing, (f"dvc.yaml: stage {stage} runs {module}, which imports {missing}, not among its deps; "
                         "add them to its deps (or, if they cannot change its outputs, to NOT_OUTPUTS here, with why)")


def test_the_closure_follows_imports_inside_functions():
    found = closure("stages.represent")
    assert "musicgenre/dsp/features.py" in found  # imported inside Descriptors.per_clip only
    assert "musicgenre/audio.py" in found and "musicgenre/representations/base.py" in found
    assert "musicgenre/splits.py" not in found


def test_combine_reads_every_table_and_a_family_its_input():
    """``tables`` joins every table representation, so the combine stage depends on each one's folder;
    a family's train@ and evaluate@ depend on the folder of the representation its input names."""
    from musicgenre.representations import REPRESENTATIONS, TABLES

    found = stages()
    assert {d for d in found["combine"][1] if d.startswith("data/")} == {REPRESENTATIONS[t].output for t in TABLES}
    assert REPRESENTATIONS["tables"].output == "data/inputs/tables"
    for family, settings in yaml.safe_load(committed_params_text())["models"].items():
        for stage in (f"train@{family}", f"evaluate@{family}"):
            inputs = [d for d in found[stage][1] if d.startswith("data/inputs")]
            assert inputs == [REPRESENTATIONS[settings["input"]].output], stage
