"""Fault lists and the cleaning policy.

A fault list is a CSV (``#`` lines are comments naming sources) with columns
``file, fault, group, correct_genre, note``; one row per (file, fault). ``fault`` is one of
:data:`FAULT_KINDS`; files listed with the same ``group`` under a duplicate kind hold the same
recording, and the first one listed is the one kept; a duplicate row with no group is a copy of a
file the list cannot name. GTZAN's shipped list (Sturm's exact repetitions as Foleis read them),
the demo generator's ground truth and a user's own list (``clean.extra_faults``) use the same
format, so one cleaning function serves all three.
"""

import csv
from importlib import resources
from pathlib import Path

import pandas as pd

from .datasets import is_gtzan
from .errors import MusicgenreError

FAULT_COLUMNS = ["file", "fault", "group", "correct_genre", "note"]
DUPLICATE_KINDS = ("exact_duplicate", "recording_duplicate")
FAULT_KINDS = DUPLICATE_KINDS + ("version", "mislabel", "distortion", "unreadable")
CLEAN_COLUMNS = ["file", "genre", "artist", "original_genre", "status"]
#: Statuses of rows that later stages use.
USABLE = ("kept", "relabelled")


def fault_list_path(source, raw_dir):
    """The fault list that comes with a dataset source: GTZAN's shipped one, the demo generator's,
    or ``None`` for a collection that has none (the user's ``clean.extra_faults`` still applies)."""
    if is_gtzan(source):
        return Path(str(resources.files("musicgenre") / "data" / "gtzan" / "faults.csv"))
    if source == "synthetic":
        return Path(raw_dir) / "faults.csv"
    return None


def fault_lists(source, raw_dir, extra, manifest):
    """Every listed fault that applies to a run: the list that comes with the source
    (:func:`fault_list_path`) and the user's own rows (``clean.extra_faults``, at ``extra``), those
    checked against the raw ``manifest``'s files and genres."""
    if not Path(extra).is_file():
        raise MusicgenreError(f"params.yaml: clean.extra_faults names {extra}, which does not exist; "
                              "point it at your fault list or back at extra_faults.csv")
    shipped = fault_list_path(source, raw_dir)
    own = read_fault_list(extra, known_files=set(manifest["file"]), genres=sorted(set(manifest["genre"])))
    return pd.concat(([read_fault_list(shipped)] if shipped else []) + [own], ignore_index=True)


def read_fault_list(path, known_files=None, genres=None):
    """Read and check a fault list, row by row; the first bad cell stops with its line and column.

    ``known_files`` (the raw manifest's names), when given, makes a listed file that the data does
    not hold an error: in a user's own list that is a typo, not a fault. ``genres`` checks the
    ``correct_genre`` cells. Comment lines (``#``) are skipped but counted, so line numbers are
    the ones an editor shows.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MusicgenreError(f"fault list {path} not found; run the download stage first") from None
    except UnicodeDecodeError as error:
        raise MusicgenreError(f"fault list {path} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise MusicgenreError(f"fault list {path} is empty; its first line must be the header {','.join(FAULT_COLUMNS)}")
    records = list(csv.reader(line for _, line in numbered))
    header = [cell.strip() for cell in records[0]]
    missing = [c for c in FAULT_COLUMNS if c not in header]
    if missing:
        raise MusicgenreError(f"fault list {path}, line {numbered[0][0]}: the header lacks column(s) {missing}; "
                              f"expected {','.join(FAULT_COLUMNS)}")
    where = {name: header.index(name) for name in FAULT_COLUMNS}
    rows = []
    for (number, _), cells in zip(numbered[1:], records[1:]):
        def bad(column, problem):
            return MusicgenreError(f"fault list {path}, line {number}, column {column!r}: {problem}")

        if len(cells) != len(header):
            raise MusicgenreError(f"fault list {path}, line {number}: {len(cells)} fields, the header has "
                                  f"{len(header)} ({','.join(header)}); quote a cell that holds a comma")
        row = {name: cells[where[name]].strip() for name in FAULT_COLUMNS}
        if not row["file"]:
            raise bad("file", "empty; name the file as the raw manifest does, e.g. blues.00000.wav")
        if known_files is not None and row["file"] not in known_files:
            raise bad("file", f"{row['file']!r} is not a file of the raw data (data/raw/manifest.csv); "
                              "names have no folder, e.g. blues.00000.wav")
        if row["fault"] not in FAULT_KINDS:
            raise bad("fault", f"unknown fault kind {row['fault']!r}; known: {', '.join(FAULT_KINDS)}")
        if row["correct_genre"] and genres is not None and row["correct_genre"] not in genres:
            raise bad("correct_genre", f"{row['correct_genre']!r} is not a genre of the data; "
                                       f"known: {', '.join(genres)}")
        rows.append(row)
    return pd.DataFrame(rows, columns=FAULT_COLUMNS)


def clean(manifest, faults, artists, mislabel_policy, distortion_policy):
    """Apply a fault list to a raw manifest.

    Returns the clean manifest (every raw file, with ``status`` saying whether and why it is used)
    and counts per reason. Order of decisions: unreadable files are skipped; duplicate groups that
    share a file are merged (a listed and a detected group may overlap), and each keeps its first
    readable member in the order of ``faults`` (so a list decides which copy stays, and a detected
    pair only adds links); a duplicate row with no group is a copy of a file the list cannot name,
    so it is dropped and never kept for a group (its original is not listed and stays);
    listed mislabels follow ``mislabel_policy``
    (``relabel`` needs a correct genre in the list, else the clip is dropped); listed distortions
    follow ``distortion_policy``. ``artists`` maps file to artist; a file with no known artist
    becomes its own group (``unknown:<file>``), so artist-aware splits never merge strangers.
    """
    rows = manifest[["file", "genre", "readable"]].copy()
    rows["original_genre"] = rows["genre"]
    rows["artist"] = [artists.get(f) or f"unknown:{f}" for f in rows["file"]]
    rows["status"] = "kept"
    readable = rows.set_index("file")["readable"].astype(bool)
    rows.loc[~rows["readable"].astype(bool), "status"] = "unreadable"
    present = faults[faults["file"].isin(rows["file"])]

    dup = present[present["fault"].isin(DUPLICATE_KINDS)]
    orphans = set(dup.loc[dup["group"] == "", "file"])  # copies of a file the list does not identify
    grouped = dup[dup["group"] != ""]
    groups = merge_groups(grouped["file"], grouped["group"])
    dropped_dups = set(orphans)
    for files in groups:
        keepers = [f for f in files if readable[f] and f not in orphans]
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


def refine_groups(listed, pairs):
    """Move a listed copy to the group the audio puts it in, when the two disagree.

    A list may guess which member of a group a copy repeats (GTZAN's groups of 3 and 4 do). When
    the fingerprint search paired a copy (a listed member after its group's first) only with files
    outside its group, the copy's group becomes its detected partner plus itself, the partner
    listed first and so kept. The first member of a group is never moved: the list chose it to
    stay. Returns the refined rows and the names of the copies moved.
    """
    partners = {}
    for a, b in zip(pairs["file_a"], pairs["file_b"]):
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    members = {}
    for file, fault, group in zip(listed["file"], listed["fault"], listed["group"]):
        if fault in DUPLICATE_KINDS and group:
            members.setdefault(group, []).append(file)
    rows, moved = [], []
    for row in listed.to_dict("records"):
        group = members.get(row["group"]) if row["fault"] in DUPLICATE_KINDS else None
        found = partners.get(row["file"], set())
        if group and row["file"] != group[0] and found and not found & set(group):
            partner = min(found)
            new_group = f"{partner};{row['file']}"
            rows.append({**row, "file": partner, "group": new_group, "note": f"detected partner of {row['file']}"})
            row = {**row, "group": new_group, "note": f"{row['note']}; moved from group {row['group']} by the audio"}
            moved.append(row["file"])
        rows.append(row)
    return pd.DataFrame(rows, columns=FAULT_COLUMNS), moved


def merge_groups(files, group_ids):
    """Member lists of the connected components of group memberships (union-find).

    Two groups that share a file are one group: the same audio, whichever list said so. Members
    keep the order in which ``files`` first names them, and groups the order of their first
    member, because the first member is the one the cleaning keeps.
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
    for file in dict.fromkeys(files):
        components.setdefault(root(("file", file)), []).append(file)
    return list(components.values())
