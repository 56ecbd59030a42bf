"""Marching a first-order system over the grid x_i = x0 + i dx, i = 0..n.

The steps run in chunks: after each chunk the new states are checked (a non-finite value ends
the run as diverged at the first x where it appeared) and progress is reported. A chunk is run
either by a compiled kernel (all its steps in one call) or by a Python loop over a step function
(vectorised over a batch).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solverq.solvers.ode.first_order import FirstOrderSystem
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.solution import ODESolution
from solverq.solvers.outcome import Progress, SolveStatus

Step = Callable[[float, float, np.ndarray], np.ndarray | None]
"""`step(x_i, x_next, z_i)`: the state at x_next, or None when it cannot be computed."""

Kernel = Callable[[int, int, np.ndarray], int]
"""`kernel(first, last, z)`: fills z[first + 1 .. last] from z[first], in place; returns the
index of the last state computed (less than `last` when a step could not be computed)."""


KERNEL_CHUNK = 1 << 16
STEP_CHUNK = 1 << 10


@dataclass(frozen=True)
class Grid:
    x0: float
    dx: float
    steps: int

    @classmethod
    def over(cls, problem: ODEProblem, steps: int, dx: float | None = None) -> Grid:
        """`steps` steps from x0 of size `dx`, by default (x1 - x0) / steps."""
        return cls(problem.x0, dx or (problem.x1 - problem.x0) / steps, steps)

    @functools.cached_property
    def x(self) -> np.ndarray:
        """x_i = x0 + i dx, i = 0..steps."""
        x = np.arange(self.steps + 1, dtype=float)
        x *= self.dx
        x += self.x0
        return x


def march(
    system: FirstOrderSystem,
    grid: Grid,
    step: Step,
    kernel: Kernel | None = None,
    progress: Progress | None = None,
    warnings: tuple[str, ...] = (),
) -> ODESolution:
    """Solve `system` on `grid` with `kernel` when given, else with `step`."""
    x = grid.x
    z = np.empty((grid.steps + 1, *system.z0.shape))
    z[0] = system.z0
    chunk = KERNEL_CHUNK if kernel is not None else STEP_CHUNK
    status, failed_at = SolveStatus.CONVERGED, None
    with np.errstate(all="ignore"):
        for first in range(0, grid.steps, chunk):
            last = min(first + chunk, grid.steps)
            if kernel is not None:
                reached = kernel(first, last, z)
            else:
                reached = _run_steps(step, x, z, first, last)
            states = z[first + 1 : reached + 1].reshape(reached - first, z[0].size)
            if not np.isfinite(states).all():
                bad = ~np.isfinite(states).all(axis=1)
                status, failed_at = SolveStatus.DIVERGED, float(x[first + 1 + int(bad.argmax())])
                break
            if reached < last:
                status, failed_at = SolveStatus.NOT_CONVERGED, float(x[reached + 1])
                break
            if progress is not None:
                progress(last / grid.steps)
    m = system.components
    return ODESolution(
        x=x,
        dx=grid.dx,
        y=z[:, :m],
        dy=z[:, m:] if z.shape[1] > m else None,
        status=status,
        failed_at=failed_at,
        engine="C" if kernel is not None else "numpy",
        warnings=warnings,
    )


def _run_steps(step: Step, x: np.ndarray, z: np.ndarray, first: int, last: int) -> int:
    """Fill z[first + 1 .. last]; the index of the last state computed (less than `last` when
    a step could not be computed)."""
    for i in range(first, last):
        state = step(x[i], x[i + 1], z[i])
        if state is None:
            return i
        z[i + 1] = state
    return last
