"""The reduction of an initial value problem to a first-order system.

Order 1: z = y and z' = f(x, y). Order 2: z = (y, y') and z' = (y', f(x, y, y')), so that every
method steps z' = F(x, z). The state z is (S, B): S = m (order 1) or 2m (order 2) components,
and B problems of a batch (B = 1 without a batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import autograd.numpy as anp
import numpy as np

from solverq.solvers.ode.problem import ODEProblem


@dataclass(frozen=True, eq=False)
class FirstOrderSystem:
    """z' = F(x, z), z(x0) = z0; `F` works on states (S, ...) and on autograd boxes."""

    F: Callable[[Any, Any], Any]
    z0: np.ndarray
    components: int
    """m, the components of y; z holds y in its first m rows (then y' for order 2)."""


def first_order(problem: ODEProblem) -> FirstOrderSystem:
    """The first-order system of an initial value problem."""
    if problem.y0 is None or (problem.order == 2 and problem.dy0 is None):
        raise ValueError("an initial value problem needs y0 (and dy0 for order 2)")
    m = problem.components
    shape = (m, problem.batch_size or 1)
    y0 = _batch_columns(problem.y0, shape)
    rhs = problem.rhs
    if problem.order == 1:
        return FirstOrderSystem(rhs, y0, m)

    def F(x: Any, z: Any) -> Any:
        y, dy = z[:m], z[m:]
        return anp.concatenate([dy, rhs(x, y, dy)])

    assert problem.dy0 is not None  # checked above
    return FirstOrderSystem(F, np.concatenate([y0, _batch_columns(problem.dy0, shape)]), m)


def _batch_columns(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(m,) or (m, B) values as a writable (m, B) array."""
    columns = values[:, np.newaxis] if values.ndim == 1 else values
    return np.array(np.broadcast_to(columns, shape), dtype=float)
