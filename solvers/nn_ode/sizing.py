"""The starting size of the collocation set and the network, from the problem.

The rate of the equation at the start, λ = r(J) for y' = f (the spectral radius r(J) of J = ∂f/∂y)
and λ = √r(J) + r(K)/2 for y'' = f (K = ∂f/∂y': a frequency and a damping rate), times the length
of the interval counts the radians or e-folds the solution goes through, Λ = λ (x1 - x0). The
first round starts with points and units in proportion to Λ, with at least BASE_POINTS and
BASE_WIDTH; refinement and widening go on from there.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.nn_ode.linearisation import rhs_jacobians
from solverq.solvers.ode.problem import ODEProblem

BASE_POINTS = 20
BASE_WIDTH = 10
POINTS_PER_RADIAN = 4.0
UNITS_PER_RADIAN = 1.0
MAX_START_POINTS = 200
MAX_START_WIDTH = 40
FORCING_GRID = 1001


def phase_span(problem: ODEProblem) -> float:
    """Λ = λ (x1 - x0); 0 when the Jacobian is not finite at the start."""
    start = problem.boundary[0] if problem.boundary is not None else problem.y0
    y = [np.asarray(start, dtype=float).reshape(-1, 1)]
    if problem.order == 2:
        slope = problem.dy0 if problem.boundary is None else np.zeros_like(start)
        y.append(np.asarray(slope, dtype=float).reshape(-1, 1))
    with np.errstate(all="ignore"):
        found = [matrix[:, :, 0] for matrix in rhs_jacobians(problem, np.array([problem.x0]), y)]
        if not all(np.isfinite(matrix).all() for matrix in found):
            return 0.0
        radius = [float(np.max(np.abs(np.linalg.eigvals(matrix)))) for matrix in found]
    rate = radius[0] if problem.order == 1 else np.sqrt(radius[0]) + radius[1] / 2.0
    return max(rate * (problem.x1 - problem.x0), forcing_span(problem, y))


def forcing_span(problem: ODEProblem, y: list[np.ndarray]) -> float:
    """π times the number of turns of g(x) = f(x, y(x0), ...) across [x0, x1], on a grid of
    FORCING_GRID points: the radians a forcing term that varies with x goes through."""
    x = np.linspace(problem.x0, problem.x1, FORCING_GRID)
    start = [np.broadcast_to(values, (len(values), FORCING_GRID)) for values in y]
    with np.errstate(all="ignore"):
        forcing = np.asarray(
            problem.rhs(x, *start) if problem.order == 2 else problem.rhs(x, start[0], None)
        )
    if not np.isfinite(forcing).all():
        return 0.0
    slope = np.sign(np.diff(forcing, axis=-1))
    turns = np.count_nonzero(slope[..., 1:] * slope[..., :-1] < 0, axis=-1)
    return float(np.pi * np.max(turns))


def initial_points(problem: ODEProblem) -> int:
    """max(BASE_POINTS, POINTS_PER_RADIAN Λ), at most MAX_START_POINTS."""
    wanted = int(np.ceil(POINTS_PER_RADIAN * phase_span(problem)))
    return int(np.clip(wanted, BASE_POINTS, MAX_START_POINTS))


def initial_width(problem: ODEProblem) -> int:
    """max(BASE_WIDTH, UNITS_PER_RADIAN Λ), at most MAX_START_WIDTH."""
    wanted = int(np.ceil(UNITS_PER_RADIAN * phase_span(problem)))
    return int(np.clip(wanted, BASE_WIDTH, MAX_START_WIDTH))
