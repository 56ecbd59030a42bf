"""An a-posteriori estimate of the error of a trial solution from its residual.

The trial solution y_t meets the conditions exactly and the equation up to its residual R:
y_t^(n) = f(x, y_t, ...) + R. The error e = y - y_t of the solution y then satisfies, to first
order in e, the linearised equation driven by the residual,

    e'  = J e - R                          (order 1, J = ∂f/∂y)
    e'' = J e + K e' - R                   (order 2, J = ∂f/∂y, K = ∂f/∂y')

with e(x0) = 0 (and e'(x0) = 0) for an initial value problem, e(x0) = e(x1) = 0 for a boundary
value problem. Solving it on a fine uniform grid gives the error itself, not a bound: a residual
that an unstable equation amplifies shows as a large error, where the residual alone would look
small. Initial value problems are integrated with the trapezoidal rule (as a first-order system
in (e, e') for order 2), boundary value problems solved by central differences; both are second
order in the grid spacing. The Jacobians come from autograd
(`solverq.solvers.nn_ode.linearisation`).
See K. Eriksson, D. Estep, P. Hansbo, C. Johnson, "Introduction to adaptive methods for
differential equations", Acta Numerica 4, 1995, for residual-based error estimation.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import spsolve

from solverq.solvers.nn_ode.linearisation import rhs_jacobians
from solverq.solvers.ode.problem import ODEProblem


def estimated_error(
    problem: ODEProblem, x: np.ndarray, y: list[np.ndarray], residuals: np.ndarray
) -> np.ndarray:
    """e on the uniform grid x, shaped (components, points), from y_t and its derivatives
    `y` = [y_t, y_t', ...] and the residual, each (components, points)."""
    found = rhs_jacobians(problem, x, y)
    if problem.boundary is not None:
        return _boundary_value(x, found, residuals)
    return _initial_value(x, found, residuals, problem.order)


def _initial_value(
    x: np.ndarray, jacobians: list[np.ndarray], residuals: np.ndarray, order: int
) -> np.ndarray:
    """The trapezoidal rule for u' = A u + b, u(x0) = 0: u = e (order 1) or (e, e') (order 2)."""
    m, n = residuals.shape
    if order == 1:
        a = jacobians[0]
        b = -residuals
    else:
        a = np.zeros((2 * m, 2 * m, n))
        a[:m, m:] = np.eye(m)[:, :, None]
        a[m:, :m], a[m:, m:] = jacobians
        b = np.concatenate([np.zeros_like(residuals), -residuals])
    a = np.moveaxis(a, -1, 0)
    identity = np.eye(a.shape[1])
    u = np.zeros((n, a.shape[1]))
    for i in range(n - 1):
        h = x[i + 1] - x[i]
        right = (identity + h / 2 * a[i]) @ u[i] + h / 2 * (b[:, i] + b[:, i + 1])
        u[i + 1] = np.linalg.solve(identity - h / 2 * a[i + 1], right)
    return u[:, :m].T


def _boundary_value(
    x: np.ndarray, jacobians: list[np.ndarray], residuals: np.ndarray
) -> np.ndarray:
    """Central differences for e'' - J e - K e' = -R, e(x0) = e(x1) = 0, on the uniform grid."""
    j, k = jacobians
    m, n = residuals.shape
    h = x[1] - x[0]
    interior = np.arange(1, n - 1)
    rows, columns, values = [], [], []

    def add(row_component: int, column_component: int, offset: int, value: np.ndarray) -> None:
        neighbours = interior + offset
        inside = (neighbours >= 1) & (neighbours <= n - 2)
        rows.append((interior[inside] - 1) * m + row_component)
        columns.append((neighbours[inside] - 1) * m + column_component)
        values.append(np.broadcast_to(value, interior.shape)[inside])

    for p in range(m):
        add(p, p, -1, np.full(n - 2, 1.0 / h**2))
        add(p, p, 1, np.full(n - 2, 1.0 / h**2))
        add(p, p, 0, np.full(n - 2, -2.0 / h**2))
        for q in range(m):
            add(p, q, 0, -j[p, q, 1:-1])
            add(p, q, 1, -k[p, q, 1:-1] / (2 * h))
            add(p, q, -1, k[p, q, 1:-1] / (2 * h))
    size = (n - 2) * m
    matrix = coo_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(size, size),
    ).tocsr()
    right = -residuals[:, 1:-1].T.ravel()
    error = np.zeros((m, n))
    error[:, 1:-1] = spsolve(matrix, right).reshape(n - 2, m).T
    return error
