"""What a family learns from, in one place: the descriptors, the log-mel spectrograms, the musicnn
embeddings, and ``inputs``: the table inputs side by side, which the fusion family reads.

A representation says everything the pipeline needs to know about one kind of input:

* **per clip**: the function its DVC stage maps over the clips (:meth:`Representation.per_clip`),
  with its params checked;
* **its DVC output** (``output``), which is also ``models.<family>.input``, the family's dependency;
* **per chunk**: what ``predict`` computes from one chunk of a file (:meth:`~Representation.chunk`)
  and how those become one batch for a model (:meth:`~Representation.batch`);
* **its table**: the output's chunk rows joined to the split, the columns a model reads, and the
  model input of some rows (:meth:`~Representation.inputs`);
* **its bundle config**: what a bundle must hold to compute it again from audio, with no project.

``train``, ``evaluate``, ``predict`` and ``leakage`` ask it and never branch on the kind of input.
Adding a representation (or a second pretrained model) is one module in this package (a
:class:`Representation` subclass, listed in :data:`REPRESENTATIONS`), its section in
``params.yaml``, and its stage in ``dvc.yaml``. Each representation has its own module so that
the stage computing it depends on that module only: editing one never reruns the others' stages.
"""

from ..errors import MusicgenreError
from .base import Representation, labelled_chunks
from .combined import Combined
from .descriptors import Descriptors, descriptor_columns
from .embeddings import Embeddings
from .mels import Mels

__all__ = ["REPRESENTATIONS", "TABLES", "Representation", "descriptor_columns", "labelled_chunks", "named"]

_SINGLE = (Descriptors(), Mels(), Embeddings())
#: The inputs that are tables of chunk vectors (what pooling and the fusion family combine).
TABLES = ("features", "embeddings")
REPRESENTATIONS = {r.name: r for r in _SINGLE}
REPRESENTATIONS["inputs"] = Combined([REPRESENTATIONS[name] for name in TABLES])


def named(name):
    """The representation a bundle's ``config["input"]`` names."""
    if name not in REPRESENTATIONS:
        raise MusicgenreError(f"unknown input {name!r}; known: {', '.join(REPRESENTATIONS)} (is the bundle "
                              "from a newer musicgenre?)")
    return REPRESENTATIONS[name]

