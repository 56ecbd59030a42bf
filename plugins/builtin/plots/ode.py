"""The figure of an ODE solution (euler, nn-ode): the solution against the exact one when it is
known, and beside it the absolute error on a log scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_solution(
    figure: Figure, x: np.ndarray, y: np.ndarray, exact: np.ndarray | None = None
) -> None:
    """`y` against `x`, one line per column of a system or batch (y[:, k]); with `exact`
    (the shape of `y`) dashed lines of it and a second panel of |y - exact|."""
    columns = y.reshape(x.size, -1)
    labels = ["y"] if columns.shape[1] == 1 else [f"y[{k}]" for k in range(columns.shape[1])]
    if exact is None:
        solution, error = figure.subplots(), None
    else:
        figure.set_size_inches(11, 4.5)
        solution, error = figure.subplots(1, 2)
    for k, label in enumerate(labels):
        [line] = solution.plot(x, columns[:, k], label=label)
        if exact is not None and error is not None:
            reference = exact.reshape(x.size, -1)[:, k]
            solution.plot(x, reference, "--", color=line.get_color(), label=f"{label} exact")
            difference = np.abs(columns[:, k] - reference)
            error.plot(x, np.where(difference > 0, difference, np.nan), color=line.get_color())
    solution.set_xlabel("x")
    solution.set_ylabel("y")
    solution.legend()
    if error is not None:
        error.set_yscale("log")
        error.set_xlabel("x")
        error.set_ylabel("|y - exact|")
