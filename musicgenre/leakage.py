"""How much do the usual shortcuts inflate accuracy? One family, four protocols, same features.

The protocols go from the usual shortcut to the honest one:

* ``random`` — chunks split at random on the raw data (duplicates and mislabels included);
* ``song`` — whole clips held out, raw data (the original study's protocol);
* ``artist_raw`` — artist-disjoint split of the raw data, beside
* ``artist`` — the same split of the cleaned data: the pair shows what the fault list and the
  duplicate search change on their own, with the split held fixed: the held-out artists are chosen
  once, on the raw data (:func:`musicgenre.splits.held_out_artists`), and tested on both sides (the
  cleaned side just has fewer clips of them);
* ``fault_filtered`` — GTZAN's published split (only for GTZAN sources).

Hyper-parameters, features and seed are the same everywhere, so the differences are the leak.
"""

from .errors import MusicgenreError
from .evaluation import evaluate
from .faults import USABLE
from .cliprules import VoteModel
from .models import build
from .splits import artists_digest, held_out_artists, make_split
from .representations import labelled_chunks

#: protocol → (data, split strategy, description)
PROTOCOLS = {
    "random": ("raw", "random", "random chunk split, raw data"),
    "song": ("raw", "song", "song split, raw data"),
    "artist_raw": ("raw", "artist", "artist split, raw data"),
    "artist": ("clean", "artist", "artist split, cleaned data"),
    "fault_filtered": ("raw", "fault_filtered", "published fault-filtered split"),
}


def run(chunks, clean_manifest, model_settings, protocols, test_fraction, seed, published):
    """Train and test ``model_settings`` (``family, settings, scaler, columns``) under each protocol.

    ``clean_manifest`` is the clean stage's table (every raw file, its filed genre in
    ``original_genre`` and its status). Returns ``{protocol: metrics}``.
    """
    family, settings, scaler, columns = model_settings
    data = {
        "raw": clean_manifest[clean_manifest["status"] != "unreadable"].assign(genre=lambda t: t["original_genre"]),
        "clean": clean_manifest[clean_manifest["status"].isin(USABLE)],
    }
    held_out = held_out_artists(data["raw"], test_fraction, seed)  # one set of test artists for both artist protocols
    results = {}
    for name in protocols:
        if name not in PROTOCOLS:
            raise MusicgenreError(f"params.yaml: leakage.protocols has unknown {name!r}; known: {', '.join(PROTOCOLS)}")
        data_name, strategy, label = PROTOCOLS[name]
        split = make_split(chunks, data[data_name], strategy, test_fraction, 2, seed, published=published,
                           held_out=held_out if strategy == "artist" else None)
        table = labelled_chunks(chunks, split)
        train, test = table[table["set"] == "train"], table[table["set"] == "test"]
        model = VoteModel(build(family, settings, scaler, seed)).fit(  # every protocol can vote, random's too
            train[columns].to_numpy(), train["genre"].to_numpy(), train["file"].to_numpy(),
            artists=train["group"].to_numpy())
        metrics, _ = evaluate(model, test[columns].to_numpy(), test, seed)
        results[name] = {
            "description": label,
            "data": data_name,
            "clip_accuracy": metrics["clip"]["accuracy"],
            "clip_accuracy_ci95_low": metrics["clip"]["accuracy_ci95_low"],
            "clip_accuracy_ci95_high": metrics["clip"]["accuracy_ci95_high"],
            "chunk_accuracy": metrics["chunk"]["accuracy"],
            "test_clips": metrics["test_size"]["clips"],
        }
        if strategy == "artist":
            results[name]["held_out_artists"] = {"count": len(held_out), "digest": artists_digest(held_out)}
    return results
