"""Marching a first-order system over the grid x_i = x0 + i dx, i = 0..n.

The steps run in chunks: after each chunk the new states are checked (a non-finite value ends
the run as diverged at the first x where it appeared) and progress is reported. A chunk is run
either by a compiled kernel (all its steps in one call) or by a Python loop over a step function
(vectorised over a batch).

The states are kept as planes: z[p, i, k, b] is component k of the p-th derivative (y, then y'
for order 2) at x_i for problem b of a batch, so that y = z[0] and y' = z[1] are each one
contiguous (n + 1, m, B) array, stored as they are without a copy.
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
"""`kernel(first, last, z)`: fills the states z[:, first + 1 .. last] from z[:, first], in place
(z as planes, (order, n + 1, m, B)); returns the index of the last state computed (less than
`last` when a step could not be computed)."""


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
    m = system.components
    size, batch = system.z0.shape
    z = np.empty((size // m, grid.steps + 1, m, batch))
    z[:, 0] = system.z0.reshape(size // m, m, batch)
    chunk = KERNEL_CHUNK if kernel is not None else STEP_CHUNK
    status, failed_at = SolveStatus.CONVERGED, None
    with np.errstate(all="ignore"):
        for first in range(0, grid.steps, chunk):
            last = min(first + chunk, grid.steps)
            if kernel is not None:
                reached = kernel(first, last, z)
            else:
                reached = _run_steps(step, x, z, first, last)
            states = z[:, first + 1 : reached + 1]
            if not _all_finite(states):
                bad = ~np.isfinite(states).all(axis=(0, 2, 3))
                status, failed_at = SolveStatus.DIVERGED, float(x[first + 1 + int(bad.argmax())])
                break
            if reached < last:
                status, failed_at = SolveStatus.NOT_CONVERGED, float(x[reached + 1])
                break
            if progress is not None:
                progress(last / grid.steps)
    return ODESolution(
        x=x,
        dx=grid.dx,
        y=z[0],
        dy=z[1] if len(z) > 1 else None,
        status=status,
        failed_at=failed_at,
        engine="C" if kernel is not None else "numpy",
        warnings=warnings,
    )


def _all_finite(values: np.ndarray) -> bool:
    """Whether every value is finite. A sum with a non-finite term is not finite (inf, or nan
    from inf - inf or a nan term), so a finite sum, one pass without a temporary array, settles
    it; only a sum that overflowed needs the values checked one by one."""
    return bool(np.isfinite(values.sum())) or bool(np.isfinite(values).all())


def _run_steps(step: Step, x: np.ndarray, z: np.ndarray, first: int, last: int) -> int:
    """Fill z[:, first + 1 .. last]; the index of the last state computed (less than `last`
    when a step could not be computed). `step` sees each state as (S, B), y above y'."""
    order, _, m, batch = z.shape
    for i in range(first, last):
        state = step(x[i], x[i + 1], z[:, i].reshape(order * m, batch))
        if state is None:
            return i
        z[:, i + 1] = np.reshape(state, (order, m, batch))
    return last
