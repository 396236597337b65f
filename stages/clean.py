"""DVC stage ``clean``: apply the source's fault list, detect unlisted duplicates, apply the policies.

Writes ``data/clean/manifest.csv`` (every raw file with its status), ``data/clean/duplicates.csv``
(what the fingerprint search found) and ``metrics/cleaning.json`` (counts per reason).
"""

import pandas as pd

from musicgenre import gtzan
from musicgenre.datasets import is_gtzan
from musicgenre.datasets.layout import audio_path
from musicgenre.errors import friendly_main
from musicgenre.faults import DUPLICATE_KINDS, FAULT_KINDS, clean, fault_lists, refine_groups
from musicgenre.files import atomic_write
from musicgenre.fingerprint import as_faults, find_duplicates, fingerprint_file, precision_recall
from musicgenre.jsonio import write_json
from musicgenre.parallel import map_clips
from musicgenre.params import load_params, section
from musicgenre.paths import ARTISTS, CLEAN_MANIFEST, CLEANING_METRICS, DUPLICATES, RAW, RAW_MANIFEST



@friendly_main
def main():
    params = load_params()
    policy = section(params, "clean")
    detection = policy["detect_duplicates"]
    n_jobs = policy["n_jobs"] or 1
    source = section(params, "dataset.source")
    manifest = pd.read_csv(RAW_MANIFEST)
    listed = fault_lists(source, RAW, policy["extra_faults"], manifest)
    # GTZAN's artists come from Sturm's index shipped in the package; other sources write their own
    artists = gtzan.artists() if is_gtzan(source) else read_artists()

    pairs = find_duplicates(fingerprints(manifest, n_jobs, params["compute"]["scheduler"])) if detection != "skip" else find_duplicates({})
    faults, moved = listed, []
    if detection == "drop":  # the audio refines the list's groups and adds the pairs it found
        refined, moved = refine_groups(listed, pairs)
        faults = pd.concat([refined, as_faults(pairs)], ignore_index=True)
    table, counts = clean(manifest, faults, artists, policy["mislabel_policy"], policy["distortion_policy"])
    counts["moved_by_audio"] = len(moved)
    counts["listed"] = {kind: int((listed["fault"] == kind).sum()) for kind in FAULT_KINDS}
    counts["detector"] = detector_counts(pairs, listed, set(manifest.loc[manifest["readable"], "file"]))

    with atomic_write(CLEAN_MANIFEST) as temporary:
        table.to_csv(temporary, index=False)
    with atomic_write(DUPLICATES) as temporary:
        pairs.to_csv(temporary, index=False)
    write_json(counts, CLEANING_METRICS)
    print(f"clean: {counts['usable']} of {counts['files']} clips usable; {counts['dropped_duplicate']} duplicates "
          f"dropped ({len(pairs)} pairs detected, {counts['detector']['pairs_not_listed']} not on the list), "
          f"{counts['relabelled']} relabelled, {counts['dropped_mislabel']} mislabels dropped, "
          f"{counts['unreadable']} unreadable")
    if counts["moved_by_audio"]:
        print(f"clean: the audio put {', '.join(moved)} in another duplicate group than the list did")


def read_artists():
    """file → artist from ``data/raw/artists.csv`` (a file with an empty artist has none)."""
    table = pd.read_csv(ARTISTS, keep_default_na=False)
    return dict(zip(table["file"], table["artist"]))


def fingerprints(manifest, n_jobs, scheduler):
    files = manifest.loc[manifest["readable"], "file"].tolist()
    return dict(zip(files, map_clips(fingerprint_file, [audio_path(RAW, f) for f in files], n_jobs,
                                     "clean (fingerprints)", "clean.n_jobs",
                                     scheduler=scheduler), strict=True))  # strict: the bar reaches its end


def detector_counts(pairs, listed, audible):
    """Detected pairs, and how they compare with the duplicate pairs the fault list names.

    Only listed pairs whose two files are here and readable count (``audible``): the detector
    cannot find a pair in audio it never heard, so a partial copy of the data does not lower recall.
    """
    found = {frozenset(p) for p in zip(pairs["file_a"], pairs["file_b"])}
    truth = set()
    grouped = listed[listed["fault"].isin(DUPLICATE_KINDS) & (listed["group"] != "")]
    for _, members in grouped.groupby("group")["file"]:
        members = sorted(set(members))
        truth |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:] if {a, b} <= audible}
    return {"pairs": len(found), "exact_pairs": int((pairs["kind"] == "exact").sum()),
            "pairs_not_listed": len(found - truth), "listed_pairs": len(truth),
            **precision_recall(found, truth)}


if __name__ == "__main__":
    main()
