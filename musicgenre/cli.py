"""Command-line entry point: ``musicgenre demo`` and ``musicgenre summary``.

``demo`` is the offline first run: it points ``params.yaml`` at the synthetic demo set (editing
only ``dataset.source``, comments kept) and runs ``dvc repro``. It edits the file instead of
using ``dvc exp run -S`` because experiments need a git identity, which a fresh machine may lack.
"""

import argparse
import subprocess
import sys
from pathlib import Path

from .errors import MusicgenreError, friendly_main
from .jsonio import read_json
from .paths import CLEANING_METRICS, CONFUSION, CV_SCORES, IMAGES, LEAKAGE_METRICS, LEAKAGE_PLOT, METRICS


def set_param(path, dotted, value):
    """Set one value in a YAML file, keeping its comments and layout."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load(Path(path).read_text())
    node = data
    *parents, last = dotted.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    with open(path, "w") as handle:
        yaml.dump(data, handle)


def summary(metrics_dir=METRICS):
    """A table of every family's test metrics, best clip accuracy first."""
    rows = []
    for path in sorted(Path(metrics_dir).glob("*.json")):
        data = read_json(path)
        if "clip" in data:
            clip = data["clip"]
            rows.append((path.stem, data.get("split", "?"), data["chunk"]["accuracy"], clip["accuracy"],
                         f"[{clip['accuracy_ci95_low']:.3f}, {clip['accuracy_ci95_high']:.3f}]",
                         clip["macro_f1"], data["cv"]["clip_accuracy_mean"]))
    if not rows:
        raise MusicgenreError(f"no model metrics in {metrics_dir}/; run dvc repro (or make demo) first")
    rows.sort(key=lambda row: -row[3])
    lines = [f"{'family':<8} {'split':<8} {'chunk acc':>9} {'clip acc':>9} {'95% CI':>15} {'clip F1':>8} {'CV clip acc':>11}"]
    lines += [f"{f:<8} {s:<8} {a:>9.3f} {c:>9.3f} {ci:>15} {m:>8.3f} {v:>11.3f}" for f, s, a, c, ci, m, v in rows]
    return "\n".join(lines)


def _demo(args):
    set_param("params.yaml", "dataset.source", "synthetic")
    print("params.yaml: dataset.source is now 'synthetic' (the offline demo set); "
          "`git checkout params.yaml` returns to the real GTZAN default.", flush=True)
    if subprocess.call([sys.executable, "-m", "dvc", "repro"]) != 0:
        raise MusicgenreError("dvc repro failed; see its output above")
    _summary(args)


def leakage_table(path=LEAKAGE_METRICS):
    """The leakage stage's protocols, most inflated first."""
    data = read_json(path)
    lines = [f"leakage ({data['family']}): {'protocol':<32} {'clip acc':>9} {'95% CI':>15} {'vs honest':>9}"]
    for scores in sorted(data["protocols"].values(), key=lambda s: -s["clip_accuracy"]):
        interval = f"[{scores['clip_accuracy_ci95_low']:.3f}, {scores['clip_accuracy_ci95_high']:.3f}]"
        lines.append(f"{'':<{len('leakage (' + data['family'] + '):')}} {scores['description']:<32} "
                     f"{scores['clip_accuracy']:>9.3f} {interval:>15} {scores['inflation_vs_honest']:>+9.3f}")
    return "\n".join(lines)


def _summary(_args):
    print("\n" + summary())
    if LEAKAGE_METRICS.exists():
        print("\n" + leakage_table())
    print(f"\nmetrics: {METRICS}/<family>.json and {CLEANING_METRICS} (dvc metrics show)")
    print(f"plots:   {IMAGES}/*.png, {LEAKAGE_PLOT}, {CONFUSION}/*.csv, {CV_SCORES} (dvc plots show)")


@friendly_main
def main(argv=None):
    parser = argparse.ArgumentParser(prog="musicgenre", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the whole pipeline offline on the synthetic demo set").set_defaults(run=_demo)
    commands.add_parser("summary", help="print the test metrics of every trained family").set_defaults(run=_summary)
    args = parser.parse_args(argv)
    args.run(args)
