"""Dataset sources. Each one ends in the same raw layout (see :mod:`musicgenre.datasets.layout`)."""
