"""The gradient of the cost by automatic differentiation (reverse mode, `autograd.grad`).

It differentiates `cost.cost` as written, independently of the hand-derived gradient, so the
two can be checked against each other. Reference: D. Maclaurin, D. Duvenaud, R. P. Adams,
"Autograd: effortless gradients in numpy", ICML AutoML workshop, 2015.
"""

from __future__ import annotations

import numpy as np
from autograd import grad

from solverq.solvers.regression.cost import cost

_cost_gradient = grad(cost)


def autograd_gradient(
    theta: np.ndarray,
    design: np.ndarray,
    response: np.ndarray,
    penalty: float | np.ndarray,
    residual: np.ndarray,
    out: np.ndarray,
) -> None:
    """dC/dtheta by autograd in `out`, and X theta - y in `residual`."""
    out[:] = _cost_gradient(theta, design, response, penalty)
    np.matmul(design, theta, out=residual)
    residual -= response
