"""Fault lists and the cleaning policy.

A fault list is a CSV (``#`` lines are comments naming sources) with columns
``file, fault, group, correct_genre, note``; one row per (file, fault). ``fault`` is one of
:data:`FAULT_KINDS`; files listed with the same ``group`` under a duplicate kind hold the same
recording. GTZAN's published list (Sturm 2012/2013) and the demo generator's ground truth use the
same format, so one cleaning function serves both.
"""

from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import MusicgenreError
from .params import choice

FAULT_COLUMNS = ["file", "fault", "group", "correct_genre", "note"]
DUPLICATE_KINDS = ("exact_duplicate", "recording_duplicate")
FAULT_KINDS = DUPLICATE_KINDS + ("version", "mislabel", "distortion", "unreadable")
MISLABEL_POLICIES = ("relabel", "drop", "keep")
DISTORTION_POLICIES = ("keep", "drop")
CLEAN_COLUMNS = ["file", "genre", "artist", "original_genre", "status"]
#: Statuses of rows that later stages use.
USABLE = ("kept", "relabelled")


def fault_list_path(source, raw_dir):
    """The fault list for a dataset source: the demo generator's, or GTZAN's shipped one."""
    if source == "synthetic":
        return Path(raw_dir) / "faults.csv"
    return Path(str(resources.files("musicgenre") / "data" / "gtzan" / "faults.csv"))


def read_fault_list(path):
    """Read and check a fault list; an unknown fault kind or a missing column is an error."""
    try:
        table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise MusicgenreError(f"fault list {path} not found; run the download stage first") from None
    missing = [c for c in FAULT_COLUMNS if c not in table.columns]
    if missing:
        raise MusicgenreError(f"fault list {path} lacks column(s) {missing}; expected {FAULT_COLUMNS}")
    unknown = sorted(set(table["fault"]) - set(FAULT_KINDS))
    if unknown:
        raise MusicgenreError(f"fault list {path} has unknown fault kind(s) {unknown}; known: {FAULT_KINDS}")
    return table[FAULT_COLUMNS]


def clean(manifest, faults, artists, mislabel_policy, distortion_policy):
    """Apply a fault list to a raw manifest.

    Returns the clean manifest (every raw file, with ``status`` saying whether and why it is used)
    and counts per reason. Order of decisions: unreadable files are skipped; duplicate groups that
    share a file are merged (a listed and a detected group may overlap), and each keeps its first
    readable member by name; listed mislabels follow ``mislabel_policy``
    (``relabel`` needs a correct genre in the list, else the clip is dropped); listed distortions
    follow ``distortion_policy``. ``artists`` maps file to artist; a file with no known artist
    becomes its own group (``unknown:<file>``), so artist-aware splits never merge strangers.
    """
    choice(mislabel_policy, "clean.mislabel_policy", MISLABEL_POLICIES)
    choice(distortion_policy, "clean.distortion_policy", DISTORTION_POLICIES)
    rows = manifest[["file", "genre", "readable"]].copy()
    rows["original_genre"] = rows["genre"]
    rows["artist"] = [artists.get(f) or f"unknown:{f}" for f in rows["file"]]
    rows["status"] = "kept"
    readable = rows.set_index("file")["readable"].astype(bool)
    rows.loc[~rows["readable"].astype(bool), "status"] = "unreadable"
    present = faults[faults["file"].isin(rows["file"])]

    dup = present[present["fault"].isin(DUPLICATE_KINDS)]
    groups = merge_groups(dup["file"], dup["group"])
    dropped_dups = set()
    for files in groups:
        keepers = [f for f in files if readable[f]]
        dropped_dups.update(keepers[1:])
    rows.loc[rows["file"].isin(dropped_dups) & (rows["status"] == "kept"), "status"] = "dropped_duplicate"

    mislabelled = present[present["fault"] == "mislabel"].drop_duplicates("file").set_index("file")["correct_genre"]
    is_mislabel = rows["file"].isin(mislabelled.index) & (rows["status"] == "kept")
    if mislabel_policy == "relabel":
        target = rows.loc[is_mislabel, "file"].map(mislabelled)
        fixable = target != ""
        rows.loc[fixable[fixable].index, "genre"] = target[fixable]
        rows.loc[fixable[fixable].index, "status"] = "relabelled"
        rows.loc[fixable[~fixable].index, "status"] = "dropped_mislabel"
    elif mislabel_policy == "drop":
        rows.loc[is_mislabel, "status"] = "dropped_mislabel"

    distorted = present[present["fault"] == "distortion"]["file"]
    if distortion_policy == "drop":
        rows.loc[rows["file"].isin(distorted) & rows["status"].isin(USABLE), "status"] = "dropped_distortion"

    status = rows["status"].value_counts()
    counts = {
        "files": int(len(rows)),
        "usable": int(rows["status"].isin(USABLE).sum()),
        "kept": int(status.get("kept", 0)),
        "relabelled": int(status.get("relabelled", 0)),
        "unreadable": int(status.get("unreadable", 0)),
        "dropped_duplicate": int(status.get("dropped_duplicate", 0)),
        "dropped_mislabel": int(status.get("dropped_mislabel", 0)),
        "dropped_distortion": int(status.get("dropped_distortion", 0)),
        "kept_mislabel": int(is_mislabel.sum()) if mislabel_policy == "keep" else 0,
        "duplicate_groups": len(groups),
        "listed_but_absent": int((~faults["file"].isin(rows["file"])).sum()),
    }
    return rows[CLEAN_COLUMNS].reset_index(drop=True), counts


def merge_groups(files, group_ids):
    """Sorted member lists of the connected components of group memberships (union-find).

    Two groups that share a file are one group: the same audio, whichever list said so.
    """
    parent = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for file, group in zip(files, group_ids):
        parent[root(("file", file))] = root(("group", group))
    components = {}
    for node in list(parent):
        if node[0] == "file":
            components.setdefault(root(node), set()).add(node[1])
    return sorted(sorted(members) for members in components.values())
