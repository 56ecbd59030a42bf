"""The Euler-Cromer (semi-implicit, symplectic Euler) method for y'' = f(x, y, y').

    y'_{i+1} = y'_i + dx f(x_i, y_i, y'_i)
    y_{i+1}  = y_i + dx y'_{i+1}

First order like forward Euler, but it uses the new velocity to move the position. On an
undamped oscillator it is symplectic: the energy stays within O(dx) of its initial value for
all time instead of growing exponentially. Runs as a compiled C loop when the equations are
written in the expression language, else as a numpy loop.

Reference: A. Cromer, "Stable solutions using the Euler approximation", Am. J. Phys. 49, 455
(1981).
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.ode.euler_native import native_kernel
from solverq.solvers.ode.first_order import first_order
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.solution import ODESolution
from solverq.solvers.ode.stepping import Grid, march
from solverq.solvers.outcome import Progress


def euler_cromer(
    problem: ODEProblem,
    steps: int,
    dx: float | None = None,
    *,
    progress: Progress | None = None,
    native: bool = True,
) -> ODESolution:
    """`steps` Euler-Cromer steps of size `dx` (default: (x1 - x0) / steps) from x0."""
    if problem.order != 2:
        raise ValueError("Euler-Cromer needs a second-order problem")
    system = first_order(problem)
    grid = Grid.over(problem, steps, dx)
    m = system.components

    def step(x: float, x_next: float, z: np.ndarray) -> np.ndarray:
        y, dy = z[:m], z[m:]
        dy_next = dy + grid.dx * problem.rhs(x, y, dy)
        return np.concatenate([y + grid.dx * dy_next, dy_next])

    kernel = native_kernel(problem, "cromer", grid) if native else None
    return march(system, grid, step, kernel, progress)
