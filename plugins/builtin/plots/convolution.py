"""The figure of a convolution: the two inputs and their convolution, as sequences one above
the other (1-D) or as images side by side (2-D), their axes counting entries in whole numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def plot_convolution(figure: Figure, a: np.ndarray, b: np.ndarray, output: np.ndarray) -> None:
    """`a`, `b` and `output`: the real part of each entry against its index (the imaginary
    part dashed when there is one), or each 2-D array as an image with its colour bar."""
    panels = {"a": a, "b": b, "output": output}
    if output.ndim == 2:
        figure.set_size_inches(12, 4)
        for axes, (name, values) in zip(figure.subplots(1, 3), panels.items(), strict=True):
            _draw_image(figure, axes, name, values)
        return
    figure.set_size_inches(7, 7)
    for axes, (name, values) in zip(figure.subplots(3, 1), panels.items(), strict=True):
        values = values.astype(complex if values.dtype.kind == "c" else float)
        index = np.arange(values.size)
        axes.plot(index, values.real, marker="o" if values.size <= 50 else "")
        if values.dtype.kind == "c":
            axes.plot(index, values.imag, linestyle="--", label="imaginary part")
            axes.legend()
        axes.set_ylabel(name)
        _whole_numbers(axes, "x")
    axes.set_xlabel("index")


def _draw_image(figure: Figure, axes: Axes, name: str, values: np.ndarray) -> None:
    """The real part of a 2-D array as an image filling its panel: row i down, column j across."""
    real = values.astype(complex if values.dtype.kind == "c" else float).real
    image = axes.imshow(real, cmap="viridis", aspect="auto", interpolation="nearest")
    figure.colorbar(image, ax=axes)
    axes.set_title(name if values.dtype.kind != "c" else f"{name} (real part)")
    axes.set_xlabel("column j")
    axes.set_ylabel("row i")
    _whole_numbers(axes, "xy")


def _whole_numbers(axes: Axes, which: str) -> None:
    """Ticks at whole numbers only on the index axes named in `which`."""
    from matplotlib.ticker import MaxNLocator

    for name in which:
        getattr(axes, f"{name}axis").set_major_locator(MaxNLocator(integer=True))
