"""A course student's neural-network solver for y' = -2y, y(0) = 1 on [0, 1], as a peer of nn-ode.

    .venv/bin/python bench/nn_ode_student.py      # prints the max error on 1001 points

The network of Lagaris et al. (1998): one hidden layer of 10 sigmoid units, the trial solution
1 + x N(x, p), 10 training points (the Chebyshev-Gauss-Lobatto points of [0, 1], as nn-ode's
default). autograd gives y_t' and the gradient of the mean squared residual; scipy's BFGS
minimises it, with its gradient tolerance lowered to 1e-8 (at its default, 1e-5, it stops above
an error of 1e-5). It imports only numpy, autograd and scipy, so that a process running it
measures the student's imports too (bench/nn_ode.py --job-row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import elementwise_grad, grad
from scipy.optimize import minimize

GAMMA = 2.0
HIDDEN = 10
TRAINING = (1.0 - np.cos(np.pi * np.arange(10) / 9)) / 2.0
GRID = np.linspace(0.0, 1.0, 1001)
EXACT = np.exp(-GAMMA * GRID)


def trial_and_cost() -> tuple[Callable[[Any, Any], Any], Callable[[Any], Any]]:
    """The trial solution y_t(x, p) = 1 + x N(x, p) and the loss mean((y_t' + GAMMA y_t)^2) at
    the training points, with p the 3 HIDDEN + 1 weights of N."""

    def network(p: Any, x: Any) -> Any:
        w, b, v, c = p[:HIDDEN], p[HIDDEN : 2 * HIDDEN], p[2 * HIDDEN : 3 * HIDDEN], p[-1]
        hidden = 1 / (1 + anp.exp(-(anp.outer(w, x) + b[:, None])))
        return anp.dot(v, hidden) + c

    def trial(x: Any, p: Any) -> Any:
        return 1 + x * network(p, x)

    trial_derivative = elementwise_grad(trial, 0)

    def cost(p: Any) -> Any:
        residual = trial_derivative(TRAINING, p) + GAMMA * trial(TRAINING, p)
        return anp.mean(residual**2)

    return trial, cost


def main() -> None:
    trial, cost = trial_and_cost()
    start = np.random.default_rng(0).normal(size=3 * HIDDEN + 1)
    fitted = minimize(cost, start, jac=grad(cost), method="BFGS", options={"gtol": 1e-8})
    print(float(np.abs(trial(GRID, fitted.x) - EXACT).max()))


if __name__ == "__main__":
    main()
