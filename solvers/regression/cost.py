"""The OLS and ridge cost functions and their analytic gradient.

On a batch of m rows (X_B, y_B):

    C(theta)  = (1/m) ||y_B - X_B theta||^2 + sum_j lambda_j theta_j^2     (OLS: lambda = 0)
    dC/dtheta = (2/m) X_B^T (X_B theta - y_B) + 2 lambda * theta

with the penalty lambda_j of each parameter (lambda, or 0 for a parameter left free).

Source: FYS-STK3155/4155, University of Oslo, lecture of October 21 (project 2).
"""

from __future__ import annotations

from typing import Protocol

import autograd.numpy as anp
import numpy as np


class Gradient(Protocol):
    """Fills `residual` with X theta - y and `out` with the gradient of the cost at theta."""

    def __call__(
        self,
        theta: np.ndarray,
        design: np.ndarray,
        response: np.ndarray,
        penalty: float | np.ndarray,
        residual: np.ndarray,
        out: np.ndarray,
    ) -> None: ...


def cost(
    theta: np.ndarray, design: np.ndarray, response: np.ndarray, penalty: float | np.ndarray
) -> float:
    """C(theta), written with `autograd.numpy` so that autograd can differentiate it."""
    residual = response - anp.dot(design, theta)
    return anp.dot(residual, residual) / len(response) + anp.dot(theta, penalty * theta)


def analytic_gradient(
    theta: np.ndarray,
    design: np.ndarray,
    response: np.ndarray,
    penalty: float | np.ndarray,
    residual: np.ndarray,
    out: np.ndarray,
) -> None:
    """(2/m) X^T (X theta - y) + 2 lambda * theta in the given buffers (no allocation of size m)."""
    np.matmul(design, theta, out=residual)
    residual -= response
    np.matmul(design.T, residual, out=out)
    out *= 2.0 / len(response)
    if np.any(penalty):
        out += 2.0 * penalty * theta
