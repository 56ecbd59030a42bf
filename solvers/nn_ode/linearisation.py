"""The right-hand side and its Jacobians at many points, for the loss's gradient, the residual's
Jacobian and the error estimate.

f acts point by point: the value at x_i depends on y(x_i) (and y'(x_i)) only, so its Jacobians
are one (components, components) matrix per point. For a right-hand side written in the
expression language, each entry ∂f_k/∂y_j (and ∂f_k/∂y'_j) is a parsed expression of its own
(`solverq.solvers.expressions.derivative`), evaluated on all points at once like f itself. For
any other f, autograd gives them: one vector-Jacobian product per component k, with the
cotangent one in row k at every point, gives ∂f_k/∂y_j (and ∂f_k/∂y'_j) at every point at once.
The symbolic entries cost a few array operations each, where autograd traces f anew at every
call, which is most of the cost of a loss gradient on a hundred points.
"""

from __future__ import annotations

import ast
import warnings
import weakref

import numpy as np
from autograd import make_vjp

from solverq.solvers.expressions.derivative import derivative
from solverq.solvers.expressions.evaluate import Evaluator, evaluator
from solverq.solvers.ode.problem import ODEProblem

Linearisation = tuple[np.ndarray, list[np.ndarray]]
"""f (components, points) and [J] (order 1) or [J, K] (order 2), each (components, components,
points)."""

_SYMBOLIC: weakref.WeakKeyDictionary[ODEProblem, list[list[list[Evaluator]]]] = (
    weakref.WeakKeyDictionary()
)


def linearised_rhs(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> Linearisation:
    """f(x, y, ...) and its Jacobians J[k, j, i] = ∂f_k/∂y_j (and K[k, j, i] = ∂f_k/∂y'_j) at
    x_i, for y = [y, y', ...] each (components, points)."""
    if problem.equations:
        return _symbolic(problem, x, y)
    return _autograd(problem, x, y)


def rhs_jacobians(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> list[np.ndarray]:
    """[J] (order 1) or [J, K] (order 2), as `linearised_rhs` gives them."""
    return linearised_rhs(problem, x, y)[1]


def _rhs(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> np.ndarray:
    return np.asarray(problem.rhs(x, y[0], y[1] if problem.order == 2 else None))


def derivative_trees(problem: ODEProblem) -> list[list[list[ast.expr]]]:
    """The trees of ∂f_k/∂y_j (and ∂f_k/∂y'_j) of a problem written in the expression
    language, indexed [derivative order][k][j]."""
    return [
        [
            [derivative(equation.tree, (name, j)) for j in range(problem.components)]
            for equation in problem.equations
        ]
        for name in ["y", "dy"][: problem.order]
    ]


def linear_in_y(problem: ODEProblem) -> bool:
    """Whether f is affine in y (and y'): its right-hand side is written in the expression
    language and no derivative with respect to them names y or y'."""
    return bool(problem.equations) and not any(
        isinstance(node, ast.Name) and node.id in {"y", "dy"}
        for rows in derivative_trees(problem)
        for row in rows
        for tree in row
        for node in ast.walk(tree)
    )


def _partials(problem: ODEProblem) -> list[list[list[Evaluator]]]:
    """The evaluators of ∂f_k/∂(y or y')_j, indexed [derivative order][k][j], built once for
    each problem."""
    found = _SYMBOLIC.get(problem)
    if found is None:
        variables = problem.equations[0].variables
        found = [
            [[evaluator(tree, variables) for tree in row] for row in rows]
            for rows in derivative_trees(problem)
        ]
        _SYMBOLIC[problem] = found
    return found


def _symbolic(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> Linearisation:
    values = {**problem.constants, "x": x, "y": y[0], "dy": y[1] if problem.order == 2 else None}
    f = _rhs(problem, x, y)
    shape = y[0].shape[1:]
    jacobians = []
    for rows in _partials(problem):
        matrix = np.empty((len(rows), len(rows), *shape))
        for k, row in enumerate(rows):
            for j, entry in enumerate(row):
                matrix[k, j] = entry(values)
        jacobians.append(matrix)
    return f, jacobians


def _autograd(problem: ODEProblem, x: np.ndarray, y: list[np.ndarray]) -> Linearisation:
    m = y[0].shape[0]
    rows: list[list[np.ndarray]] = [[] for _ in range(problem.order)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        if problem.order == 1:
            vjp, f = make_vjp(lambda u: problem.rhs(x, u, None))(y[0])
        else:
            vjp, f = make_vjp(lambda u, du: problem.rhs(x, u, du), argnum=(0, 1))(y[0], y[1])
        for k in range(m):
            cotangent = np.zeros_like(y[0])
            cotangent[k] = 1.0
            derivatives = vjp(cotangent)
            derivatives = [derivatives] if problem.order == 1 else list(derivatives)
            for row, derivative_k in zip(rows, derivatives, strict=True):
                row.append(np.broadcast_to(derivative_k, y[0].shape))
    return np.asarray(f), [np.stack(row) for row in rows]
