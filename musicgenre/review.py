"""Ranking the clips whose given label the models doubt, so that a person can listen to them.

Sturm found GTZAN's mislabels by listening to all 1000 clips. Confident learning (Northcutt,
Jiang & Chuang 2021, the ``cleanlab`` library) narrows the listening down: from each clip's
out-of-fold predicted probabilities (:mod:`musicgenre.out_of_fold`) and its given label, it scores
how likely the label is right and flags the clips whose label the models' errors cannot explain
(:func:`rank`). Nothing of the method is re-implemented here. The labels are the ones **as
downloaded** (``original_genre``): the fault list's relabelling would hide the very mistakes looked
for; a copy the cleaning dropped is left out (its kept twin is reviewed).
"""

import warnings

import numpy as np
import pandas as pd

from .faults import DUPLICATE_KINDS
from .splits import grouped

#: The columns of ``data/review/suspects.csv``, one row per reviewed clip, the most doubtful first.
SUSPECT_COLUMNS = ["rank", "file", "given", "suggested", "p_given", "p_suggested", "label_quality", "flagged",
                   "listed", "artist", "title"]


def reviewed_clips(clean_manifest):
    """The clips to review (``file, genre, artist, group``): every readable clip but the copies the
    cleaning dropped, under its label as downloaded, its artist spelled one way and its artist group
    (:func:`musicgenre.splits.grouped`; an unknown artist is the clip's own group, ``unknown:<file>``,
    as the cleaning wrote it)."""
    clips = clean_manifest[~clean_manifest["status"].isin(["unreadable", "dropped_duplicate"])]
    return grouped(pd.DataFrame({"file": clips["file"].to_numpy(), "genre": clips["original_genre"].to_numpy(),
                                 "artist": clips["artist"].to_numpy()}))


def rank(proba, given):
    """Every clip of ``proba`` (clip probabilities) ranked by cleanlab's label quality of its
    ``given`` label (file → label), the most doubtful first, with the label the models suggest
    and whether ``cleanlab.filter.find_label_issues`` flags it as a label issue."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels = list(proba.columns)
    values = proba.to_numpy(dtype=float)
    values = values / values.sum(axis=1, keepdims=True)
    code = np.array([labels.index(label) for label in given.loc[proba.index]])
    quality = get_label_quality_scores(code, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab warns of classes with few examples, which small sets have
        flagged = find_label_issues(code, values)
    suggested = values.argmax(axis=1)
    ranked = pd.DataFrame({
        "file": proba.index, "given": given.loc[proba.index].to_numpy(),
        "suggested": np.asarray(labels)[suggested], "p_given": values[np.arange(len(code)), code].round(4),
        "p_suggested": values[np.arange(len(code)), suggested].round(4), "label_quality": quality.round(6),
        "flagged": flagged})
    ranked = ranked.sort_values(["label_quality", "file"], kind="stable").reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def listed_faults(faults):
    """``file → what the fault lists already say of it`` (``mislabel → country``, ``exact_duplicate``…)."""
    said = {}
    for row in faults.to_dict("records"):
        text = row["fault"]
        if row["fault"] == "mislabel":
            text = f"mislabel → {row['correct_genre']}" if row["correct_genre"] else "mislabel (drop)"
        elif row["fault"] in DUPLICATE_KINDS and row["group"]:
            text = f"{row['fault']} ({row['group']})"
        said.setdefault(row["file"], []).append(text)
    return {file: "; ".join(dict.fromkeys(texts)) for file, texts in said.items()}


def recall_at(ranked, truth, top):
    """How many of the files in ``truth`` the first ``top`` rows of ``ranked`` hold."""
    found = set(ranked["file"].iloc[:top]) & set(truth)
    return {"mislabels": len(truth), "top": int(top), "found": len(found),
            "recall": round(len(found) / len(truth), 4) if truth else None}
