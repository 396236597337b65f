"""DVC stage ``represent@<name>``: one representation of every readable clip (``params.yaml``
``representations`` lists them), computed clip by clip and saved under ``data/inputs/<name>``.

Runs on the raw manifest, not the cleaned one, so changing a cleaning policy never pays for these
again. What is computed and how it is saved is the representation's own
(:mod:`musicgenre.representations`); this stage only hands out the clips.
"""

import sys

import pandas as pd

from musicgenre.datasets.layout import audio_path
from musicgenre.errors import MusicgenreError, friendly_main
from musicgenre.parallel import map_clips
from musicgenre.params import load_params, section
from musicgenre.paths import INPUTS, RAW, RAW_MANIFEST
from musicgenre.representations import COMPUTED, REPRESENTATIONS


@friendly_main
def main(name):
    params = load_params()
    listed = section(params, "representations")
    if name not in COMPUTED or name not in listed:
        raise MusicgenreError(f"represent: unknown representation {name!r}; params.yaml representations lists "
                              f"{', '.join(listed)}, and musicgenre/representations/ has {', '.join(COMPUTED)}")
    representation = REPRESENTATIONS[name]
    n_jobs = params[name]["n_jobs"] or 1
    (INPUTS / name).mkdir(parents=True, exist_ok=True)
    files = pd.read_csv(RAW_MANIFEST).query("readable")["file"].tolist()
    results = map_clips(representation.per_clip(params), [audio_path(RAW, f) for f in files], n_jobs,
                        f"represent@{name}", f"{name}.n_jobs", batch_size=representation.clips_per_task,
                        scheduler=params["compute"]["scheduler"])
    print(f"represent@{name}: {representation.write(files, results, params)}")


if __name__ == "__main__":
    main(sys.argv[1])
