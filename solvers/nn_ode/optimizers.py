"""Minimisers of the residual loss L(p), each stopping once L <= tol.

- BFGS, the quasi-Newton method of Lagaris et al. (1998): scipy.optimize.minimize with the exact
  gradient; its inverse-Hessian estimate H is updated from s = p_{k+1} - p_k and
  q = ∇L_{k+1} - ∇L_k as H <- (I - r s qᵀ) H (I - r q sᵀ) + r s sᵀ, r = 1/(qᵀs).
- Adam (Kingma and Ba, 2015): m <- β1 m + (1 - β1) g, v <- β2 v + (1 - β2) g²,
  p <- p - η m̂/(√v̂ + ε) with m̂ = m/(1 - β1^t), v̂ = v/(1 - β2^t).
- Plain gradient descent: p <- p - η ∇L(p).

Each returns the parameters of the lowest loss seen, the number of iterations and the loss before
the first and after each iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from solverq.solvers.nn_ode.loss import LossAndGradient

IterationCallback = Callable[[int, float], None]

BETA1 = 0.9
BETA2 = 0.999
EPSILON = 1e-8


@dataclass(frozen=True)
class Minimisation:
    """Where a minimiser stopped: parameters, their loss, iterations taken, loss history."""

    parameters: np.ndarray
    loss: float
    iterations: int
    history: np.ndarray


def bfgs(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    iterations: int,
    tol: float,
    callback: IterationCallback,
) -> Minimisation:
    """BFGS until L <= tol, `iterations` iterations, or no further descent is found."""
    history = [loss_and_gradient(p0)[0]]
    best_p, best_loss = p0, history[0]

    def step(intermediate_result: OptimizeResult) -> None:
        nonlocal best_p, best_loss
        history.append(float(intermediate_result.fun))
        if history[-1] < best_loss:
            best_p, best_loss = intermediate_result.x.copy(), history[-1]
        callback(len(history) - 1, history[-1])
        if history[-1] <= tol:
            raise StopIteration

    if history[0] > tol:
        minimize(
            loss_and_gradient,
            p0,
            jac=True,
            method="BFGS",
            callback=step,
            options={"maxiter": iterations, "gtol": 0.0},
        )
    return Minimisation(best_p, best_loss, len(history) - 1, np.array(history))


def adam(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    iterations: int,
    tol: float,
    callback: IterationCallback,
    learning_rate: float,
) -> Minimisation:
    """Adam with step size `learning_rate` until L <= tol or `iterations` steps."""
    m = np.zeros_like(p0)
    v = np.zeros_like(p0)

    def update(p: np.ndarray, gradient: np.ndarray, t: int) -> np.ndarray:
        m[:] = BETA1 * m + (1.0 - BETA1) * gradient
        v[:] = BETA2 * v + (1.0 - BETA2) * gradient**2
        m_hat = m / (1.0 - BETA1**t)
        v_hat = v / (1.0 - BETA2**t)
        return p - learning_rate * m_hat / (np.sqrt(v_hat) + EPSILON)

    return _first_order(loss_and_gradient, p0, iterations, tol, callback, update)


def gradient_descent(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    iterations: int,
    tol: float,
    callback: IterationCallback,
    learning_rate: float,
) -> Minimisation:
    """Plain gradient descent with step size `learning_rate` until L <= tol or `iterations`."""
    return _first_order(
        loss_and_gradient,
        p0,
        iterations,
        tol,
        callback,
        lambda p, gradient, t: p - learning_rate * gradient,
    )


def _first_order(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    iterations: int,
    tol: float,
    callback: IterationCallback,
    update: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
) -> Minimisation:
    """Steps p <- update(p, ∇L(p), t), t = 1, 2, ..., stopping at L <= tol or a non-finite L."""
    p = p0
    loss, gradient = loss_and_gradient(p)
    history = [loss]
    best = (p, loss)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned of
        for t in range(1, iterations + 1):
            if loss <= tol or not np.isfinite(loss):
                break
            p = update(p, gradient, t)
            loss, gradient = loss_and_gradient(p)
            history.append(loss)
            if loss < best[1]:
                best = (p, loss)
            callback(t, loss)
    return Minimisation(best[0], best[1], len(history) - 1, np.array(history))
