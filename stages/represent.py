"""DVC stages ``represent@<name>`` and ``hear@<name>``: one representation of every readable clip
(``params.yaml`` ``representations`` lists the package's, ``hear`` the HEAR modules), computed clip
by clip and saved under ``data/inputs/<name>``.

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
from musicgenre.representations import COMPUTED, available


@friendly_main
def main(name):
    params = load_params()
    listed = [*(n for n in section(params, "representations") if n in COMPUTED), *section(params, "hear")]
    if name not in listed:
        raise MusicgenreError(f"represent: unknown representation {name!r}; params.yaml lists {', '.join(listed)} "
                              f"(under representations, whose modules musicgenre/representations/ has: "
                              f"{', '.join(COMPUTED)}; and under hear)")
    representation = available(params)[name]
    stage = f"hear@{name}" if name in params["hear"] else f"represent@{name}"
    n_jobs = params[name]["n_jobs"] or 1
    (INPUTS / name).mkdir(parents=True, exist_ok=True)
    files = pd.read_csv(RAW_MANIFEST).query("readable")["file"].tolist()
    results = map_clips(representation.per_clip(params), [audio_path(RAW, f) for f in files], n_jobs, stage,
                        f"{name}.n_jobs", batch_size=representation.clips_per_task,
                        scheduler=params["compute"]["scheduler"])
    print(f"{stage}: {representation.write(files, results, params)}")


if __name__ == "__main__":
    main(sys.argv[1])
