"""The linear stability of forward Euler.

On a linear problem z' = J(x) z + g(x), forward Euler multiplies each mode with eigenvalue
lambda of J by 1 + dx lambda per step; it is stable when |1 + dx lambda| <= 1. For a mode that
does not grow in the exact solution (Re lambda <= 0) a larger factor is a numerical instability:
for decay, lambda = -gamma and the step must satisfy dx <= 2/gamma. A mode with Re lambda = 0
(an undamped oscillation) is amplified at every step size. Nonlinear problems are not judged.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.ode.first_order import FirstOrderSystem
from solverq.solvers.ode.jacobian import column_jacobians

SAMPLES = 17
TOLERANCE = 1e-12
BUDGET = 2_000_000
"""The most Jacobian entries sampled (the grid points are fewer for a large batch)."""


def forward_euler_warning(system: FirstOrderSystem, x: np.ndarray, dx: float) -> str | None:
    """Why forward Euler is unstable with step `dx` on the grid `x` of this linear problem, or
    None (stable, or not linear). The Jacobian is sampled at a few grid points; a batch too
    large to sample at one point within `BUDGET` is not judged."""
    size, batch = system.z0.shape
    count = min(len(x), SAMPLES, BUDGET // (batch * size * size))
    if count < 1:
        return None
    samples = x[np.linspace(0, len(x) - 1, count).astype(int)]
    state = np.broadcast_to(system.z0[:, np.newaxis], (size, count, batch))
    shifted = state + np.random.default_rng(0).normal(size=state.shape) * (1 + np.abs(state))
    with np.errstate(all="ignore"):
        jacobian, _ = column_jacobians(system, samples[:, np.newaxis], state)
        other, _ = column_jacobians(system, samples[:, np.newaxis], shifted)
        if not np.isfinite(jacobian).all():
            return None
        scale = np.abs(jacobian).max()
        if not np.allclose(jacobian, other, rtol=1e-9, atol=TOLERANCE * scale):
            return None
        matrices = jacobian.reshape(-1, size, size)
        if (matrices == matrices[0]).all():  # constant coefficients, one problem: one matrix
            matrices = matrices[:1]
        eigenvalues = np.linalg.eigvals(matrices).ravel()
    factors = np.abs(1 + dx * eigenvalues)
    unstable = (eigenvalues.real <= 0) & (factors > 1 + TOLERANCE)
    if not unstable.any():
        return None
    worst = int(np.argmax(np.where(unstable, factors, -np.inf)))
    eigenvalue, factor = eigenvalues[worst], factors[worst]
    message = (
        f"forward Euler is unstable with dx = {dx:.6g}: |1 + dx lambda| = {factor:.6g} > 1 for "
        f"the eigenvalue lambda = {_complex(eigenvalue)} of the Jacobian"
    )
    if eigenvalue.real < 0:
        magnitude = abs(eigenvalue)  # -2 Re(lambda) / |lambda|^2, without squaring |lambda|
        largest_step = -2 * (eigenvalue.real / magnitude) / magnitude
        return f"{message}; a stable step needs dx <= {largest_step:.6g}"
    return f"{message}, at every step size (Euler-Cromer or backward Euler are not)"


def _complex(value: complex) -> str:
    if value.imag == 0:
        return f"{value.real:.6g}"
    return f"{value.real:.6g}{value.imag:+.6g}i"
