"""ODE problems written in the expression language (`solverq.solvers.expressions`).

The right-hand side of component k is an expression in `x`, `y` (`y[k]` for a system), `dy`
(order 2) and the constants; an exact solution is an expression in `x`, `x0`, `y0`, `dy0`
(order 2) and the constants, so that it stays right when the initial values change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import autograd.numpy as anp
import numpy as np

from solverq.solvers.expressions import FUNCTIONS, MATH_CONSTANTS, Expression, Variables, parse
from solverq.solvers.expressions.compiled import grid_values
from solverq.solvers.ode.problem import ODEProblem, batch_size

RESERVED_NAMES = frozenset({"x", "y", "dy", "x0", "y0", "dy0", *MATH_CONSTANTS, *FUNCTIONS})
"""Names that a constant may not take."""


def rhs_variables(components: int, order: int, constants: Sequence[str]) -> Variables:
    """The names a right-hand side may use."""
    vectors = {"y": components} | ({"dy": components} if order == 2 else {})
    return Variables(scalars=("x", *constants), vectors=vectors)


def exact_variables(components: int, order: int, constants: Sequence[str]) -> Variables:
    """The names an exact solution may use."""
    vectors = {"y0": components} | ({"dy0": components} if order == 2 else {})
    return Variables(scalars=("x", "x0", *constants), vectors=vectors)


def expression_rhs(
    equations: Sequence[Expression], constants: Mapping[str, Any]
) -> Callable[..., Any]:
    """`rhs(x, y, dy=None)` evaluating one equation per component, shaped like y."""

    def rhs(x: Any, y: Any, dy: Any = None) -> Any:
        values = {**constants, "x": x, "y": y, "dy": dy}
        return stack([equation(values) for equation in equations], np.shape(y)[1:])

    return rhs


def expression_exact(
    solutions: Sequence[Expression],
    values: Mapping[str, Any],
    batch_size: int | None,
    *,
    native: bool = True,
) -> Callable[[np.ndarray], np.ndarray]:
    """`exact(x)` evaluating one solution per component, compiled when possible; `values` holds
    x0, y0, dy0 and the constants. The result is (m, N), or (m, N, B) for a batch."""

    def exact(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.empty((len(solutions), *x.shape, *(() if batch_size is None else (batch_size,))))
        for solution, row in zip(solutions, out, strict=True):
            grid_values(solution, values, x, batch_size, native=native, out=row)
        return out

    return exact


def stack(values: Sequence[Any], shape: tuple[int, ...]) -> Any:
    """The values broadcast to a common shape (at least `shape`) and stacked along a new first
    axis, in a way autograd can differentiate."""
    shapes = [np.shape(value) for value in values]
    if any(other != shape for other in shapes):
        shape = np.broadcast_shapes(shape, *shapes)
        values = [v if np.shape(v) == shape else v + np.zeros(shape) for v in values]
    rows = [value[np.newaxis] for value in values]
    return rows[0] if len(rows) == 1 else anp.concatenate(rows)


def expression_problem(
    rhs: Sequence[str],
    *,
    order: int,
    x0: float,
    x1: float,
    y0: np.ndarray | None,
    dy0: np.ndarray | None = None,
    constants: Mapping[str, float | np.ndarray] | None = None,
    exact: Sequence[str] | Callable[[np.ndarray], np.ndarray] | None = None,
    boundary: tuple[np.ndarray, np.ndarray] | None = None,
    system: bool = False,
) -> ODEProblem:
    """The problem whose right-hand side is given by one expression per component, and its
    exact solution, if known, too (or as a function `exact(x)`). Raises `ExpressionError` for a
    bad expression.
    """
    constants = {
        name: np.float64(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
        for name, value in (constants or {}).items()
    }
    components = len(rhs)
    names = list(constants)
    equations = tuple(parse(text, rhs_variables(components, order, names)) for text in rhs)
    if exact is not None and not callable(exact):
        variables = exact_variables(components, order, names)
        solutions = [parse(text, variables) for text in exact]
        values = {**constants, "x0": x0, "y0": y0, "dy0": dy0}
        exact = expression_exact(solutions, values, batch_size(y0, dy0, constants))
    return ODEProblem(
        rhs=expression_rhs(equations, constants),
        order=order,
        x0=x0,
        x1=x1,
        y0=y0,
        dy0=dy0,
        boundary=boundary,
        exact=exact,
        equations=equations,
        constants=constants,
        system=system,
    )
