"""Signal processing: what is computed from a clip's samples, apart from where it is stored.

* :mod:`.features` — the 57 Kaggle descriptors per chunk (librosa's recipe, computed once per clip);
* :mod:`.mels` — log-mel spectrograms per chunk, and a picture per clip;
* :mod:`.embeddings` — the pretrained musicnn network's activations per chunk;
* :mod:`.hear` — any HEAR 2021 API module's embeddings per chunk (the user's own embedding).

Each is wrapped by the representation of the same name (:mod:`musicgenre.representations`),
which says how its stage saves the results, how a model reads them and what a bundle must hold to
compute them again. ``predict`` calls these same functions on a file, so its rows equal the stage's.
"""
