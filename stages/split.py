"""DVC stage ``split``: train/test sets and CV folds by the chosen strategy (params ``split``)."""

import pandas as pd

from musicgenre.errors import friendly_main
from musicgenre.faults import USABLE
from musicgenre.files import atomic_write
from musicgenre.params import load_params, section
from musicgenre.paths import CHUNKS, CLEAN_MANIFEST, RAW_MANIFEST, SPLIT
from musicgenre.gtzan import fault_filtered_split
from musicgenre.splits import make_split, resolve_strategy


@friendly_main
def main():
    params = load_params()
    settings = section(params, "split")
    clips = pd.read_csv(CLEAN_MANIFEST)
    clips = clips[clips["status"].isin(USABLE)]
    chunks = pd.read_parquet(CHUNKS, columns=["file", "chunk"])
    strategy = resolve_strategy(settings["strategy"], section(params, "dataset.source"))
    published = {"fault_filtered": fault_filtered_split, "official": official_split}.get(strategy, dict)()
    table = make_split(chunks, clips, strategy, settings["test_fraction"], settings["folds"],
                       section(params, "seed"), published=published)
    with atomic_write(SPLIT) as temporary:
        table.to_csv(temporary, index=False)
    per_set = table.drop_duplicates("file")["set"].value_counts()
    print(f"split ({strategy}): {per_set.get('train', 0)} train clips, {per_set.get('test', 0)} test clips, "
          f"{table.loc[table['set'] == 'test', 'artist'].nunique()} test artists")


def official_split():
    """FMA's official split, from the raw manifest's ``official_set`` column (file → train/valid/test)."""
    manifest = pd.read_csv(RAW_MANIFEST, keep_default_na=False)
    return {file: kind for file, kind in zip(manifest["file"], manifest["official_set"]) if kind}


if __name__ == "__main__":
    main()
