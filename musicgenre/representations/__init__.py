"""What a family learns from, in one place: the descriptors, the log-mel spectrograms, the musicnn
embeddings, and ``tables``: the table inputs side by side, which the fusion family reads.

A representation says everything the pipeline needs to know about one kind of input:

* **per clip**: the function its DVC stage maps over the clips (:meth:`Representation.per_clip`),
  from params the schema checked (:mod:`musicgenre.schema`), and how the results are saved
  (:meth:`~Representation.write`);
* **its name**, which ``models.<family>.input`` gives (checked: a table for the families on tables,
  an array for the networks), and **its DVC output** ``data/inputs/<name>`` (``output``), which is
  then the dependency of that family's ``train@`` and ``evaluate@`` stages;
* **per file in predict**: the chunks of one decoded file as this input, by the same function the
  stage's per-clip work calls, so a file's rows equal the stage's (:meth:`~Representation.chunks`),
  and how those become one batch for a model (:meth:`~Representation.batch`);
* **its table**: the output's chunk rows joined to the split, the columns a model reads, and the
  model input of some rows (:meth:`~Representation.inputs`);
* **its bundle config**: what a bundle must hold to compute it again from audio, with no project.

``train``, ``evaluate``, ``predict`` and ``leakage`` ask it and never branch on the kind of input.

**An embedding of the HEAR 2021 API** needs no module here: a line under ``hear`` in ``params.yaml``
(``passt: hear21passt.base``) and a section of that name make it a representation (:mod:`.hear`),
with a stage ``hear@<name>`` writing ``data/inputs/<name>``; a family on tables reads it by name.

**Adding a representation** (or a second pretrained model) is one module in this package, which
sets ``REPRESENTATION`` to an instance of its :class:`Representation` subclass (it is found here
by that name), plus ``params.yaml``: its section (named like the representation) and one line
under ``representations``, which gives it a DVC stage ``represent@<name>`` writing
``data/inputs/<name>``. Each representation has its own module so that its stage depends on that
module only: editing one never reruns the others' stages. A family reads it as soon as its
``models.<family>.input`` names it; for a table the fusion's members can read too, add its folder
to the ``combine`` stage's deps in ``dvc.yaml``, which writes ``tables`` (a test keeps the two
lists equal for the shipped representations).
"""

import importlib
import pkgutil

from ..errors import MusicgenreError
from .base import Representation, labelled_chunks
from .combined import Combined
from .hear import Hear

__all__ = ["COMPUTED", "REPRESENTATIONS", "TABLES", "Representation", "available", "labelled_chunks", "named"]


def _discovered():
    """Every module of this package that sets ``REPRESENTATION``, by name (module order)."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        representation = getattr(importlib.import_module(f"{__name__}.{module.name}"), "REPRESENTATION", None)
        if representation is not None:
            found[representation.name] = representation
    return found


REPRESENTATIONS = _discovered()
#: The inputs that a stage computes from audio (``represent@<name>``); ``tables`` is made of them.
COMPUTED = tuple(REPRESENTATIONS)
#: The inputs that are tables of chunk vectors (what pooling and the fusion family combine).
TABLES = tuple(name for name, representation in REPRESENTATIONS.items() if representation.tabular)
REPRESENTATIONS["tables"] = Combined([REPRESENTATIONS[name] for name in TABLES])


def available(params):
    """Every representation a family may read: the package's, and each HEAR module ``params.yaml``
    lists under ``hear`` (:class:`Hear`), by name."""
    return {**REPRESENTATIONS, **{name: Hear(name, module) for name, module in params["hear"].items()}}


def named(name, config=None):
    """The representation a bundle's ``config["input"]`` names (a HEAR module's: ``config["hear"]``)."""
    if "hear" in (config or {}):
        return Hear(name, config["hear"])
    if name not in REPRESENTATIONS:
        raise MusicgenreError(f"unknown input {name!r}; known: {', '.join(REPRESENTATIONS)} (a bundle made by "
                              "another version of musicgenre, or with a representation this one lacks: retrain it)")
    return REPRESENTATIONS[name]
