"""The figure of an sgd result: the MSE per epoch on a log scale, and the closed form's MSE."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_mse_history(
    figure: Figure, mse_history: np.ndarray, mse_closed_form: float, optimizer: str
) -> None:
    """The training MSE after each epoch, against the MSE of the closed-form solution."""
    axes = figure.subplots()
    epochs = np.arange(1, mse_history.size + 1)
    axes.plot(epochs, mse_history, label=optimizer)
    axes.axhline(mse_closed_form, color="black", linestyle="--", label="closed form")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("MSE")
    axes.legend()
