"""Command-line entry point: ``musicgenre predict``, ``musicgenre demo`` and ``musicgenre summary``.

``predict`` classifies audio files with a trained bundle and reports every file on its own: a
bad file gets an error line (stderr, or an ``error`` field in JSON/CSV), the rest go on. The exit
code says what happened: 0 every file classified, 1 some file could not be (unreadable,
undecodable, silent), 3 an internal error (a bug) on some file, named as such, with its traceback
under ``--verbose``.

``demo`` is the offline first run: it points ``params.yaml`` at the synthetic demo set with
demo-sized models (editing only :data:`DEMO_PARAMS`, comments kept)
and runs ``dvc repro``. It edits the file instead of using ``dvc exp run -S`` because experiments
need a git identity, which a fresh machine may lack.
"""

import argparse
import csv
import json
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

from .api import MAX_CHUNKS, load_model, read_metrics
from .errors import MusicgenreError, friendly_main
from .files import atomic_write
from .jit import ready, start_in_background
from .jsonio import read_json
from .paths import (CLEANING_METRICS, COMPARISON, CONFUSION, CV_SCORES, IMAGES, LEAKAGE_METRICS, LEAKAGE_PLOT,
                    METRICS, MODELS, REVIEW_METRICS, REVIEW_PAGE)
from .params import load_params

#: ``predict``'s exit code when a file met a bug rather than a problem of its own (1: a bad file).
INTERNAL_ERROR = 3
#: What the offline demo sets in params.yaml, and nothing else: the demo set, and the slowest
#: families sized for its 142 training clips (a real GTZAN run keeps the defaults).
DEMO_PARAMS = {
    "dataset.source": "synthetic",
    "models.rf.n_estimators": 300,  # 1400 trees score the same on the demo set, 5x slower
    "models.mlp.hidden_layer_sizes": [256, 128],  # 500-500-300 is 4x slower, here and in the leakage stage
    "models.cnn.epochs": 12,  # its best validation epoch on the demo set; 40 with patience 6 stops at 18
}


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
    with atomic_write(path) as temporary, open(temporary, "w") as handle:
        yaml.dump(data, handle)


def summary(families=None):
    """A table of the test metrics of every family (or of ``families``), best clip accuracy first
    (:func:`musicgenre.api.read_metrics`), with each family's validation score; ``*`` marks the best
    validation score, the family ``predict`` uses by default."""
    from .selection import chosen_family

    table = read_metrics()
    if families is not None:
        table = table[table.index.isin(families)]
    lengths = [c for c in table.columns if c.startswith("on_")]
    lines = [f"{'family':<9} {'split':<8} {'chunk acc':>9} {'clip acc':>9} {'95% CI':>15} {'clip F1':>8} "
             + "".join(f"{'on ' + c[3:]:>8} " for c in lengths) + f"{'validation':>10}  trained on"]
    chosen = chosen_family(table["validation_score"].to_dict())
    for family, row in table.iterrows():
        chunk = "-" if np.isnan(row["chunk_accuracy"]) else f"{row['chunk_accuracy']:.3f}"  # pooled or fused: no votes
        interval = f"[{row['ci95_low']:.3f}, {row['ci95_high']:.3f}]"
        name = family + ("*" if family == chosen else "")
        lines.append(f"{name:<9} {row['split']:<8} {chunk:>9} {row['clip_accuracy']:>9.3f} {interval:>15} "
                     f"{row['clip_macro_f1']:>8.3f} " + "".join(f"{'-':>8} " if np.isnan(row[c]) else f"{row[c]:>8.3f} "
                                                               for c in lengths) + f"{row['validation_score']:>10.3f}  {row['trained_on']}")
    lines.append("* the best validation score: predict's default model (chosen on validation data, never on test)")
    return "\n".join(lines)


def _demo(args):
    for dotted, value in DEMO_PARAMS.items():
        set_param("params.yaml", dotted, value)
    changed = ", ".join(f"{k}: {v}" for k, v in DEMO_PARAMS.items())
    print(f"params.yaml: {changed} (the offline demo set, and demo-sized models). `git checkout params.yaml` "
          "returns to the real GTZAN defaults.", flush=True)
    started = time.monotonic()
    compiling = start_in_background()  # overlaps the first run's compile with the demo set's synthesis
    finished = subprocess.call([sys.executable, "-m", "dvc", "repro"])
    compiling.wait()
    if finished != 0:
        raise MusicgenreError("dvc repro failed; see its output above")
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    _summary(args)
    print(f"\ndemo pipeline (dvc repro): {minutes} min {seconds:02d} s")


def leakage_table(path=LEAKAGE_METRICS):
    """The leakage stage's protocols, most inflated first."""
    data = read_json(path)
    lines = [f"leakage ({data['family']}): {'protocol':<32} {'clip acc':>9} {'95% CI':>15} {'vs honest':>9}"]
    for scores in sorted(data["protocols"].values(), key=lambda s: -s["clip_accuracy"]):
        interval = f"[{scores['clip_accuracy_ci95_low']:.3f}, {scores['clip_accuracy_ci95_high']:.3f}]"
        lines.append(f"{'':<{len('leakage (' + data['family'] + '):')}} {scores['description']:<32} "
                     f"{scores['clip_accuracy']:>9.3f} {interval:>15} {scores['inflation_vs_honest']:>+9.3f}")
    return "\n".join(lines)


def review_line(path=REVIEW_METRICS):
    """What the review stage found, and where to listen."""
    data = read_json(path)
    found = data.get("listed_mislabels")
    listed = (f"; {found['found']} of the {found['mislabels']} mislabels the fault lists name rank in its first "
              f"{found['top']}" if found else "")
    return (f"review: cleanlab flags {data['flagged']} of {data['clips']} clips{listed}; hear them and decide in "
            f"{REVIEW_PAGE} (docs/review.md)")


def _summary(_args):
    families = set(load_params()["models"]) if Path("params.yaml").exists() else None
    print("\n" + summary(families=families))
    if COMPARISON.exists():
        from .stats import mcnemar_line

        print(mcnemar_line(read_json(COMPARISON)))
    if LEAKAGE_METRICS.exists():
        print("\n" + leakage_table())
    if REVIEW_METRICS.exists():
        print("\n" + review_line())
    print(f"\nmetrics: {METRICS}/<family>.json and {CLEANING_METRICS} (dvc metrics show)")
    print(f"plots:   {IMAGES}/*.png, {LEAKAGE_PLOT}, {CONFUSION}/*.csv, {CV_SCORES} (dvc plots show)")


def _predict(args):
    from tqdm import tqdm

    from .predict import find_audio

    if args.top_k < 1:
        raise MusicgenreError("--top-k must be at least 1")
    if args.max_chunks < 0:
        raise MusicgenreError("--max-chunks must be 0 (every chunk) or more")
    ready()  # predict runs librosa's compiled functions, maybe beside a stage or another predict
    model = load_model(args.model, trust=args.trust)
    results, internal = [], False
    for path, error in tqdm(find_audio(args.paths), desc="classifying", unit="file", file=sys.stderr, disable=None):
        result = {"file": str(path), "predictions": [], "chunks": 0, "file_chunks": 0, "padded": False,
                  "error": error}
        if error is None:
            try:
                found = model.classify(path, max_chunks=args.max_chunks)
                top = found.probabilities.iloc[: args.top_k].items()
                result.update(predictions=[{"genre": g, "probability": float(p)} for g, p in top],
                              chunks=found.chunks, file_chunks=found.file_chunks, padded=found.padded)
            except MusicgenreError as err:  # the file's problem: unreadable, undecodable, silent
                result["error"] = str(err)
            except Exception as err:  # noqa: BLE001 - a bug, not bad audio: said so, and the batch goes on
                internal = True
                result["error"] = (f"internal error ({type(err).__name__}: {str(err).strip()[:300]}); this is a "
                                   "bug in musicgenre, not a problem with the file: please report it"
                                   + ("" if args.verbose else " (rerun with --verbose for the traceback)"))
                if args.verbose:
                    traceback.print_exc()
        if result["error"]:
            print(f"error: {path}: {result['error']}", file=sys.stderr)
        results.append(result)
    _write(results, args.format, model.family)
    if internal:
        return INTERNAL_ERROR
    return 1 if any(r["error"] for r in results) else 0


def _write(results, fmt, family):
    if fmt == "json":
        json.dump({"model": family, "results": results}, sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["file", "rank", "genre", "probability", "chunks", "file_chunks", "error"])
        for r in results:
            rows = r["predictions"] or [{"genre": "", "probability": ""}]
            for rank, p in enumerate(rows, start=1):
                writer.writerow([r["file"], rank if r["predictions"] else "", p["genre"], p["probability"],
                                 r["chunks"], r["file_chunks"], r["error"] or ""])
    else:
        print(f"model: {family}")
        for r in results:
            if not r["error"]:
                top = "  ".join(f"{p['genre']} {p['probability']:.2f}" for p in r["predictions"])
                note = " (shorter than a chunk: padded)" if r["padded"] else ""
                used = (f"{r['chunks']} chunks" if r["chunks"] == r["file_chunks"]
                        else f"{r['chunks']} of {r['file_chunks']} chunks, spread evenly")
                print(f"{r['file']}: {top}  [{used}]{note}")


DESCRIPTION = "Music-genre classification you can reproduce: classify audio with a trained model, run the " \
              "offline demo, or print a run's results."
EXAMPLES = """examples:
  musicgenre demo                                 run the whole pipeline offline on the synthetic demo set
  musicgenre summary                              every trained family's test scores, best first
  musicgenre predict song.mp3 ~/Music/ --top-k 3  classify files and folders with the default model
  musicgenre predict clip.wav --model rf          ... with a family of this project, or a bundle file

docs: README.md and docs/ (predict.md for bundles and predict's output)"""


def versions():
    """``musicgenre <version> (...)``: this package's version and those a bundle checks when it
    loads (scikit-learn exactly; Keras and TensorFlow by major version), read from the installed
    packages' metadata, without importing them."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    found = []
    for label, names in (("scikit-learn", ("scikit-learn",)), ("skops", ("skops",)), ("keras", ("keras",)),
                         ("tensorflow", ("tensorflow-cpu", "tensorflow")), ("numpy", ("numpy",))):
        for name in names:
            try:
                found.append(f"{label} {version(name)}")
                break
            except PackageNotFoundError:
                continue
        else:
            found.append(f"{label} not installed")
    return f"musicgenre {__version__} ({', '.join(found)}; python {sys.version.split()[0]})"


def trained_families(project="."):
    """The families with a bundle in ``project`` (``data/models/<family>/model.bundle``), sorted."""
    from .bundles import BUNDLE_NAME

    return sorted(path.parent.name for path in (Path(project) / MODELS).glob(f"*/{BUNDLE_NAME}"))


@friendly_main
def main(argv=None):
    parser = argparse.ArgumentParser(prog="musicgenre", description=DESCRIPTION, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=versions())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the whole pipeline offline on the synthetic demo set").set_defaults(run=_demo)
    commands.add_parser("summary", help="print the test metrics of every trained family").set_defaults(run=_summary)
    predict = commands.add_parser("predict", help="classify audio files or folders (recursively)")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders")
    trained = trained_families()
    predict.add_argument("--model", help="a family name or a bundle path (model.bundle); default: the family with "
                                         "the best validation score. "
                                         + (f"Trained here: {', '.join(trained)}" if trained else
                                            "No family is trained here yet (make demo, or dvc repro)"))
    predict.add_argument("--top-k", type=int, default=3, help="genres to show per file (default 3)")
    predict.add_argument("--max-chunks", type=int, default=MAX_CHUNKS, metavar="N",
                         help=f"classify a longer file by N of its chunks spread evenly over it, in bounded "
                              f"time (default {MAX_CHUNKS}: a 30 s clip whole, a song by {MAX_CHUNKS}; 0: every chunk)")
    predict.add_argument("--format", choices=("table", "json", "csv"), default="table")
    predict.add_argument("--trust", action="store_true",
                         help="load a bundle that holds types no musicgenre bundle holds (building them could run "
                              "code); only for a file from a source you trust")
    predict.add_argument("--verbose", action="store_true", help="print the traceback of an internal error")
    predict.set_defaults(run=_predict)
    args = parser.parse_args(argv)
    warnings.formatwarning = lambda message, *_args, **_kwargs: f"warning: {message}\n"  # a line, not a source line
    return args.run(args)
