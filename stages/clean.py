"""DVC stage ``clean``: apply the source's fault list and the cleaning policies (params ``clean``)."""

import pandas as pd

from musicgenre import gtzan
from musicgenre.errors import friendly_main
from musicgenre.faults import clean, fault_list_path, read_fault_list
from musicgenre.jsonio import write_json
from musicgenre.params import load_params, section
from musicgenre.paths import ARTISTS, CLEAN_MANIFEST, CLEANING_METRICS, RAW, RAW_MANIFEST


@friendly_main
def main():
    params = load_params()
    policy = section(params, "clean")
    manifest = pd.read_csv(RAW_MANIFEST)
    source = section(params, "dataset.source")
    faults = read_fault_list(fault_list_path(source, RAW))
    # the demo generator writes its artists; GTZAN's come from Sturm's index shipped in the package
    artists = pd.read_csv(ARTISTS).set_index("file")["artist"].to_dict() if source == "synthetic" else gtzan.artists()
    table, counts = clean(manifest, faults, artists, policy.get("mislabel_policy"), policy.get("distortion_policy"))
    CLEAN_MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(CLEAN_MANIFEST, index=False)
    write_json(counts, CLEANING_METRICS)
    print(f"clean: {counts['usable']} of {counts['files']} clips usable; {counts['dropped_duplicate']} duplicates, "
          f"{counts['relabelled']} relabelled, {counts['dropped_mislabel']} mislabels dropped, "
          f"{counts['unreadable']} unreadable")


if __name__ == "__main__":
    main()
