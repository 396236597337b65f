"""Benchmark: clip rules against each other at every length, on a finished run's tables.

Which way of turning chunks into a clip's genre holds when a file is shorter than the training
clips? For every family on tables in ``params.yaml`` and every candidate rule below, the family's
other searched settings are chosen as ``train`` chooses them (on validation data, by
``lengths.choose_by``), and it prints:

* the **validation** clip accuracy (the training set's grouped folds, or the published valid list)
  on excerpts of every ``lengths.seconds`` and on whole clips, and the score ``lengths.choose_by``
  makes of them: what selection sees;
* the **test** clip accuracy at the same lengths, fitted on the whole training set. Excerpts here
  are runs of the test clips' chunk rows (:func:`musicgenre.excerpts.chunk_runs`), not audio
  cut and computed again as ``evaluate`` does, so that every candidate costs one fit: the
  descriptors' separated columns saw the whole clip, and the numbers can differ from
  ``metrics/<family>.json`` by a few clips.

Candidates: the chunks' soft vote; pooling by mean, std and max (the shipped statistics) or by the
mean alone (no statistic that depends on the number of chunks), each fitted on whole clips only
or also on ``sub_clips`` random runs of every training clip's chunks.

Run it in a project whose pipeline has run (``make demo``, or a real run):

    python benchmarks/clip_rules.py [--families knn rf mlp musicnn fusion] [--sub-clips 4]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from musicgenre.excerpts import WHOLE, chunk_runs, runs  # noqa: E402
from musicgenre.models import family_input  # noqa: E402
from musicgenre.params import chunk_grid, load_params, section  # noqa: E402
from musicgenre.paths import SPLIT  # noqa: E402
from musicgenre.selection import by_length, candidates, validation_folds, validation_score  # noqa: E402
from musicgenre.splits import resolve_strategy  # noqa: E402
from musicgenre.training import choose, family_models, fold_scores  # noqa: E402


def rules(sub_clips):
    """``{name: the clip-rule settings}`` of every candidate."""
    found = {"vote": {"clip_rule": "vote"}}
    for stats in (["mean", "std", "max"], ["mean"]):
        for runs_per_clip in (0, sub_clips):
            name = f"pool {'+'.join(stats)}" + (f", {runs_per_clip} sub-clips" if runs_per_clip else "")
            found[name] = {"clip_rule": "pool", "pool_stats": stats, "sub_clips": runs_per_clip}
    return found


def with_rule(family, settings, rule):
    """The family's settings under ``rule``; for fusion, every member's."""
    if family == "fusion":
        return {**settings, "members": {name: {**member, **rule} for name, member in settings["members"].items()}}
    return {**settings, **rule}


def test_scores(model, test, columns, lengths, seed):
    """Test clip accuracy of a fitted ``model`` at each length (chunk runs), then on whole clips."""
    scores = {key: fold_scores(-1, rows, model, rows[columns].to_numpy())["clip_accuracy"]
              for key, rows in ((key, chunk_runs(test, chunks, seed)) for key, chunks in lengths.items())}
    return {**scores, WHOLE: fold_scores(-1, test, model, test[columns].to_numpy())["clip_accuracy"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=None, help="default: every family on tables in params.yaml")
    parser.add_argument("--sub-clips", type=int, default=4, help="random runs per training clip (default 4)")
    args = parser.parse_args()
    params = load_params()
    seed, scaler = section(params, "seed"), section(params, "train.scaler")
    lengths = runs(section(params, "lengths.seconds"), chunk_grid(params)[1])
    choose_by = section(params, "lengths.choose_by")
    strategy = resolve_strategy(section(params, "split.strategy"), section(params, "dataset.source"))
    split = pd.read_csv(SPLIT)
    families = args.families or [f for f in section(params, "models") if f not in ("cnn", "transfer")]
    keys = [*lengths, WHOLE]
    print(f"validation: {'published valid list' if strategy in ('fault_filtered', 'official') else 'grouped folds'}; "
          f"excerpts {', '.join(lengths)}; selection's score: {choose_by} over lengths\n")
    header = f"{'family':<8} {'rule':<28} " + " ".join(f"{'val ' + k:>10}" for k in keys) + f" {'val score':>9} " \
             + " ".join(f"{'test ' + k:>10}" for k in keys) + f" {'fit s':>6}  chosen"
    print(header)
    for family in families:
        shipped = section(params, f"models.{family}")
        representation = family_input(family, shipped)
        table = representation.table(split)
        columns = representation.columns(params)
        train, test = table[table["set"] == "train"], table[table["set"] == "test"]
        held = validation_folds(strategy, train)
        for name, rule in rules(args.sub_clips).items():
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                settings, record, folds = choose(family, candidates(family, with_rule(family, shipped, rule)), table,
                                                 columns, held, representation, params, lengths, choose_by)
                model = next(iter(family_models(family, settings, scaler, seed, representation, params).values()))
                fitted = model.fit(train[columns].to_numpy(), train["genre"].to_numpy(), train["file"].to_numpy(),
                                   folds=train["fold"].to_numpy(), artists=train["group"].to_numpy())
            validation = by_length(folds)
            tested = test_scores(fitted, test, columns, lengths, seed)
            print(f"{family:<8} {name:<28} " + " ".join(f"{validation[k]:>10.3f}" for k in keys)
                  + f" {validation_score(folds, choose_by):>9.3f} " + " ".join(f"{tested[k]:>10.3f}" for k in keys)
                  + f" {time.perf_counter() - started:>6.1f}  {record['chosen'] or ''}", flush=True)
    print(f"\n{len(test['file'].unique())} test clips; one clip is {100 / len(test['file'].unique()):.1f} points")


if __name__ == "__main__":
    main()
