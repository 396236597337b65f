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
from pathlib import Path

from .errors import MusicgenreError, friendly_main
from .jit import ready, start_in_background
from .jsonio import read_json
from .paths import (CLEANING_METRICS, CONFUSION, CV_SCORES, IMAGES, LEAKAGE_METRICS, LEAKAGE_PLOT, METRICS,
                    REVIEW_METRICS, REVIEW_PAGE, model_dir)
from .params import load_params

#: ``predict``'s exit code when a file met a bug rather than a problem of its own (1: a bad file).
INTERNAL_ERROR = 3
#: predict's default: a file of more chunks is classified by this many, spread evenly over it (the
#: chunks of a 90 s file; a 30 s GTZAN clip's 10 are all used, as evaluate used them)
MAX_CHUNKS = 30

#: What the offline demo sets in params.yaml, and nothing else: the demo set, and the slowest
#: families sized for its ~140 training clips (a real GTZAN run keeps the defaults).
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
    with open(path, "w") as handle:
        yaml.dump(data, handle)


def summary(metrics_dir=METRICS, families=None):
    """A table of the test metrics of every family (or of ``families``), best clip accuracy first."""
    rows, lengths = [], []
    for path in sorted(Path(metrics_dir).glob("*.json")):
        data = read_json(path)
        if "clip" in data and (families is None or path.stem in families):
            clip = data["clip"]
            chunk = f"{data['chunk']['accuracy']:.3f}" if "chunk" in data else "-"  # pooled or fused: no chunk votes
            by_length = {k: v["accuracy"] for k, v in data.get("clip_accuracy_by_length", {}).items() if k != "whole"}
            lengths += [k for k in by_length if k not in lengths]
            rows.append((path.stem, data.get("split", "?"), chunk, clip["accuracy"],
                         f"[{clip['accuracy_ci95_low']:.3f}, {clip['accuracy_ci95_high']:.3f}]",
                         clip["macro_f1"], by_length, data["cv"]["clip_accuracy_mean"]))
    if not rows:
        raise MusicgenreError(f"no model metrics in {metrics_dir}/; run dvc repro (or make demo) first")
    rows.sort(key=lambda row: -row[3])
    lengths.sort(key=lambda key: float(key.removesuffix("s")))  # 3s, 10s (the metrics files sort keys as text)
    lines = [f"{'family':<8} {'split':<8} {'chunk acc':>9} {'clip acc':>9} {'95% CI':>15} {'clip F1':>8} "
             + "".join(f"{'on ' + k:>8} " for k in lengths) + f"{'CV clip acc':>11}"]
    lines += [f"{f:<8} {s:<8} {a:>9} {c:>9.3f} {ci:>15} {m:>8.3f} "
              + "".join(f"{b[k]:>8.3f} " if k in b else f"{'-':>8} " for k in lengths) + f"{v:>11.3f}"
              for f, s, a, c, ci, m, b, v in rows]
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
            f"{REVIEW_PAGE} (README, \"Finding mislabels\")")


def _summary(_args):
    families = set(load_params()["models"]) if Path("params.yaml").exists() else None
    print("\n" + summary(families=families))
    if LEAKAGE_METRICS.exists():
        print("\n" + leakage_table())
    if REVIEW_METRICS.exists():
        print("\n" + review_line())
    print(f"\nmetrics: {METRICS}/<family>.json and {CLEANING_METRICS} (dvc metrics show)")
    print(f"plots:   {IMAGES}/*.png, {LEAKAGE_PLOT}, {CONFUSION}/*.csv, {CV_SCORES} (dvc plots show)")


def resolve_bundle(model, metrics_dir=METRICS):
    """The bundle path for ``--model``: a file path, a family name, or (``None``) the family with
    the best test clip accuracy in ``metrics/``."""
    if model and Path(model).is_file():
        return Path(model)
    if model is None:
        metrics = {p.stem: read_json(p) for p in Path(metrics_dir).glob("*.json")}
        scores = {name: data["clip"]["accuracy"] for name, data in metrics.items() if "clip" in data}
        if not scores:
            raise MusicgenreError("no trained model found: run `make demo` or `dvc repro` first, "
                                  "or pass --model path/to/model.joblib")
        model = max(sorted(scores), key=scores.get)
    path = model_dir(model) / "model.joblib"
    if not path.is_file():
        raise MusicgenreError(f"--model {model!r} is neither a bundle file nor a trained family "
                              f"({path} does not exist)")
    return path


def _predict(args):
    from tqdm import tqdm

    from .models import load_bundle
    from .predict import classify, find_audio

    if args.top_k < 1:
        raise MusicgenreError("--top-k must be at least 1")
    if args.max_chunks < 0:
        raise MusicgenreError("--max-chunks must be 0 (every chunk) or more")
    ready()  # predict runs librosa's compiled functions, maybe beside a stage or another predict
    bundle = load_bundle(resolve_bundle(args.model))
    results, internal = [], False
    for path, error in tqdm(find_audio(args.paths), desc="classifying", unit="file", file=sys.stderr, disable=None):
        result = {"file": str(path), "predictions": [], "chunks": 0, "file_chunks": 0, "padded": False,
                  "error": error}
        if error is None:
            try:
                found = classify(bundle, path, args.max_chunks)
                top = list(found["probabilities"].items())[: args.top_k]
                result.update(predictions=[{"genre": g, "probability": p} for g, p in top],
                              chunks=found["chunks"], file_chunks=found["file_chunks"], padded=found["padded"])
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
    _write(results, args.format, bundle["family"])
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


@friendly_main
def main(argv=None):
    parser = argparse.ArgumentParser(prog="musicgenre", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the whole pipeline offline on the synthetic demo set").set_defaults(run=_demo)
    commands.add_parser("summary", help="print the test metrics of every trained family").set_defaults(run=_summary)
    predict = commands.add_parser("predict", help="classify audio files or folders (recursively)")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders")
    predict.add_argument("--model", help="a family name (knn, rf, mlp, ...) or a bundle path; "
                                         "default: the family with the best test clip accuracy")
    predict.add_argument("--top-k", type=int, default=3, help="genres to show per file (default 3)")
    predict.add_argument("--max-chunks", type=int, default=MAX_CHUNKS, metavar="N",
                         help=f"classify a longer file by N of its chunks spread evenly over it, in bounded "
                              f"time (default {MAX_CHUNKS}: a 30 s clip whole, a song by {MAX_CHUNKS}; 0: every chunk)")
    predict.add_argument("--format", choices=("table", "json", "csv"), default="table")
    predict.add_argument("--verbose", action="store_true", help="print the traceback of an internal error")
    predict.set_defaults(run=_predict)
    args = parser.parse_args(argv)
    return args.run(args)
