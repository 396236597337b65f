"""Figures written as PNG next to the CSV/JSON that ``dvc plots`` renders itself."""

import matplotlib

matplotlib.use("Agg")  # stages run headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

from .files import atomic_write  # noqa: E402


def confusion_png(actual, predicted, labels, title, path):
    """A clip-level confusion matrix, rows = actual genre, with counts in the cells.

    The figure grows with the number of labels (a user's collection may have hundreds), up to
    40 inches a side; past 40 labels the cells are too small for their counts, which the CSV has."""
    matrix = confusion_matrix(actual, predicted, labels=labels)
    side = min(40.0, max(6.0, 2.5 + 0.35 * len(labels)))
    small = 8 if len(labels) <= 20 else 6
    fig, ax = plt.subplots(figsize=(side + 1, side))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=small)
    ax.set_yticks(range(len(labels)), labels, fontsize=small)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(title)
    for (i, j), count in np.ndenumerate(matrix if len(labels) <= 40 else np.zeros((0, 0))):
        if count:
            ax.text(j, i, count, ha="center", va="center",
                    color="white" if count > matrix.max() / 2 else "black", fontsize=small)
    fig.tight_layout()
    with atomic_write(path) as temporary:
        fig.savefig(temporary, dpi=100)
    plt.close(fig)


def comparison_png(cv_scores, test_scores, title, path):
    """The original study's figure: cross-validation accuracy per family as boxes, test as dots."""
    families = list(cv_scores)
    fig, ax = plt.subplots(figsize=(max(4, 1.4 * len(families)), 4.5))
    ax.boxplot([cv_scores[f] for f in families], tick_labels=families)
    ax.scatter(range(1, len(families) + 1), [test_scores[f] for f in families],
               marker="D", color="crimson", zorder=3, label="test (clip)")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    with atomic_write(path) as temporary:
        fig.savefig(temporary, dpi=100)
    plt.close(fig)


def by_length_png(scores, title, path):
    """Test clip accuracy against the seconds each family heard: one line per family, from its
    shortest excerpts to its whole clips, with 95% intervals as bands. ``scores``: a frame of
    ``family, seconds, accuracy, accuracy_ci95_low, accuracy_ci95_high``."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for family, rows in scores.groupby("family", sort=False):
        rows = rows.sort_values("seconds")
        line, = ax.plot(rows["seconds"], rows["accuracy"], marker="o", label=family)
        ax.fill_between(rows["seconds"], rows["accuracy_ci95_low"], rows["accuracy_ci95_high"],
                        color=line.get_color(), alpha=0.12)
    ax.set_xlabel("seconds of audio per clip (excerpt, or the whole clip)")
    ax.set_ylabel("test clip accuracy")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    with atomic_write(path) as temporary:
        fig.savefig(temporary, dpi=100)
    plt.close(fig)


#: from the leakiest protocol (red) to the honest ones (blue, green)
PROTOCOL_COLOURS = {"random": "#c0392b", "song": "#e67e22", "artist_raw": "#8e44ad", "artist": "#2e86c1",
                    "fault_filtered": "#1e8449"}


def leakage_png(results, title, path):
    """One bar per protocol with its 95% interval: the inflation, side by side."""
    names = list(results)
    accuracy = [results[n]["clip_accuracy"] for n in names]
    errors = [[a - results[n]["clip_accuracy_ci95_low"] for n, a in zip(names, accuracy)],
              [results[n]["clip_accuracy_ci95_high"] - a for n, a in zip(names, accuracy)]]
    fig, ax = plt.subplots(figsize=(1.8 * len(names) + 1, 4.5))
    bars = ax.bar(range(len(names)), accuracy, yerr=errors, capsize=6,
                  color=[PROTOCOL_COLOURS.get(n, "#7f8c8d") for n in names])
    ax.bar_label(bars, labels=[f"{a:.2f}" for a in accuracy], label_type="center", color="white")
    ax.set_xticks(range(len(names)), [results[n]["description"].replace(", ", "\n") for n in names], fontsize=8)
    ax.set_ylabel("test clip accuracy (95% CI)")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    fig.tight_layout()
    with atomic_write(path) as temporary:
        fig.savefig(temporary, dpi=100)
    plt.close(fig)


def learning_curve_png(curves, title, path):
    """The original study's learning-curve figure: loss and accuracy per epoch, training and
    validation. ``curves`` maps ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy`` to per-epoch values."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for prefix, label in (("", "training"), ("val_", "validation (unseen artists)")):
            values = curves[prefix + metric]
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_write(path) as temporary:
        fig.savefig(temporary, dpi=100)
    plt.close(fig)
