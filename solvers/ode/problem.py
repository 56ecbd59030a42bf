"""An ODE problem as plain data, shared by every method that solves ODEs.

    y' = f(x, y)          (order 1)      or      y'' = f(x, y, y')      (order 2)

for a solution y with m components on [x0, x1], with initial values y(x0) = y0 (and
y'(x0) = dy0 for order 2), or Dirichlet boundary values y(x0) = ya, y(x1) = yb.

Shapes are component first: y, dy and f(x, y, dy) are (m,) at one point or (m, N) at N points,
with x a number or (N,). A batch of problems that differ only in their initial values or
constants (`batch_size` B) adds a last axis: y0 is (m, B), a batched constant (B,), so that at
one point y is (m, B), and the exact solution at N points is (m, N, B).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from solverq.solvers.expressions import Expression


@dataclass(frozen=True, eq=False)
class ODEProblem:
    """y' = f(x, y) (order 1) or y'' = f(x, y, y') (order 2), for m components."""

    rhs: Callable[..., Any]
    """`rhs(x, y, dy)`: f, shaped like y; dy is None for order 1. Built from autograd.numpy
    operations only, so that autograd differentiates it with respect to x, y and dy."""
    order: int
    x0: float
    x1: float
    y0: np.ndarray | None
    """(m,) values at x0 of an initial value problem, or (m, B) for a batch."""
    dy0: np.ndarray | None
    """(m,) or (m, B) values of y'(x0) of an order-2 initial value problem."""
    boundary: tuple[np.ndarray, np.ndarray] | None = None
    """(ya, yb): Dirichlet values at x0 and x1, each (m,)."""
    exact: Callable[[np.ndarray], np.ndarray] | None = None
    """x (N,) -> the exact solution, (m, N), or (m, N, B) for a batch."""
    equations: tuple[Expression, ...] = ()
    """The right-hand side as parsed expressions, one per component, when it was written in the
    expression language (compiled methods translate them)."""
    constants: Mapping[str, float | np.ndarray] = field(default_factory=dict)
    """The values of the constants the equations use: numbers, or (B,) arrays for a batch."""
    system: bool = False
    """True when the problem was stated as a system (a list of equations), so that results keep
    their component axis even for one component."""

    @property
    def components(self) -> int:
        """m, the number of components of y."""
        if self.equations:
            return len(self.equations)
        if self.y0 is not None:
            return self.y0.shape[0]
        if self.boundary is not None:
            return np.shape(self.boundary[0])[0]
        raise ValueError("the problem has neither equations, initial values nor boundary values")

    @property
    def batch_size(self) -> int | None:
        """B, the number of problems in a batch, or None when the problem is a single one."""
        return batch_size(self.y0, self.dy0, self.constants)


def batch_size(
    y0: np.ndarray | None, dy0: np.ndarray | None, constants: Mapping[str, float | np.ndarray]
) -> int | None:
    """B for a batch with these initial values and constants, or None when there is no batch."""
    sizes = [np.shape(value)[0] for value in constants.values() if np.ndim(value) == 1]
    sizes += [
        initial.shape[1] for initial in (y0, dy0) if initial is not None and initial.ndim == 2
    ]
    return max(sizes) if sizes else None
