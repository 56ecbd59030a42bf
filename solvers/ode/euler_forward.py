"""Forward (explicit) Euler.

    z_{i+1} = z_i + dx F(x_i, z_i),   x_i = x0 + i dx

for the first-order form z' = F(x, z) of the problem (`first_order`). Local error O(dx^2),
global error O(dx): first order. On y' = -gamma y it gives y_i = y0 (1 - gamma dx)^i exactly,
stable only for dx <= 2/gamma; a warning reports a step outside the stability region of a
linear problem (`stability`). Equations written in the expression language run as a compiled
C loop (`euler_native`); otherwise, or without a C compiler, a numpy loop over the steps.

Reference: E. Hairer, S. P. Norsett, G. Wanner, "Solving Ordinary Differential Equations I",
Springer, 2nd ed., 1993, section II.1.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.ode.euler_native import native_kernel
from solverq.solvers.ode.first_order import first_order
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.solution import ODESolution
from solverq.solvers.ode.stability import forward_euler_warning
from solverq.solvers.ode.stepping import Grid, march
from solverq.solvers.outcome import Progress


def forward_euler(
    problem: ODEProblem,
    steps: int,
    dx: float | None = None,
    *,
    progress: Progress | None = None,
    native: bool = True,
) -> ODESolution:
    """`steps` forward Euler steps of size `dx` (default: (x1 - x0) / steps) from x0."""
    system = first_order(problem)
    grid = Grid.over(problem, steps, dx)
    warning = forward_euler_warning(system, grid.x, grid.dx)

    def step(x: float, x_next: float, z: np.ndarray) -> np.ndarray:
        return z + grid.dx * system.F(x, z)

    kernel = native_kernel(problem, "forward", grid) if native else None
    return march(system, grid, step, kernel, progress, (warning,) if warning else ())
