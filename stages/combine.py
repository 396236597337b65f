"""DVC stage ``combine``: the table inputs (the descriptors and the musicnn embeddings) side by side
per chunk, in ``data/inputs/tables``: the input ``tables`` that the fusion family reads by default.

A stage of its own, so that a family reading several tables depends on exactly those (a change of
the mels reruns no fusion). Its deps in ``dvc.yaml`` list every table representation's folder.
"""

from musicgenre.errors import friendly_main
from musicgenre.paths import TABLES_CHUNKS
from musicgenre.representations import REPRESENTATIONS


@friendly_main
def main():
    combined = REPRESENTATIONS["tables"]
    chunks = combined.write(TABLES_CHUNKS)
    print(f"combine: {' + '.join(part.name for part in combined.parts)} side by side, {chunks} chunks")


if __name__ == "__main__":
    main()
