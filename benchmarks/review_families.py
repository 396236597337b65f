"""Benchmark: which families' out-of-fold probabilities find the listed mislabels best.

For each project given (each a run whose ``clean`` and ``represent@<name>`` stages have run, on a
set whose fault lists name mislabels: the demo set plants them), every family on tables in its
``params.yaml`` gets its out-of-fold clip probabilities exactly as ``out_of_fold@<family>``
computes them (:func:`musicgenre.out_of_fold.family_probabilities`), and every combination of
those families is ranked as the ``review`` stage ranks the mean of its families' probabilities
(:func:`musicgenre.review.rank`). It prints, per combination and per project, how many of the
listed mislabels rank among the first twice as many suspects, and the out-of-fold accuracy of the
combination on the labels as downloaded. ``review.families`` ships the combination that did best
here over several demo seeds (docs/review.md).

    python benchmarks/review_families.py PROJECT [PROJECT ...] [--families fusion knn musicnn]

Make a project per seed with ``dataset.source: synthetic`` and ``seed: N`` in its ``params.yaml``,
then ``dvc repro clean represent@features represent@embeddings`` there.
"""

import argparse
import itertools
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from musicgenre.models import family_input  # noqa: E402
from musicgenre.out_of_fold import artist_folds, family_probabilities  # noqa: E402
from musicgenre.params import load_params, section  # noqa: E402
from musicgenre.faults import fault_lists  # noqa: E402
from musicgenre.paths import CLEAN_MANIFEST, RAW, RAW_MANIFEST  # noqa: E402
from musicgenre.review import rank, recall_at, reviewed_clips  # noqa: E402
from musicgenre.schema import SEARCHABLE  # noqa: E402


def probabilities(project, families):
    """``(given labels, {family: out-of-fold probabilities}, listed mislabels, seed)`` of one project."""
    os.chdir(project)
    params = load_params()
    clips = reviewed_clips(pd.read_csv(CLEAN_MANIFEST, keep_default_na=False))
    fold = artist_folds(clips, section(params, "review.folds"), section(params, "seed"))
    found = {}
    for family in families:
        settings = section(params, f"models.{family}")
        found[family], record = family_probabilities(family, settings, family_input(family, settings), clips, fold,
                                                     params)
        print(f"  {project}: {family} chose {record['chosen']} (out-of-fold accuracy "
              f"{record['out_of_fold_accuracy']:.3f})", file=sys.stderr)
    faults = fault_lists(section(params, "dataset.source"), RAW, section(params, "clean.extra_faults"),
                         pd.read_csv(RAW_MANIFEST))
    mislabels = sorted(set(faults.loc[faults["fault"] == "mislabel", "file"]) & set(clips["file"]))
    return clips.set_index("file")["genre"], found, mislabels, section(params, "seed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--families", nargs="+", default=list(SEARCHABLE))
    args = parser.parse_args()
    runs = [probabilities(project.resolve(), args.families) for project in args.projects]
    print(f"{'families':<34}" + "".join(f"  seed {seed:<3} found, accuracy" for *_, seed in runs) + "   fewest found")
    rows = []
    for size in range(1, len(args.families) + 1):
        for combination in itertools.combinations(args.families, size):
            cells = []
            for given, found, mislabels, _ in runs:
                ranked = rank(sum(found[f] for f in combination) / len(combination), given)
                recall = recall_at(ranked, mislabels, 2 * len(mislabels))
                cells.append((recall["found"], len(mislabels), (ranked["suggested"] == ranked["given"]).mean()))
            rows.append((combination, cells, min(c[0] for c in cells)))
    for combination, cells, fewest in sorted(rows, key=lambda row: (-row[2], -sum(c[0] for c in row[1]))):
        line = "".join(f"  {found:>5}/{of:<3}   {accuracy:.3f}     " for found, of, accuracy in cells)
        print(f"{' + '.join(combination):<34}{line}   {fewest}")

if __name__ == "__main__":
    main()
