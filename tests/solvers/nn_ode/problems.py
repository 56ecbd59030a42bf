"""The problems of Lagaris, Likas and Fotiadis (1998) with their exact solutions, written by hand
with autograd.numpy, and a first-order system."""

import autograd.numpy as anp
import numpy as np

from solverq.solvers.ode.problem import ODEProblem


def damped_sine(x: np.ndarray) -> np.ndarray:
    """exp(-x/5) sin x, the exact solution of problems 2 and 3, as (1, N)."""
    return (np.exp(-x / 5) * np.sin(x))[None]


def decay(gamma: float = 2.0) -> ODEProblem:
    """y' = -gamma y, y(0) = 1 on [0, 1]."""
    return ODEProblem(
        rhs=lambda x, y, dy: -gamma * y,
        order=1,
        x0=0.0,
        x1=1.0,
        y0=np.array([1.0]),
        dy0=None,
        exact=lambda x: np.exp(-gamma * x)[None],
    )


def rational() -> ODEProblem:
    """y' = x³ + 2x + x² q(x) - (x + q(x)) y, q = (1 + 3x²)/(1 + x + x³), y(0) = 1 on [0, 1]
    (Lagaris et al., problem 1): y = exp(-x²/2)/(1 + x + x³) + x²."""
    return ODEProblem(
        rhs=lambda x, y, dy: (
            x**3
            + 2 * x
            + x**2 * (1 + 3 * x**2) / (1 + x + x**3)
            - (x + (1 + 3 * x**2) / (1 + x + x**3)) * y
        ),
        order=1,
        x0=0.0,
        x1=1.0,
        y0=np.array([1.0]),
        dy0=None,
        exact=lambda x: (np.exp(-(x**2) / 2) / (1 + x + x**3) + x**2)[None],
    )


def forced_decay() -> ODEProblem:
    """psi' + psi/5 = exp(-x/5) cos x, psi(0) = 0 on [0, 2] (Lagaris et al., problem 2)."""
    return ODEProblem(
        rhs=lambda x, y, dy: anp.exp(-x / 5) * anp.cos(x) - y / 5,
        order=1,
        x0=0.0,
        x1=2.0,
        y0=np.array([0.0]),
        dy0=None,
        exact=damped_sine,
    )


def damped_oscillator_rhs(x, y, dy):
    """psi'' = -(1/5) exp(-x/5) cos x - psi'/5 - psi (Lagaris et al., problem 3)."""
    return -anp.exp(-x / 5) * anp.cos(x) / 5 - dy / 5 - y


def damped_oscillator_ivp() -> ODEProblem:
    """Problem 3 with psi(0) = 0, psi'(0) = 1 on [0, 2]."""
    return ODEProblem(
        rhs=damped_oscillator_rhs,
        order=2,
        x0=0.0,
        x1=2.0,
        y0=np.array([0.0]),
        dy0=np.array([1.0]),
        exact=damped_sine,
    )


def damped_oscillator_bvp() -> ODEProblem:
    """Problem 3 with psi(0) = 0, psi(1) = sin(1) exp(-1/5) on [0, 1]."""
    return ODEProblem(
        rhs=damped_oscillator_rhs,
        order=2,
        x0=0.0,
        x1=1.0,
        y0=None,
        dy0=None,
        boundary=(np.array([0.0]), np.array([np.sin(1.0) * np.exp(-0.2)])),
        exact=damped_sine,
    )


def rotation() -> ODEProblem:
    """The system y0' = y1, y1' = -y0 with y(0) = (0, 1) on [0, 1]: y = (sin x, cos x)."""
    return ODEProblem(
        rhs=lambda x, y, dy: anp.stack([y[1], -y[0]]),
        order=1,
        x0=0.0,
        x1=1.0,
        y0=np.array([0.0, 1.0]),
        dy0=None,
        exact=lambda x: np.stack([np.sin(x), np.cos(x)]),
    )


def coupled() -> ODEProblem:
    """The nonlinear system y0' = cos x + y0² + y1 - (1 + x² + sin² x),
    y1' = 2x - (1 + x²) sin x + y0 y1, y(0) = (0, 1) on [0, 3] (Lagaris et al., problem 4):
    y = (sin x, 1 + x²)."""
    return ODEProblem(
        rhs=lambda x, y, dy: anp.stack(
            [
                anp.cos(x) + y[0] ** 2 + y[1] - (1 + x**2 + anp.sin(x) ** 2),
                2 * x - (1 + x**2) * anp.sin(x) + y[0] * y[1],
            ]
        ),
        order=1,
        x0=0.0,
        x1=3.0,
        y0=np.array([0.0, 1.0]),
        dy0=None,
        exact=lambda x: np.stack([np.sin(x), 1 + x**2]),
    )


LAGARIS = {
    "decay": decay,
    "rational": rational,
    "forced decay": forced_decay,
    "damped oscillator ivp": damped_oscillator_ivp,
    "damped oscillator bvp": damped_oscillator_bvp,
}
