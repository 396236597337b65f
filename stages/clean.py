"""DVC stage ``clean``: apply the source's fault list, detect unlisted duplicates, apply the policies.

Writes ``data/clean/manifest.csv`` (every raw file with its status), ``data/clean/duplicates.csv``
(what the fingerprint search found) and ``metrics/cleaning.json`` (counts per reason).
"""

import pandas as pd

from musicgenre import gtzan
from musicgenre.datasets.layout import audio_path
from musicgenre.errors import friendly_main
from musicgenre.faults import DUPLICATE_KINDS, FAULT_KINDS, clean, fault_list_path, read_fault_list
from musicgenre.fingerprint import as_faults, find_duplicates, fingerprint_file, precision_recall
from musicgenre.jsonio import write_json
from musicgenre.parallel import map_clips
from musicgenre.params import choice, load_params, number, section
from musicgenre.paths import ARTISTS, CLEAN_MANIFEST, CLEANING_METRICS, DUPLICATES, RAW, RAW_MANIFEST

DETECTION = ("drop", "report", "skip")  # not "off": YAML 1.1 reads off as false


@friendly_main
def main():
    params = load_params()
    policy = section(params, "clean")
    detection = choice(policy.get("detect_duplicates"), "clean.detect_duplicates", DETECTION)
    n_jobs = number(policy.get("n_jobs"), "clean.n_jobs", -1, integer=True) or 1
    source = section(params, "dataset.source")
    manifest = pd.read_csv(RAW_MANIFEST)
    listed = read_fault_list(fault_list_path(source, RAW))
    # the demo generator writes its artists; GTZAN's come from Sturm's index shipped in the package
    artists = pd.read_csv(ARTISTS).set_index("file")["artist"].to_dict() if source == "synthetic" else gtzan.artists()

    pairs = find_duplicates(fingerprints(manifest, n_jobs)) if detection != "skip" else find_duplicates({})
    faults = pd.concat([listed, as_faults(pairs)], ignore_index=True) if detection == "drop" else listed
    table, counts = clean(manifest, faults, artists, policy.get("mislabel_policy"), policy.get("distortion_policy"))
    counts["listed"] = {kind: int((listed["fault"] == kind).sum()) for kind in FAULT_KINDS}
    counts["detector"] = detector_counts(pairs, listed)

    CLEAN_MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(CLEAN_MANIFEST, index=False)
    pairs.to_csv(DUPLICATES, index=False)
    write_json(counts, CLEANING_METRICS)
    print(f"clean: {counts['usable']} of {counts['files']} clips usable; {counts['dropped_duplicate']} duplicates "
          f"dropped ({len(pairs)} pairs detected, {counts['detector']['pairs_not_listed']} not on the list), "
          f"{counts['relabelled']} relabelled, {counts['dropped_mislabel']} mislabels dropped, "
          f"{counts['unreadable']} unreadable")


def fingerprints(manifest, n_jobs):
    files = manifest.loc[manifest["readable"], "file"].tolist()
    return dict(zip(files, map_clips(fingerprint_file, [audio_path(RAW, f) for f in files], n_jobs,
                                     "clean (fingerprints)", "clean.n_jobs")))


def detector_counts(pairs, listed):
    """Detected pairs, and how they compare with the duplicate pairs the fault list names."""
    found = {frozenset(p) for p in zip(pairs["file_a"], pairs["file_b"])}
    truth = set()
    for _, members in listed[listed["fault"].isin(DUPLICATE_KINDS)].groupby("group")["file"]:
        members = sorted(set(members))
        truth |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
    return {"pairs": len(found), "exact_pairs": int((pairs["kind"] == "exact").sum()),
            "pairs_not_listed": len(found - truth), "listed_pairs": len(truth),
            **precision_recall(found, truth)}


if __name__ == "__main__":
    main()
