"""The figure of an ODE solution (euler, nn-ode): the solution against the exact one when it is
known, and beside it the absolute error on a log scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_LEGEND = 20
"""More lines than this are drawn without a legend, which would hide the plot."""


def plot_solution(
    figure: Figure,
    x: np.ndarray,
    y: np.ndarray,
    exact: np.ndarray | None = None,
    *,
    system: bool = False,
    batch: Sequence[str] | None = None,
) -> None:
    """`y` against `x`, one line per component of a `system` and per problem of a `batch`;
    with `exact` (the shape of `y`) dashed lines of it and a second panel of |y - exact|.

    `y` is (N,), (N, m) for a system, (N, B) for a batch or (N, m, B). Components are
    labelled y[k], as the expressions name them, and the problems of a batch by the labels
    in `batch` (`y0=0.5`).
    """
    columns = y.reshape(x.size, -1)
    labels = solution_labels(columns.shape[1], system=system, batch=batch)
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
    if len(solution.get_lines()) <= MAX_LEGEND:
        solution.legend()
    if error is not None:
        error.set_yscale("log")
        error.set_xlabel("x")
        error.set_ylabel("|y - exact|")


def solution_labels(count: int, *, system: bool, batch: Sequence[str] | None) -> list[str]:
    """The labels of the `count` columns of y reshaped to (N, m * B), component-major."""
    problems = list(batch) if batch else [""]
    components = [f"y[{k}]" for k in range(count // len(problems))] if system else ["y"]
    if not batch:
        labels = components
    elif not system:
        labels = problems
    else:
        labels = [f"{component}, {problem}" for component in components for problem in problems]
    if len(labels) != count:
        raise ValueError(f"{count} columns of y, but {len(labels)} labels")
    return labels
