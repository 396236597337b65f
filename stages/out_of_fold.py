"""DVC stage ``out_of_fold@<family>``: one review family's clip probabilities, each clip's from models
that never heard its artist, on the labels as downloaded (:mod:`musicgenre.review`).

Writes ``data/review/out_of_fold/<family>/proba.csv`` (a row per reviewed clip, a ``p_<genre>``
column per genre) and ``choice.json`` (the values chosen where ``models.<family>`` lists values to
try, and their out-of-fold accuracy). One stage per family of ``review.families``, each with its
own ``models.<family>`` params, so tuning a family reruns only its own probabilities.
"""

import sys

import pandas as pd

from musicgenre.errors import friendly_main
from musicgenre.files import atomic_write
from musicgenre.jsonio import write_json
from musicgenre.models import family_input
from musicgenre.params import choice, load_params, section
from musicgenre.paths import CLEAN_MANIFEST, out_of_fold_dir
from musicgenre.out_of_fold import artist_folds, family_probabilities
from musicgenre.review import reviewed_clips
from musicgenre.schema import SEARCHABLE


@friendly_main
def main(family):
    params = load_params()
    models = section(params, "models")
    on_tables = tuple(f for f in SEARCHABLE if f in models)
    choice(family, "each of review.families (a family on tables, under models)", on_tables)
    clips = reviewed_clips(pd.read_csv(CLEAN_MANIFEST, keep_default_na=False))
    fold = artist_folds(clips, section(params, "review.folds"), section(params, "seed"))
    settings = models[family]
    proba, record = family_probabilities(family, settings, family_input(family, settings, params), clips, fold, params)
    out = out_of_fold_dir(family)
    with atomic_write(out / "proba.csv") as temporary:
        proba.add_prefix("p_").round(6).rename_axis("file").to_csv(temporary)
    write_json(record, out / "choice.json")
    print(f"out_of_fold@{family}: chose {record['chosen']} of {len(record['candidates'])} candidates; out-of-fold clip "
          f"accuracy {record['out_of_fold_accuracy']:.3f} on {len(proba)} clips, labels as downloaded")


if __name__ == "__main__":
    main(sys.argv[1])
