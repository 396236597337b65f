"""Plots that must stay readable whatever the number of labels."""

import matplotlib.image as mpimg
import numpy as np

from musicgenre.plots import confusion_png


def test_the_confusion_plot_grows_with_the_labels(tmp_path):
    rng = np.random.default_rng(0)
    sizes = {}
    for n in (4, 16, 120):
        labels = [f"label {k} é" for k in range(n)]
        actual, predicted = rng.choice(labels, 500), rng.choice(labels, 500)
        confusion_png(actual, predicted, labels, f"{n} labels", tmp_path / f"{n}.png")
        sizes[n] = mpimg.imread(tmp_path / f"{n}.png").shape[:2]
    assert sizes[4] == (600, 700)  # the default size for few labels
    assert sizes[4][0] < sizes[16][0] < sizes[120][0] <= 4000
