"""The Jacobians of a right-hand side at many points, for the residual's Jacobian and for the
error estimate.

f acts point by point: the value at x_i depends on y(x_i) (and y'(x_i)) only. One
vector-Jacobian product per component k, with the cotangent one in row k at every point, then
gives ∂f_k/∂y_j (and ∂f_k/∂y'_j) at every point at once.
"""

from __future__ import annotations

import warnings

import numpy as np
from autograd import make_vjp

from solverq.solvers.ode.problem import ODEProblem


def rhs_jacobians(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> list[np.ndarray]:
    """[J] (order 1) or [J, K] (order 2), each (components, components, points): J[k, j, i] =
    ∂f_k/∂y_j and K[k, j, i] = ∂f_k/∂y'_j at x_i, for y = [y, y', ...] each (components,
    points)."""
    m = y[0].shape[0]
    rows: list[list[np.ndarray]] = [[] for _ in range(problem.order)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        if problem.order == 1:
            vjp, _ = make_vjp(lambda u: problem.rhs(x, u, None))(y[0])
        else:
            vjp, _ = make_vjp(lambda u, du: problem.rhs(x, u, du), argnum=(0, 1))(y[0], y[1])
        for k in range(m):
            cotangent = np.zeros_like(y[0])
            cotangent[k] = 1.0
            derivatives = vjp(cotangent)
            derivatives = [derivatives] if problem.order == 1 else list(derivatives)
            for row, derivative in zip(rows, derivatives, strict=True):
                row.append(np.broadcast_to(derivative, y[0].shape))
    return [np.stack(row) for row in rows]
