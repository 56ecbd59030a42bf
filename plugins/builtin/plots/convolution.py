"""The figure of a convolution: the two inputs and their convolution, as sequences (1-D) or as
images (2-D)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_convolution(figure: Figure, a: np.ndarray, b: np.ndarray, output: np.ndarray) -> None:
    """`a`, `b` and `output` one above the other: the real part of each entry against its
    index (the imaginary part dashed when there is one), or each 2-D array as an image."""
    panels = {"a": a, "b": b, "output": output}
    figure.set_size_inches(7, 7)
    for axes, (name, values) in zip(figure.subplots(3, 1), panels.items(), strict=True):
        values = values.astype(complex if values.dtype.kind == "c" else float)
        if values.ndim == 2:
            figure.colorbar(axes.imshow(values.real, cmap="viridis"), ax=axes)
        else:
            index = np.arange(values.size)
            axes.plot(index, values.real, marker="o" if values.size <= 50 else "")
            if values.dtype.kind == "c":
                axes.plot(index, values.imag, linestyle="--", label="imaginary part")
                axes.legend()
        axes.set_ylabel(name)
