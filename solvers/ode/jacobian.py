"""Jacobians of a first-order system: numerically by reverse-mode automatic differentiation
(autograd), or symbolically from the parsed equations.

Autograd: the columns of a state z (S, ...) are independent problems (a batch, or sample
points), so one vector-Jacobian product per component k, with the cotangent 1 in row k, gives
row k of the Jacobian of every column at once: S products in all, whatever the number of
columns.

Symbolic: for the first-order form z = y (order 1) or z = (y, y') (order 2) of a problem
written in the expression language, dF/dz is built entry by entry from the derivatives of the
right-hand sides (`solverq.solvers.expressions.derivative`): dF_k/dz_j = df_k/dy_j for order 1;
for order 2 the upper rows are those of z' = y', [0 I], and the lower ones [df/dy df/dy'].
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

import numpy as np
from autograd import make_vjp

from solverq.solvers.expressions.derivative import ONE, ZERO, derivative
from solverq.solvers.ode.first_order import FirstOrderSystem
from solverq.solvers.ode.problem import ODEProblem


def column_jacobians(system: FirstOrderSystem, x: Any, z: np.ndarray) -> tuple[np.ndarray, Any]:
    """J[..., i, j] = dF_i/dz_j for each column of z (shaped (..., S, S)), and F(x, z)."""
    with warnings.catch_warnings():
        # F need not depend on z (y' = cos x): its Jacobian is zero, which autograd warns of.
        warnings.filterwarnings("ignore", "Output seems independent of input")
        vjp, value = make_vjp(lambda state: system.F(x, state))(z)
    rows = []
    for k in range(z.shape[0]):
        cotangent = np.zeros(np.shape(value))
        cotangent[k] = 1.0
        rows.append(vjp(cotangent))
    return np.moveaxis(np.stack(rows), (0, 1), (-2, -1)), value


def symbolic_jacobian(problem: ODEProblem) -> list[list[ast.expr]]:
    """The trees of J[i][j] = dF_i/dz_j of the problem's first-order system (S x S), from its
    parsed equations; entries that vanish are the literal 0."""
    if not problem.equations:
        raise ValueError("a symbolic Jacobian needs equations in the expression language")
    m = problem.components
    state = [("y", j) for j in range(m)] + [("dy", j) for j in range(m)] * (problem.order == 2)
    lower = [[derivative(eq.tree, variable) for variable in state] for eq in problem.equations]
    if problem.order == 1:
        return lower
    upper: list[list[ast.expr]] = [
        [ONE if j == m + k else ZERO for j in range(2 * m)] for k in range(m)
    ]
    return upper + lower
