"""Out-of-fold clip probabilities for the review (:mod:`musicgenre.review`), made honest:

* **grouped by artist** (:func:`artist_folds`): each clip is scored by a model that never heard
  its artist, so a model cannot recall an artist's label instead of hearing the genre;
* **per family of** ``review.families``, with its settings from ``models.<family>``; where they list
  values to try, the candidate most accurate out of fold on the given labels is kept
  (:func:`family_probabilities`). The review averages the families' probabilities: models that err
  differently separate a wrong label from a hard clip better than any one of them (docs/review.md measures
  it).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedGroupKFold

from .cliprules import learnable
from .errors import MusicgenreError
from .evaluation import probabilities
from .fusion import shared_member_fits
from .selection import candidates, select
from .splits import fold_numbers
from .training import family_models

def artist_folds(clips, folds, seed):
    """``file → fold``: ``folds`` folds of whole artist groups (``group``, joint credits with their
    artists: :func:`musicgenre.artists.artist_groups`), each genre spread over them
    (``StratifiedGroupKFold``), so no clip is scored by a model that heard its artist."""
    groups = clips["group"].nunique()
    if groups < folds:
        raise MusicgenreError(f"review.folds is {folds} but the clips have only {groups} artist groups; "
                              "lower review.folds")
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # a genre with fewer artists than folds is spread as far as it goes
        warnings.simplefilter("ignore", UserWarning)
        fold = fold_numbers(splitter, clips, clips["group"])
    return fold.set_axis(clips["file"].to_numpy())


def out_of_fold(model, table, columns, labels):
    """Clip probabilities (one row per clip of ``table``, sorted; a column per label of ``labels``)
    of ``model`` fitted on every fold but the clip's own, on the rows of genres it can learn there
    (:func:`musicgenre.cliprules.learnable`). A label left out of a fit gets 0."""
    parts = []
    for fold in sorted(table["fold"].unique()):
        fit, held = table[table["fold"] != fold], table[table["fold"] == fold]
        fit = fit[learnable(fit["genre"], fit["file"])]
        fitted = clone(model).fit(fit[columns].to_numpy(), fit["genre"].to_numpy(), fit["file"].to_numpy(),
                                  folds=fit["fold"].to_numpy(), artists=fit["group"].to_numpy())
        clip_proba, _ = probabilities(fitted, held[columns].to_numpy(), held["file"].to_numpy())
        parts.append(clip_proba.reindex(columns=labels, fill_value=0.0))
    return pd.concat(parts).sort_index()


def family_probabilities(family, settings, representation, clips, fold, params):
    """Out-of-fold clip probabilities of one family on ``clips`` (:func:`reviewed_clips`) split by
    ``fold`` (:func:`artist_folds`). Where ``settings`` list values to try, every candidate is scored
    and the most accurate on the given labels kept. Returns ``(proba, record)``."""
    labels = sorted(clips["genre"].unique())
    rows = clips.assign(fold=clips["file"].map(fold))
    table = representation.read().merge(rows, on="file", how="inner", validate="many_to_one")
    missing = sorted(set(clips["file"]) - set(table["file"]))
    if missing:
        raise MusicgenreError(f"{representation.output} has no rows for {len(missing)} clips to review "
                              f"(e.g. {missing[0]}); run dvc repro")
    columns = representation.columns(params)
    given = clips.set_index("file")["genre"]
    probas = {}

    def folds_of(candidate):  # the out-of-fold accuracy on whole clips, as one validation fold
        model = next(iter(family_models(family, candidate, params["train"]["scaler"], params["seed"],
                                        representation, params).values()))
        proba = probas[id(candidate)] = out_of_fold(model, table, columns, labels)
        return [{"clip_accuracy": float(np.mean(proba.idxmax(axis=1) == given.loc[proba.index]))}]

    with warnings.catch_warnings(), shared_member_fits():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is a param; reaching it is the user's choice
        chosen, record = select(candidates(family, settings), folds_of, "whole")
    return probas[id(chosen)], {
        "chosen": record["chosen"], "out_of_fold_accuracy": record["validation_score"],
        "candidates": [{**{k: v for k, v in c.items() if not k.startswith("validation")},
                        "out_of_fold_accuracy": c["validation_score"]} for c in record["candidates"]]}
