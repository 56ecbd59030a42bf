"""Backward (implicit) Euler with Newton iterations.

    z_{i+1} = z_i + dx F(x_{i+1}, z_{i+1})

is solved for z_{i+1} by Newton's method on G(w) = w - z_i - dx F(x_{i+1}, w), with the Jacobian
G'(w) = I - dx dF/dz(x_{i+1}, w) from automatic differentiation (autograd), starting from the
forward Euler prediction. On a linear problem one Newton iteration is exact up to rounding; the
iterations stop when |G(w)| is at rounding level (`newton`). As in stiff solvers, the Jacobian
of an earlier step is reused while it still converges fast, and computed afresh when it does
not. Equations written in the expression language run as a compiled C loop with their symbolic
Jacobian (`euler_backward_native`); otherwise, or without a C compiler, the numpy loop below.
First order, and A-stable: on y' = -gamma y it gives y_i = y0 / (1 + gamma dx)^i for every
dx > 0.

Reference: E. Hairer, G. Wanner, "Solving Ordinary Differential Equations II", Springer, 2nd
ed., 1996, section IV.3.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.ode.euler_backward_native import native_backward_kernel
from solverq.solvers.ode.first_order import first_order
from solverq.solvers.ode.jacobian import column_jacobians
from solverq.solvers.ode.newton import NEWTON_ITERATIONS, STALE_ITERATIONS, converged
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.solution import ODESolution
from solverq.solvers.ode.stepping import Grid, march
from solverq.solvers.outcome import Progress


def backward_euler(
    problem: ODEProblem,
    steps: int,
    dx: float | None = None,
    *,
    progress: Progress | None = None,
    native: bool = True,
) -> ODESolution:
    """`steps` backward Euler steps of size `dx` (default: (x1 - x0) / steps) from x0."""
    system = first_order(problem)
    grid = Grid.over(problem, steps, dx)
    identity = np.eye(system.z0.shape[0])
    newton_matrix: list[np.ndarray] = []  # I - dx J, kept from step to step

    def step(x: float, x_next: float, z: np.ndarray) -> np.ndarray | None:
        w = z + grid.dx * system.F(x, z)
        fresh = False
        for iteration in range(NEWTON_ITERATIONS):
            slope = system.F(x_next, w)
            residual = w - z - grid.dx * slope
            if not np.isfinite(residual).all():
                return None
            if converged(residual, w, z, grid.dx * slope):
                return w
            if not fresh and (not newton_matrix or iteration >= STALE_ITERATIONS):
                jacobian, _ = column_jacobians(system, x_next, w)
                newton_matrix[:] = [identity - grid.dx * jacobian]
                fresh = True
            try:
                correction = np.linalg.solve(newton_matrix[0], residual.T[..., np.newaxis])
            except np.linalg.LinAlgError:  # I - dx J is singular: no Newton step
                return None
            w = w - correction[..., 0].T
        return None

    kernel = native_backward_kernel(problem, grid) if native else None
    return march(system, grid, step, kernel, progress)
