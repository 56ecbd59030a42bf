"""Jacobians of a first-order system by reverse-mode automatic differentiation (autograd).

The columns of a state z (S, ...) are independent problems (a batch, or sample points), so
one vector-Jacobian product per component k, with the cotangent 1 in row k, gives row k of the
Jacobian of every column at once: S products in all, whatever the number of columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from autograd import make_vjp

from solverq.solvers.ode.first_order import FirstOrderSystem


def column_jacobians(system: FirstOrderSystem, x: Any, z: np.ndarray) -> tuple[np.ndarray, Any]:
    """J[..., i, j] = dF_i/dz_j for each column of z (shaped (..., S, S)), and F(x, z)."""
    vjp, value = make_vjp(lambda state: system.F(x, state))(z)
    rows = []
    for k in range(z.shape[0]):
        cotangent = np.zeros(np.shape(value))
        cotangent[k] = 1.0
        rows.append(vjp(cotangent))
    return np.moveaxis(np.stack(rows), (0, 1), (-2, -1)), value
