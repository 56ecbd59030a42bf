"""The residual between the collocation points, and where to add points.

Training makes the residual F small at the collocation points x_1..x_n only; between them the
network is free. The validation grid holds the midpoints of the collocation points and a fine
uniform grid of [x0, x1]; the RMS and the maximum of |F| there measure the trial solution as a
whole. Relative to the scale of the equation's leading term,

    r = rms(F) / max(rms(y_t^(order)), rms(y_t)/L^order),     L = x1 - x0,

they do not depend on the units of x or y. The error the residual causes is estimated on the
uniform part of the grid (`solverq.solvers.nn_ode.error_estimate`), the rounding error of
evaluating y_t there is bounded (`solverq.solvers.nn_ode.rounding`), and their sum, the error of
the values of y_t a caller receives, is measured against the solution's size, max |y_t|.

New points follow the residual (residual-based adaptive distribution, C. Wu, M. Zhu, Q. Tan,
Y. Kartha, L. Lu, "A comprehensive study of non-adaptive and residual-based adaptive sampling for
physics-informed neural networks", Comput. Methods Appl. Mech. Engrg. 403, 2023): they sit at
evenly spaced quantiles of the density |F(x)|/mean|F| + 1 on the validation grid, so that most
go where the residual is largest and none coincide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.nn_ode.error_estimate import estimated_error
from solverq.solvers.nn_ode.loss import residual
from solverq.solvers.nn_ode.network import Network, network_forward
from solverq.solvers.nn_ode.rounding import rounding_error
from solverq.solvers.nn_ode.trial import TrialSolution
from solverq.solvers.ode.problem import ODEProblem

FINE_POINTS = 2001
"""The points of the uniform part of the validation grid (at least ten per collocation point)."""


@dataclass(frozen=True)
class Validation:
    """The residual on the validation grid: its RMS, its maximum, the RMS relative to the
    equation's scale, and its values (components, points) on `grid`; the estimated max error
    max |e| + δy, the solution's size max |y_t|, and the largest bound δy on the rounding error
    of y_t's values."""

    rms: float
    max: float
    relative: float
    grid: np.ndarray
    residuals: np.ndarray
    error_estimate: float
    size: float
    rounding_error: float = 0.0


def validation_grid(x0: float, x1: float, collocation: np.ndarray) -> np.ndarray:
    """The midpoints of the sorted collocation points and a uniform grid of [x0, x1] with
    max(FINE_POINTS, 10 n) points, sorted."""
    sorted_points = np.sort(collocation)
    midpoints = (sorted_points[1:] + sorted_points[:-1]) / 2.0
    fine = np.linspace(x0, x1, max(FINE_POINTS, 10 * len(collocation)))
    return np.sort(np.concatenate([midpoints, fine]))


def validate(
    problem: ODEProblem,
    network: Network,
    trial: TrialSolution,
    p: np.ndarray,
    collocation: np.ndarray,
) -> Validation:
    """The residual of the trial solution on the validation grid of `collocation`."""
    grid = validation_grid(problem.x0, problem.x1, collocation)
    fine = np.linspace(problem.x0, problem.x1, max(FINE_POINTS, 10 * len(collocation)))
    with np.errstate(all="ignore"):
        residuals = residual(problem, network, trial, p, grid)
        y = _derivatives(problem, network, trial, p, fine)
        length = problem.x1 - problem.x0
        scale = max(_rms(y[problem.order]), _rms(y[0]) / length**problem.order)
        rms = _rms(residuals)
        relative = rms / scale if scale > 0 else rms
        error = estimated_error(problem, fine, y, residual(problem, network, trial, p, fine))
        rounding = rounding_error(network, trial, p, fine)
    return Validation(
        rms,
        float(np.max(np.abs(residuals))),
        relative,
        grid,
        residuals,
        float(np.max(np.abs(error) + rounding)),
        float(np.max(np.abs(y[0]))),
        float(np.max(rounding)),
    )


def _derivatives(
    problem: ODEProblem, network: Network, trial: TrialSolution, p: np.ndarray, x: np.ndarray
) -> list[np.ndarray]:
    outputs = network_forward(network, p, x, problem.order).outputs
    return trial.at(x, problem.order).derivatives(outputs)


def refined_points(collocation: np.ndarray, validation: Validation, count: int) -> np.ndarray:
    """`collocation` and `count` new points at evenly spaced quantiles of the density
    |F|/mean|F| + 1 on the validation grid, sorted."""
    grid = validation.grid
    size = np.max(np.abs(validation.residuals), axis=0)
    density = size / np.mean(size) + 1.0 if np.mean(size) > 0 else np.ones_like(size)
    mass = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(grid))])
    quantiles = (np.arange(count) + 0.5) / count * mass[-1]
    return np.sort(np.concatenate([collocation, np.interp(quantiles, mass, grid)]))


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values))))
