"""Smooth activation functions with their first three derivatives in closed form.

A second-order ODE needs s'' in the trial solution, and the gradient of its loss with respect to
the network's parameters needs s'''. ReLU is not offered: its second derivative vanishes almost
everywhere, so y_t'' could not follow the equation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Derivatives = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Activation = Callable[[np.ndarray], Derivatives]


def sigmoid(z: np.ndarray) -> Derivatives:
    """s = 1/(1 + e^-z), s' = s(1 - s), s'' = s'(1 - 2s), s''' = s'((1 - 2s)² - 2s')."""
    s = 0.5 * (np.tanh(0.5 * z) + 1.0)
    ds = s * (1.0 - s)
    u = 1.0 - 2.0 * s
    return s, ds, ds * u, ds * (u * u - 2.0 * ds)


def tanh(z: np.ndarray) -> Derivatives:
    """s = tanh z, s' = 1 - s², s'' = -2ss', s''' = s'(4s² - 2s')."""
    t = np.tanh(z)
    dt = 1.0 - t * t
    return t, dt, -2.0 * t * dt, dt * (4.0 * t * t - 2.0 * dt)


def sin(z: np.ndarray) -> Derivatives:
    """s = sin z, s' = cos z, s'' = -sin z, s''' = -cos z."""
    s, c = np.sin(z), np.cos(z)
    return s, c, -s, -c


def softplus(z: np.ndarray) -> Derivatives:
    """s = log(1 + e^z), whose derivatives are the logistic function's: s' = 1/(1 + e^-z)."""
    logistic, dlogistic, d2logistic, _ = sigmoid(z)
    return np.logaddexp(0.0, z), logistic, dlogistic, d2logistic


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "sin": sin,
    "softplus": softplus,
}
