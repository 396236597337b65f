"""Figures written as PNG next to the CSV/JSON that ``dvc plots`` renders itself."""

import matplotlib

matplotlib.use("Agg")  # stages run headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402


def confusion_png(actual, predicted, labels, title, path):
    """A clip-level confusion matrix, rows = actual genre, with counts in the cells."""
    matrix = confusion_matrix(actual, predicted, labels=labels)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(title)
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, count, ha="center", va="center",
                    color="white" if count > matrix.max() / 2 else "black", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
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
    fig.savefig(path, dpi=100)
    plt.close(fig)
