"""Benchmark: sub-clips or none, at every length, on demo sets of 30 s clips over several seeds.

Does training on sub-clips (``sub_clips``: pooled random runs of each training clip's chunks too)
make a family hold on short files? A 3-chunk demo clip cannot tell, so for each seed (default 1, 2
and 3) this builds the demo set with 30 s clips (``dataset.synthetic.clip_seconds: 30``,
``seed: N``) in a copy of the committed project, and ``dvc repro`` computes what the families on
tables learn from (the split and the tables). Then, for every family on tables in ``params.yaml``,
it runs the family's own search (``train``'s, on validation data, by ``lengths.choose_by``) three
ways:

* ``sub_clips 0``: every ``sub_clips`` of the family (and of each fusion member) set to 0: the
  default before sub-clips were searched;
* ``sub_clips 4``: every ``sub_clips`` set to 4;
* ``shipped``: the committed values (``[0, 4]``: both tried, validation chooses).

For each it prints the validation score and what was chosen, and the **test** clip accuracy at
every length of ``lengths.seconds`` and whole, fitted on the whole training set. Excerpts here are
runs of the test clips' chunk rows (:func:`musicgenre.excerpts.chunk_runs`), not audio cut and
computed again as ``evaluate`` does, so that every variant costs one fit: the descriptors'
separated columns saw the whole clip, and the numbers can differ from ``metrics/<family>.json`` by
a few clips. Last, the mean and standard deviation over the seeds, and the gap of the shortest
length to whole clips.

    python benchmarks/clip_rules.py [--seeds 1 2 3] [--clip-seconds 30] [--families knn fusion ...]
                                    [--workdir DIR]      # keep the projects there, updated on the next run
    python benchmarks/clip_rules.py --project PATH      # one finished run instead (a real GTZAN run, say)
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from musicgenre.cli import set_param  # noqa: E402
from musicgenre.excerpts import WHOLE, chunk_runs, runs  # noqa: E402
from musicgenre.models import DEEP, family_input  # noqa: E402
from musicgenre.params import chunk_grid, load_params, section  # noqa: E402
from musicgenre.paths import SPLIT  # noqa: E402
from musicgenre.selection import candidates, validation_folds, validation_score  # noqa: E402
from musicgenre.splits import resolve_strategy  # noqa: E402
from musicgenre.training import choose, family_models, fold_scores  # noqa: E402

VARIANTS = ("sub_clips 0", "sub_clips 4", "shipped")
#: the stages whose outputs the families on tables read (combine: the tables side by side, after their own stages)
TABLE_STAGES = ("split", "combine")


def with_sub_clips(settings, value):
    """The family's settings with every ``sub_clips`` (its own, each fusion member's) set to ``value``."""
    settings = {**settings, **({"sub_clips": value} if "sub_clips" in settings else {})}
    if isinstance(settings.get("members"), dict):
        settings["members"] = {name: with_sub_clips(member, value) for name, member in settings["members"].items()}
    return settings


def variant(settings, name):
    return settings if name == "shipped" else with_sub_clips(settings, int(name.split()[-1]))


def demo_project(root, seed, seconds):
    """A copy of the committed project at ``root`` (made, or brought up to the committed code) with
    the demo set of ``seed`` and ``seconds``-long clips, the table stages run."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    if (root / ".git").exists():
        subprocess.run(["git", "checkout", "-q", "--", "params.yaml"], cwd=root, check=True)
        subprocess.run(["git", "pull", "-q", "--ff-only"], cwd=root, check=True)
    else:
        subprocess.run(["git", "clone", "-q", str(PROJECT), str(root)], check=True)
    for key, value in {"dataset.source": "synthetic", "seed": seed, "dataset.synthetic.clip_seconds": seconds}.items():
        set_param(root / "params.yaml", key, value)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dvc", "repro", *TABLE_STAGES], cwd=root, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"dvc repro in {root} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    print(f"seed {seed}: the demo set of {seconds:g} s clips and its tables in {root} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)


def test_scores(model, test, columns, lengths, seed):
    """Test clip accuracy of a fitted ``model`` at each length (chunk runs), then on whole clips."""
    scores = {key: fold_scores(-1, rows, model, rows[columns].to_numpy())["clip_accuracy"]
              for key, rows in ((key, chunk_runs(test, chunks, seed)) for key, chunks in lengths.items())}
    return {**scores, WHOLE: fold_scores(-1, test, model, test[columns].to_numpy())["clip_accuracy"]}


def measure(project, families):
    """``[row]``: each family and variant of the finished run in ``project``, measured."""
    with contextlib.chdir(project):
        params = load_params()
        seed, scaler = section(params, "seed"), section(params, "train.scaler")
        lengths = runs(section(params, "lengths.seconds"), chunk_grid(params)[1])
        choose_by = section(params, "lengths.choose_by")
        strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
        split = pd.read_csv(SPLIT)
        rows = []
        for family in families or [f for f in section(params, "models") if f not in DEEP]:
            shipped = section(params, f"models.{family}")
            representation = family_input(family, shipped)
            table = representation.table(split)
            columns = representation.columns(params)
            train, test = table[table["set"] == "train"], table[table["set"] == "test"]
            for name in VARIANTS:
                started = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    settings, record, folds = choose(
                        family, candidates(family, variant(shipped, name)), table, columns,
                        validation_folds(strategy, train), representation, params, lengths, choose_by)
                    model = next(iter(family_models(family, settings, scaler, seed, representation, params).values()))
                    fitted = model.fit(train[columns].to_numpy(), train["genre"].to_numpy(), train["file"].to_numpy(),
                                       folds=train["fold"].to_numpy(), artists=train["group"].to_numpy())
                rows.append({"seed": seed, "family": family, "variant": name,
                             "validation": validation_score(folds, choose_by), "chosen": record["chosen"],
                             **{f"test {key}": value for key, value in test_scores(fitted, test, columns, lengths,
                                                                                    seed).items()},
                             "seconds": time.perf_counter() - started, "test clips": test["file"].nunique()})
                print(line(rows[-1]), flush=True)
        return rows


def line(row):
    tests = "  ".join(f"{key} {value:.3f}" for key, value in row.items() if key.startswith("test ") and key != "test clips")
    chosen = ", ".join(f"{key} {value}" for key, value in row["chosen"].items()) or "-"
    return (f"  {row['family']:<8} {row['variant']:<12} validation {row['validation']:.3f}  {tests}  "
            f"({row['seconds']:.0f} s) chose {chosen}")


def summary(rows):
    """Mean and standard deviation over the seeds of each family and variant's test accuracies."""
    frame = pd.DataFrame(rows)
    keys = [c for c in frame.columns if c.startswith("test ") and c != "test clips"]
    seeds = sorted(frame["seed"].unique())
    print(f"\nmean ± standard deviation over seeds {', '.join(map(str, seeds))} "
          f"({', '.join(str(n) for n in frame.groupby('seed')['test clips'].first())} test clips); "
          f"gap: whole minus {keys[0][5:]}")
    print(f"{'family':<8} {'variant':<12} {'validation':>13} " + " ".join(f"{k:>15}" for k in keys)
          + f" {'gap':>15}  sub_clips chosen per seed")
    for (family, name), group in frame.groupby(["family", "variant"], sort=False):
        gap = group[keys[-1]] - group[keys[0]]
        cells = [group["validation"], *(group[k] for k in keys), gap]
        chosen = [took_sub_clips(c) for c in group["chosen"]]
        print(f"{family:<8} {name:<12} " + " ".join(f"{spread(values):>15}" for values in cells)
              + f"  {'; '.join(chosen) if name == 'shipped' else ''}")


def took_sub_clips(chosen):
    """What a search chose of sub-clips: ``vote`` (none pooled), or the sub_clips of each pooled model."""
    if chosen.get("clip_rule") == "vote":
        return "vote"
    found = {key.removesuffix("sub_clips").removeprefix("members.").rstrip("."): value
             for key, value in chosen.items() if key.endswith("sub_clips")}
    return " ".join(f"{name} {value}".strip() for name, value in found.items()) or "-"


def spread(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} ± {values.std(ddof=1) if len(values) > 1 else 0.0:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--clip-seconds", type=float, default=30.0)
    parser.add_argument("--families", nargs="+", default=None, help="default: every family on tables in params.yaml")
    parser.add_argument("--workdir", type=Path, help="keep the demo projects here (default: a temporary folder)")
    parser.add_argument("--project", type=Path, help="measure this finished run instead of building demo sets")
    args = parser.parse_args()
    if args.project:
        summary(measure(args.project.resolve(), args.families))
        return
    with tempfile.TemporaryDirectory() as temporary:
        workdir = (args.workdir or Path(temporary)).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        rows = []
        for seed in args.seeds:
            root = workdir / f"demo-{args.clip_seconds:g}s-seed{seed}"
            demo_project(root, seed, args.clip_seconds)
            rows += measure(root, args.families)
        summary(rows)


if __name__ == "__main__":
    main()
