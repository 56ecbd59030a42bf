"""The figure of an ffnn result: the loss per epoch on the training and test sets (log scale),
beside it the test set's confusion matrix for a classification, or the fitted curve over the
data for a regression on one input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from solverq.plugins.builtin.data_preparation import Split
from solverq.plugins.contract import Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Curve = tuple[Split, np.ndarray, np.ndarray]


def plot_network_result(figure: Figure, result: Result, curve: Curve | None) -> None:
    """Loss curves; then the confusion matrix, or the 1-D fit `curve` (data, grid, fitted)."""
    confusion = result.summary.get("confusion")
    if confusion is None and curve is None:
        _plot_losses(figure.subplots(), result)
        return
    figure.set_size_inches(11, 4.5)
    losses, other = figure.subplots(1, 2)
    _plot_losses(losses, result)
    if confusion is not None:
        _plot_confusion(figure, other, np.array(confusion), result.summary["classes"])
    elif curve is not None:
        _plot_fit(other, *curve)


def _plot_losses(axes: Axes, result: Result) -> None:
    history = result.arrays["loss_history"]
    epochs = np.arange(1, history.size + 1)
    axes.plot(epochs, history, label="train")
    test = result.arrays["test_loss_history"]
    if test.size:
        axes.plot(epochs, test, label="test")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("MSE" if result.summary["task"] == "regression" else "cross-entropy")
    axes.legend()


def _plot_confusion(figure: Figure, axes: Axes, counts: np.ndarray, classes: list[Any]) -> None:
    image = axes.imshow(counts, cmap="Blues")
    ticks = range(len(classes))
    labels = [str(label) for label in classes]
    axes.set_xticks(ticks, labels)
    axes.set_yticks(ticks, labels)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    axes.set_title("test set")
    middle = counts.max() / 2
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if count > middle else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    figure.colorbar(image, ax=axes, label="rows")


def _plot_fit(axes: Axes, split: Split, grid: np.ndarray, fitted: np.ndarray) -> None:
    axes.plot(split.train_inputs[:, 0], split.train_targets, ".", alpha=0.5, label="train")
    if len(split.test_targets):
        axes.plot(split.test_inputs[:, 0], split.test_targets, ".", alpha=0.7, label="test")
    axes.plot(grid, fitted, color="black", label="network")
    axes.set_xlabel(split.names[0])
    axes.set_ylabel("y")
    axes.legend()
