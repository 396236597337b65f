"""DVC stage ``review``: the clips whose given label the models doubt, ranked, and a page to hear them.

The families of ``review.families`` each wrote their out-of-fold clip probabilities
(``out_of_fold@<family>``); their mean is ranked by cleanlab (:func:`musicgenre.review.rank`).

Writes ``data/review/suspects.csv`` (every reviewed clip, the most doubtful first: given and
suggested label, cleanlab's label quality, whether cleanlab flags it, what the fault lists already
say of it, artist and title where known), ``plots/review.html`` (the flagged ones, with players)
and ``metrics/review.json`` (counts, each family's choice, and how many of the mislabels the fault
lists name rank among the first twice as many suspects: on the demo set, the planted ones).
"""

import numpy as np
import pandas as pd

from musicgenre import gtzan
from musicgenre.datasets import is_gtzan
from musicgenre.datasets.layout import audio_path, image_path
from musicgenre.errors import MusicgenreError, friendly_main
from musicgenre.faults import fault_lists
from musicgenre.files import atomic_write
from musicgenre.jsonio import read_json, write_json
from musicgenre.params import load_params, section
from musicgenre.paths import CLEAN_MANIFEST, MELS_IMAGES, OUT_OF_FOLD, RAW, RAW_MANIFEST, REVIEW_METRICS, REVIEW_PAGE, \
    SUSPECTS, out_of_fold_dir
from musicgenre.review import SUSPECT_COLUMNS, listed_faults, rank, recall_at, reviewed_clips
from musicgenre.reviewpage import page


@friendly_main
def main():
    params = load_params()
    families = section(params, "review.families")
    clean = pd.read_csv(CLEAN_MANIFEST, keep_default_na=False)
    given = reviewed_clips(clean).set_index("file")["genre"]
    probas = [pd.read_csv(out_of_fold_dir(f) / "proba.csv", index_col="file") for f in families]
    proba = (sum(probas) / len(probas)).rename(columns=lambda c: c.removeprefix("p_"))
    if set(proba.index) != set(given.index):
        raise MusicgenreError(f"{OUT_OF_FOLD} and {CLEAN_MANIFEST} disagree on the clips to review; run dvc repro")
    ranked = rank(proba, given)

    source = section(params, "dataset.source")
    faults = fault_lists(source, RAW, section(params, "clean.extra_faults"), pd.read_csv(RAW_MANIFEST))
    said = listed_faults(faults)
    titles = gtzan.index().set_index("file")["title"].to_dict() if is_gtzan(source) else {}
    artist = clean.set_index("file")["artist"]
    ranked["listed"] = [said.get(file, "") for file in ranked["file"]]
    ranked["artist"] = [a if not a.startswith("unknown:") else "" for a in artist.loc[ranked["file"]]]
    ranked["title"] = [titles.get(file, "") for file in ranked["file"]]
    with atomic_write(SUSPECTS) as temporary:
        ranked[SUSPECT_COLUMNS].to_csv(temporary, index=False)

    mislabels = sorted(set(faults.loc[faults["fault"] == "mislabel", "file"]) & set(ranked["file"]))
    flagged = ranked[ranked["flagged"]]
    accuracy = float(np.mean(ranked["suggested"] == ranked["given"]))
    metrics = {"clips": len(ranked), "folds": section(params, "review.folds"),
               "out_of_fold_accuracy": round(accuracy, 4),
               "families": {f: read_json(out_of_fold_dir(f) / "choice.json") for f in families},
               "flagged": len(flagged), "flagged_already_listed": int((flagged["listed"] != "").sum())}
    if mislabels:  # the demo's planted ones, or the mislabels a user's list names
        metrics["listed_mislabels"] = recall_at(ranked, mislabels, 2 * len(mislabels))
    write_json(metrics, REVIEW_METRICS)

    summary = (f"{len(ranked)} clips scored out of fold (folds of whole artists) by {' + '.join(families)} on their "
               f"labels as downloaded; cleanlab flags these {len(flagged)}, the most doubtful first.")
    with atomic_write(REVIEW_PAGE) as temporary:
        temporary.write_text(page(flagged, sorted(given.unique()), lambda f: audio_path(RAW, f),
                                  lambda f: image_path(MELS_IMAGES, f), summary), encoding="utf-8")
    found = metrics.get("listed_mislabels")
    print(f"review: {len(flagged)} of {len(ranked)} clips flagged (out-of-fold accuracy {accuracy:.3f}, "
          f"{' + '.join(families)})" + (f"; {found['found']} of the {found['mislabels']} listed mislabels in the "
                                        f"first {found['top']}" if found else "") + f"; listen in {REVIEW_PAGE}")


if __name__ == "__main__":
    main()
