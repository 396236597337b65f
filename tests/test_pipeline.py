"""End to end: the real DVC pipeline in a temporary git repository, on a tiny demo set."""

import csv
import io
import json
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

from conftest import PROJECT, committed_params_text
from musicgenre.api import SyntheticModelWarning, default_family, load_model
from musicgenre.cli import set_param
from musicgenre.datasets.layout import audio_path
from musicgenre.files import PARTIAL

pytestmark = pytest.mark.slow

TINY = {
    "dataset.synthetic.artists_per_genre": 2,
    "dataset.synthetic.clips_per_artist": 3,
    "dataset.synthetic.clip_seconds": 6.5,
    "dataset.synthetic.duplicates": 2,
    "dataset.synthetic.mislabels": 2,
    "split.folds": 3,  # fusion's cross-validation: one fold held out, two for its out-of-fold meta-learner
    "models.rf.n_estimators": 25,
    "models.mlp.hidden_layer_sizes": [32, 16],
    "models.mlp.max_iter": 60,
    "models.cnn.filters": [8, 16],
    "models.cnn.epochs": 3,
    "embeddings.n_jobs": 1,
    # one fusion candidate: each fits many models (its members' out-of-fold probabilities), in train@fusion and
    # again in out_of_fold@fusion; the review's folds as few as the split's. (knn searches its sub-clips here.)
    "models.fusion.members.early.C": 1.0,
    "models.fusion.members.early.sub_clips": 0,
    "models.fusion.members.musicnn.sub_clips": 0,
    "review.folds": 3,
}
FAMILIES = {"knn", "rf", "mlp", "musicnn", "fusion", "cnn"}  # transfer ships commented out (tests/test_deep.py)


#: A new representation, as a user would add one: the RMS loudness of a few equal parts of each chunk.
LOUDNESS = '''"""RMS loudness per chunk, in ``loudness.bands`` equal parts of it (a user's new representation)."""

import functools

import numpy as np
import pandas as pd

from ..audio import load_chunked
from ..params import chunk_grid, section
from .base import Representation

TABLE = "data/inputs/loudness/chunks.parquet"


def rms(chunk, bands):
    return np.array([np.sqrt(np.mean(part ** 2)) for part in np.array_split(chunk, bands)])


def loudness(y, parts, bands):
    return [rms(y[part], bands) for part in parts]


def clip_loudness(path, sample_rate, chunk_seconds, bands):
    return loudness(*load_chunked(path, sample_rate, chunk_seconds), bands)


class Loudness(Representation):
    name, tabular = "loudness", True

    def per_clip(self, params):
        sample_rate, chunk_seconds = chunk_grid(params)
        return functools.partial(clip_loudness, sample_rate=sample_rate, chunk_seconds=chunk_seconds,
                                 bands=section(params, "loudness.bands"))

    def write(self, files, results, params):
        rows = [{"file": file, "chunk": k, **{f"rms{b}": value for b, value in enumerate(vector)}}
                for file, vectors in zip(files, results) for k, vector in enumerate(vectors)]
        pd.DataFrame(rows).to_parquet(TABLE, index=False)
        return f"{len(rows)} chunks"

    def read(self):
        return pd.read_parquet(TABLE)

    def columns(self, params):
        return [c for c in pd.read_parquet(TABLE).columns if c.startswith("rms")]

    def config(self, params):
        return {"bands": section(params, "loudness.bands")}

    def chunks(self, config, y, parts):
        return loudness(y, parts, config["bands"])


REPRESENTATION = Loudness()
'''


def run(args, cwd, env, check=True):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def stages_run(output):
    return set(re.findall(r"Running stage '([^']+)'", output))


#: Where each stage is stopped hard: what it prints, or the output it has made, in the middle of its work.
STOPS = {"represent@features": {"said": r"features:\s+[1-9]\d%"},  # its progress bar, between 10% and 99%
         "train@rf": {"said": r"train@rf: chose"},  # chosen on validation; cross-validation and the fit to come
         "train@cnn": {"said": r"Epoch 2/"},
         "review": {"made": "data/review/suspects.csv"}}  # its first output; the metrics and the page to come


def rerun_on_a_full_disk(root, env, limit):
    """A write that finds no room (here: a file-size limit below the rf bundle's size) stops train@rf with
    a message; nothing else changed (once there is room, the caller's rerun makes the same bundle)."""
    bundle = root / "data" / "models" / "rf" / "model.bundle"
    full = subprocess.run([sys.executable, "-m", "dvc", "repro", "--force", "--single-item", "train@rf"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=900,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert full.returncode != 0 and "Traceback" not in full.stderr
    assert (f"error: cannot write {os.path.join('data', 'models', 'rf', 'model.bundle')}: the file is larger than "
            "this process may write") in full.stderr and "Raise the limit (ulimit -f unlimited), then rerun dvc repro" \
        in full.stderr, full.stderr
    assert not bundle.exists() and not list(bundle.parent.glob(f"*{PARTIAL}*"))
    changed = json.loads(run([sys.executable, "-m", "dvc", "status", "--json"], root, env).stdout)
    assert "train@rf" in changed and not {"represent@features", "combine", "split", "train@knn"} & set(changed)


def stop_hard(root, env, stage, said=None, made=None):
    """``dvc repro --force`` of ``stage`` alone, killed (SIGKILL: DVC, the stage and its workers, as
    an out-of-memory kill or a pulled plug would) the moment the stage prints ``said`` or makes
    ``made`` again (DVC removes a stage's outputs before it runs it)."""
    process = subprocess.Popen([sys.executable, "-m", "dvc", "repro", "--force", "--single-item", stage], cwd=root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    os.set_blocking(process.stdout.fileno(), False)
    output, removed, deadline = b"", False, time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        output += process.stdout.read() or b""
        removed = removed or bool(made and not (root / made).exists())
        if (said and re.search(said, output.decode(errors="replace"))) or (removed and (root / made).exists()):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.005)
    raise AssertionError(f"{stage} was not stopped in the middle: it ended first\n{output.decode()[-3000:]}")


def make_project(root, home, settings=TINY):
    """A fresh copy of the project (code and params, ``settings`` applied) in its own git repository
    at ``root``; returns the environment its commands run in (``HOME`` at ``home``)."""
    root.mkdir()
    for name in ("dvc.yaml", ".dvcignore", ".gitignore", "extra_faults.csv"):
        shutil.copy(PROJECT / name, root / name)
    (root / "params.yaml").write_text(committed_params_text())
    for name in ("stages", "musicgenre"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".dvc").mkdir()
    shutil.copy(PROJECT / ".dvc" / "config", root / ".dvc" / "config")
    for key, value in settings.items():
        set_param(root / "params.yaml", key, value)
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAGGLE")}
    env.update(HOME=str(home), PYTHONPATH=str(root), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    run(["git", "init", "-q"], root, env)
    run(["git", "add", "-A"], root, env)
    run(["git", "commit", "-qm", "project"], root, env)
    return env


@pytest.fixture
def repo(tmp_path):
    """A fresh copy of the project, tiny settings, in its own git repository."""
    root = tmp_path / "project"
    return root, make_project(root, tmp_path / "home")


def tuning_commands():
    """``[(argv, stages its comment says it reruns)]`` of the README's "Tuning and comparing" block."""
    readme = (PROJECT / "README.md").read_text()
    block = readme.split("## Tuning and comparing\n\n```bash\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        if line.startswith("dvc exp run"):
            command, comment = line.split("#", 1)
            claimed = comment.split("reruns", 1)[1]
            commands.append((shlex.split(command), {stage.strip() for stage in claimed.split(",")}))
    return commands


def run_the_readmes_tuning_commands(root, env):
    """Each ``dvc exp run`` of the README reruns the stages it names and changes what they make;
    ``dvc exp show --only-changed`` then tells the experiments apart by their trained settings."""
    commands = tuning_commands()
    assert len(commands) >= 4 and any("models.knn.n_neighbors=7" in argv for argv, _ in commands)
    for argv, claimed in commands:
        made = [root / "data" / "models" / stage.split("@")[1] / "model.bundle" for stage in claimed
                if stage.startswith("train@")] + ([root / "metrics" / "leakage.json"] if "leakage" in claimed else [])
        before = [path.read_bytes() for path in made]
        ran = run([sys.executable, "-m", *argv], root, env)
        assert stages_run(ran.stdout) == claimed, (argv, stages_run(ran.stdout))
        assert all(path.read_bytes() != old for path, old in zip(made, before, strict=True)), argv
    knn = json.loads((root / "metrics" / "knn.json").read_text())
    assert knn["settings"]["n_neighbors"] == 7 and "n_neighbors" not in knn["selection"]["chosen"]
    musicnn = json.loads((root / "metrics" / "musicnn.json").read_text())
    assert [c["C"] for c in musicnn["selection"]["candidates"] if c["clip_rule"] == "vote"] == [3.0, 30.0]
    assert musicnn["settings"]["C"] == musicnn["selection"]["chosen"]["C"]
    shown = run([sys.executable, "-m", "dvc", "exp", "show", "--only-changed", "--csv"], root, env).stdout
    rows = list(csv.DictReader(io.StringIO(shown)))
    assert {"settings.n_neighbors", "settings.C", "selection.chosen.C", "settings.meta_C"} <= set(rows[0])
    chosen = {float(v) for v in (row["selection.chosen.C"] for row in rows) if re.fullmatch(r"[\d.]+", v)}
    assert chosen & {0.1, 1.0, 10.0} and chosen & {3.0, 30.0}  # the shipped grid's choice, then the new one's


def predict_equals_evaluate(root, families):
    """``predict`` gives, from the audio alone, the clip probabilities ``evaluate`` gave, for each family
    of the demo (saying once that it learned from synthetic music). Through the API, in this process:
    the CLI prints what it returns (its own tests run it), and a process per family cost most of a minute."""
    for family in families:
        tested = pd.read_csv(root / "plots" / "confusion" / f"{family}.csv").iloc[:3]
        model = load_model(family, project=root)
        with pytest.warns(SyntheticModelWarning, match=f"the {family} model learned only from the synthetic demo set"):
            results = [model.classify(audio_path(root / "data" / "raw", file)) for file in tested["file"]]
        for (_, row), result in zip(tested.iterrows(), results, strict=True):
            assert result.chunks == 2  # 6.5 s clips: two chunks and a remainder
            gaps = [abs(p - row[f"p_{genre}"]) for genre, p in result.probabilities.items()]
            assert len(gaps) == 10 and max(gaps) <= 5.1e-5, (family, row["file"], gaps)  # 4 places; evaluate's 6


#: The issue's family of one's own (docs/models.md, Your own model), max_iter cut for the tiny set; and a
#: linear SVM (no predict_proba: calibrated on held-out artists) on a HEAR module's embedding
OWN = {"hgb": {"input": "features", "estimator": "sklearn.ensemble.HistGradientBoostingClassifier",
               "learning_rate": [0.05, 0.1], "max_iter": 30, "clip_rule": ["vote", "pool"], "sub_clips": 0},
       "lsvc": {"input": "toy", "estimator": "sklearn.svm.LinearSVC", "clip_rule": "pool", "sub_clips": 0}}


def run_ones_own_models(root, env, built_in):
    """Models of one's own from params.yaml alone: a scikit-learn classifier searched like ours, a HEAR
    module in the project folder as a representation with a family on it; in every table the built-in
    families are in, with predict = evaluate, and tuned by dvc exp run -S. No built-in family reruns."""
    shutil.copy(PROJECT / "tests" / "hear_toy.py", root / "hear_toy.py")
    set_param(root / "params.yaml", "hear", {"toy": "hear_toy"})
    set_param(root / "params.yaml", "toy", {"embedding": "timestamp"})
    for family, settings in OWN.items():
        set_param(root / "params.yaml", f"models.{family}", settings)
    ran = stages_run(run([sys.executable, "-m", "dvc", "repro"], root, env).stdout)
    assert {"hear@toy", "train@hgb", "evaluate@hgb", "train@lsvc", "evaluate@lsvc", "compare"} <= ran
    assert not {f"{stage}@{f}" for f in built_in for stage in ("train", "evaluate")} & ran
    assert len(pd.read_parquet(root / "data" / "inputs" / "toy" / "chunks.parquet").columns) == 2 + 32
    hgb, lsvc = (json.loads((root / "metrics" / f"{f}.json").read_text()) for f in OWN)
    assert hgb["model"]["estimator"] == OWN["hgb"]["estimator"] and len(hgb["selection"]["candidates"]) == 4
    assert lsvc["model"]["embedding"].startswith("hear_toy timestamp") and lsvc["settings"]["input"] == "toy"
    families = set(built_in) | set(OWN)
    comparison = json.loads((root / "metrics" / "comparison.json").read_text())
    assert set(comparison["clip_accuracy"]) == set(comparison["clip_accuracy_by_length"]) == families
    table = run([sys.executable, "-m", "musicgenre", "summary"], root, env).stdout
    assert all(re.search(rf"^{f}\*? ", table, re.M) for f in families), table
    shown = run([sys.executable, "-m", "dvc", "metrics", "show", "--json"], root, env).stdout
    assert {f"metrics/{f}.json" for f in families} <= set(re.findall(r"metrics/\w+\.json", shown))
    predict_equals_evaluate(root, OWN)
    tuned = run([sys.executable, "-m", "dvc", "exp", "run", "-S", "models.hgb.learning_rate=0.1"], root, env)
    assert stages_run(tuned.stdout) == {"train@hgb", "evaluate@hgb", "compare"}
    hgb = json.loads((root / "metrics" / "hgb.json").read_text())
    assert hgb["settings"]["learning_rate"] == 0.1 and "learning_rate" not in hgb["selection"]["chosen"]


def test_default_source_without_credentials_stops_clearly(repo):
    root, env = repo
    result = run([sys.executable, "-m", "dvc", "repro"], root, env, check=False)
    assert result.returncode != 0
    assert "needs Kaggle credentials" in result.stderr and "make demo" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_demo_then_incremental_reruns(repo):
    root, env = repo
    demo = run([sys.executable, "-m", "musicgenre", "demo"], root, env)
    assert "metrics/<family>.json" in demo.stdout and "plots/images" in demo.stdout
    assert "demo pipeline (dvc repro): " in demo.stdout
    table = demo.stdout.split(" validation  trained on\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()  # its rows
    names = [line.split()[0] for line in table[:len(FAMILIES)]]
    assert all(re.search(r" synthetic, \d+ clips$", line) for line in table[:len(FAMILIES)]), table  # learned from
    assert {name.rstrip("*") for name in names} == FAMILIES and len([n for n in names if n.endswith("*")]) == 1
    starred = next(n for n in names if n.endswith("*")).rstrip("*")  # predict's default, chosen on validation
    assert table[-1].startswith(f"McNemar of {starred} (best validation score") and "(Holm " in table[-1]
    assert not (root / "metrics" / "transfer.json").exists()
    for family in FAMILIES:
        metrics = json.loads((root / "metrics" / f"{family}.json").read_text())
        assert metrics["split"] == "artist" and 0.0 <= metrics["clip"]["accuracy"] <= 1.0
        assert metrics["test_size"]["clips"] > 0 and len(metrics["per_genre_f1"]) == 10
        assert (root / "plots" / "images" / f"{family}_confusion.png").stat().st_size > 0
        by_length = metrics["clip_accuracy_by_length"]  # lengths.seconds [3, 10] on 6.5 s clips
        assert set(by_length) == {"3s", "10s", "whole"} and by_length["whole"]["accuracy"] == metrics["clip"]["accuracy"]
        assert by_length["3s"]["seconds"] == 3.0 and by_length["3s"]["excerpted"] == metrics["test_size"]["clips"]
        assert by_length["10s"]["excerpted"] == 0 and by_length["10s"]["seconds"] == by_length["whole"]["seconds"]
        assert by_length["3s"]["accuracy_ci95_low"] <= by_length["3s"]["accuracy"] <= by_length["3s"]["accuracy_ci95_high"]
    assert (root / "plots" / "images" / "comparison.png").exists()
    assert (root / "plots" / "images" / "accuracy_by_length.png").stat().st_size > 0
    comparison = json.loads((root / "metrics" / "comparison.json").read_text())
    assert set(comparison["clip_accuracy"]) == FAMILIES
    assert {f: set(lengths) for f, lengths in comparison["clip_accuracy_by_length"].items()} == {
        f: {"3s", "10s", "whole"} for f in FAMILIES}
    # the family chosen on validation (the first by name of equal scores) is tested against every other
    validation = {f: json.loads((root / "metrics" / f"{f}.json").read_text())["validation"]["score"] for f in FAMILIES}
    assert comparison["validation_score"] == validation
    assert comparison["chosen"] == min(FAMILIES, key=lambda f: (-validation[f], f)) == default_family(root) == starred
    tests = comparison["mcnemar_vs_chosen"]
    assert set(tests) == FAMILIES - {comparison["chosen"]}
    assert all(0.0 <= t["p_value"] <= t["p_holm"] <= 1.0 for t in tests.values())

    leakage = json.loads((root / "metrics" / "leakage.json").read_text())
    assert leakage["family"] == "mlp" and set(leakage["protocols"]) == {"random", "song", "artist_raw", "artist"}
    assert leakage["protocols"]["artist"]["inflation_vs_honest"] == 0.0
    assert leakage["protocols"]["artist"]["held_out_artists"] == leakage["protocols"]["artist_raw"]["held_out_artists"]
    assert (root / "plots" / "leakage.png").stat().st_size > 0

    review = json.loads((root / "metrics" / "review.json").read_text())  # 2 planted mislabels among 57 clips
    assert review["clips"] == 60 - 2 - 1 and set(review["families"]) == {"fusion", "knn"}
    assert review["listed_mislabels"]["mislabels"] == 2 and review["listed_mislabels"]["top"] == 4
    suspects = pd.read_csv(root / "data" / "review" / "suspects.csv", keep_default_na=False)
    assert len(suspects) == 57 and (suspects["flagged"].sum() == review["flagged"] > 0)
    assert (root / "plots" / "review.html").read_text().count("<audio") == review["flagged"]

    cleaning = json.loads((root / "metrics" / "cleaning.json").read_text())
    assert cleaning["dropped_duplicate"] == 2 and cleaning["relabelled"] == 2 and cleaning["unreadable"] == 1
    assert cleaning["usable"] == 60 - 2 - 1
    assert cleaning["detector"]["pairs"] == 2 and cleaning["detector"]["recall"] == 1.0
    assert cleaning["detector"]["precision"] == 1.0

    assert "MSD_musicnn" in json.loads((root / "metrics" / "musicnn.json").read_text())["model"]["embedding"]
    fusion = json.loads((root / "metrics" / "fusion.json").read_text())
    assert fusion["clip_rule"] == "fusion" and set(fusion["model"]["members"]) == {"early", "musicnn"}

    predict_equals_evaluate(root, FAMILIES)

    clip = next((root / "data" / "raw" / "audio" / "metal").glob("*.wav"))

    shown = run([sys.executable, "-m", "dvc", "metrics", "show", "--json"], root, env).stdout
    assert {f"metrics/{f}.json" for f in FAMILIES} <= set(re.findall(r"metrics/\w+\.json", shown))
    plots = run([sys.executable, "-m", "dvc", "plots", "show", "--json"], root, env)
    assert "data/models/cnn/live/plots/metrics/val_loss.tsv" in plots.stdout
    assert "plots/images/accuracy_by_length.png" in plots.stdout
    assert not json.loads(plots.stdout).get("errors") and "failed to load" not in plots.stderr

    again = run([sys.executable, "-m", "dvc", "repro"], root, env)
    assert stages_run(again.stdout) == set() and "up to date" in again.stdout

    knn = json.loads((root / "metrics" / "knn.json").read_text())
    assert set(knn["validation"]["by_rule"]) == {"vote", "pool"} and knn["selection"]["scored_on"].startswith("the mean")
    assert knn["validation"]["score"] == knn["selection"]["validation_score"]  # the score that chose its settings
    # 3 n_neighbors x (the vote, pooled without sub-clips and with 4): sub-clips are chosen on validation too
    assert len(knn["selection"]["candidates"]) == 9
    assert set(knn["selection"]["chosen"]) == {"n_neighbors", "clip_rule", "sub_clips"}
    assert knn["clip_rule"].split()[0] == knn["selection"]["chosen"]["clip_rule"]
    assert knn["settings"]["sub_clips"] == knn["selection"]["chosen"]["sub_clips"]
    assert knn["settings"]["n_neighbors"] == knn["selection"]["chosen"]["n_neighbors"] and knn["settings"]["p"] == 1

    # stopped hard in the middle, a stage leaves no half-written file where its outputs belong; run
    # again (forced: dvc repro alone would restore its outputs from the cache), it makes what the
    # uninterrupted run made, byte for byte: dvc status finds every output as dvc.lock recorded it
    status = [sys.executable, "-m", "dvc", "status", "--json"]
    bundle = root / "data" / "models" / "rf" / "model.bundle"
    limit = bundle.stat().st_size - 1  # every other file train@rf writes is smaller
    for stage, where in STOPS.items():
        for _ in range(3):  # a kill that lands only after the stage's last write stopped nothing: again
            stop_hard(root, env, stage, **where)
            if stage in json.loads(run(status, root, env).stdout):
                break
        else:
            raise AssertionError(f"{stage} was never stopped before its last output")
        if stage == "train@rf":
            rerun_on_a_full_disk(root, env, limit)
        run([sys.executable, "-m", "dvc", "repro", "--force", "--single-item", stage], root, env)
        assert json.loads(run(status, root, env).stdout) == {}, stage
    assert not [p for p in root.rglob(f"*{PARTIAL}*") if ".dvc" not in p.parts]  # the reruns cleared the leftovers

    run_the_readmes_tuning_commands(root, env)

    set_param(root / "params.yaml", "models.knn.n_neighbors", 3)
    set_param(root / "params.yaml", "models.knn.clip_rule", "pool")
    changed = run([sys.executable, "-m", "dvc", "repro"], root, env)
    # the README's last experiment moved the leakage study to knn, so knn's settings are its too
    assert stages_run(changed.stdout) == {"train@knn", "evaluate@knn", "compare", "leakage", "out_of_fold@knn", "review"}
    knn = json.loads((root / "metrics" / "knn.json").read_text())
    runs = "; trained on 4 sub-clips per clip too" if knn["settings"]["sub_clips"] else ""
    assert knn["clip_rule"] == f"pool (mean, std, max{runs})" and "chunk" not in knn
    assert knn["validation"]["clip_accuracy_mean"] == knn["validation"]["by_rule"]["pool"]
    said = run([sys.executable, "-m", "musicgenre", "predict", "--model", "knn", "--format", "json", str(clip)],
               root, env).stdout
    assert json.loads(said)["results"][0]["chunks"] == 2  # two chunks, pooled into one vector

    # a family's input is a choice: musicnn's SVM on the descriptors reruns that family alone
    set_param(root / "params.yaml", "models.musicnn.input", "features")
    changed = run([sys.executable, "-m", "dvc", "repro"], root, env)
    assert stages_run(changed.stdout) == {"train@musicnn", "evaluate@musicnn", "compare"}
    musicnn = json.loads((root / "metrics" / "musicnn.json").read_text())
    assert musicnn["settings"]["input"] == "features" and musicnn["model"] == {"classifier": "svm"}

    assert stages_run(run([sys.executable, "-m", "dvc", "repro"], root, env).stdout) == set()
    run_ones_own_models(root, env, FAMILIES)

    # editing a module flags every stage that imports it (tests/test_stage_deps.py keeps dvc.yaml true)
    trains, evaluates = {f"train@{f}" for f in FAMILIES}, {f"evaluate@{f}" for f in FAMILIES}
    for module, flagged in (("stats.py", evaluates | {"leakage", "compare"} | trains), ("evaluation.py", trains),
                            ("plots.py", evaluates), ("faults.py", {"split", "clean", "leakage"})):
        path = root / "musicgenre" / module
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        changed = set(json.loads(run([sys.executable, "-m", "dvc", "status", "--json"], root, env).stdout))
        path.write_text(original)
        assert flagged <= changed, (module, flagged - changed)

    # each representation has its own module: editing the mels' one leaves the other inputs' stages alone
    module = root / "musicgenre" / "representations" / "mels.py"
    original = module.read_text()
    module.write_text(original + "\n# edited\n")
    status = run([sys.executable, "-m", "dvc", "status", "--json"], root, env).stdout
    changed = set(json.loads(status))
    assert "represent@mels" in changed
    assert {"represent@features", "represent@embeddings", "download", "clean", "split"}.isdisjoint(changed)
    module.write_text(original)

    # adding a representation is one module plus params.yaml, and a family can read it at once; for
    # the fusion's members, one more line: its folder among the deps of combine, which joins the tables
    (root / "musicgenre" / "representations" / "loudness.py").write_text(LOUDNESS)
    set_param(root / "params.yaml", "representations.loudness", "musicgenre/representations/loudness.py")
    set_param(root / "params.yaml", "loudness", {"bands": 4, "n_jobs": 1})
    set_param(root / "params.yaml", "models.fusion.members.early.inputs", ["loudness", "features"])
    failed = run([sys.executable, "-m", "dvc", "repro", "combine"], root, env, check=False)
    assert failed.returncode != 0 and "combine: data/inputs/loudness is missing" in failed.stderr
    pipeline = (root / "dvc.yaml").read_text()
    (root / "dvc.yaml").write_text(pipeline.replace("      - data/inputs/features\n    outs:\n      - data/inputs/tables",
                                                    "      - data/inputs/features\n      - data/inputs/loudness\n"
                                                    "    outs:\n      - data/inputs/tables"))
    ran = stages_run(run([sys.executable, "-m", "dvc", "repro", "evaluate@fusion"], root, env).stdout)
    assert ran == {"represent@loudness", "combine", "train@fusion", "evaluate@fusion"}
    assert len(pd.read_parquet(root / "data" / "inputs" / "loudness" / "chunks.parquet").columns) == 2 + 4
    fusion = json.loads((root / "metrics" / "fusion.json").read_text())
    assert fusion["model"]["members"]["early"].startswith("logistic on loudness + features")
    said = json.loads(run([sys.executable, "-m", "musicgenre", "predict", "--model", "fusion", "--format", "json",
                           str(clip)], root, env).stdout)["results"][0]
    assert said["error"] is None and said["chunks"] == 2
    assert yaml.safe_load((root / "params.yaml").read_text())["dataset"]["source"] == "synthetic"


def test_own_collection_end_to_end(repo, tmp_path):
    """dataset.source: folder on a collection of 4 labels in 4 formats (a label with spaces and
    accents, one with a dot), artists in tags and metadata.csv, one corrupt file: every stage runs,
    and the metrics, plots and bundles speak the folder names."""
    from test_folder import LABELS, write_collection

    root, env = repo
    collection = tmp_path / "Meine Sammlung"
    write_collection(collection)
    set_param(root / "params.yaml", "dataset.source", "folder")
    set_param(root / "params.yaml", "dataset.local_path", str(collection))
    run(["git", "commit", "-qam", "my collection"], root, env)
    ran = run([sys.executable, "-m", "dvc", "repro"], root, env)
    said = next(line for line in ran.stdout.splitlines() if line.startswith("folder: "))
    assert "25 clips" in said and "1 unreadable" in said and "4 labels" in said
    assert "1 files from metadata.csv, 23 from tags, 1 with none" in said

    manifest = pd.read_csv(root / "data" / "clean" / "manifest.csv")
    assert set(manifest.loc[manifest["status"] == "unreadable", "file"]) == {"metal.00000.mp3"}  # broken.mp3 sorts first
    assert manifest.loc[manifest["status"] != "unreadable", "artist"].str.endswith(tuple(
        f"artist{k}" for k in range(1, 4))).all()
    for family in FAMILIES:
        metrics = json.loads((root / "metrics" / f"{family}.json").read_text())
        assert set(metrics["per_genre_f1"]) == set(LABELS) and metrics["split"] == "artist"
        confusion = pd.read_csv(root / "plots" / "confusion" / f"{family}.csv")
        assert {f"p_{label}" for label in LABELS} <= set(confusion.columns)
    leakage = json.loads((root / "metrics" / "leakage.json").read_text())
    assert set(leakage["protocols"]) == {"random", "song", "artist_raw", "artist"}

    # predict gives the test clips' probabilities evaluate gave, for every family: on a file shorter
    # than one chunk (padded, as the stages pad it) and one with a remainder, in the collection's formats
    durations = pd.read_csv(root / "data" / "raw" / "manifest.csv").set_index("file")["duration_s"]
    for family in FAMILIES:
        tested = pd.read_csv(root / "plots" / "confusion" / f"{family}.csv").set_index("file")
        short = next(f for f in tested.index if durations[f] < 3)
        longer = next(f for f in tested.index if durations[f] > 6)
        model = load_model(family, project=root)  # in this process, as predict_equals_evaluate
        said = [model.classify(audio_path(root / "data" / "raw", file)) for file in (short, longer)]
        assert [r.padded for r in said] == [True, False] and [r.chunks for r in said] == [1, 2]
        for file, result in zip((short, longer), said, strict=True):
            predicted = result.probabilities.to_dict()
            assert set(predicted) == set(LABELS)
            gaps = [abs(predicted[genre] - tested.loc[file, f"p_{genre}"]) for genre in predicted]
            assert max(gaps) <= 5.1e-5, (family, file, gaps)  # predict rounds to 4 places, evaluate to 6
