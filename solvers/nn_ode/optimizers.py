"""Minimisers of the residual loss L(p), each stopping by a `StoppingRule`.

- BFGS, the quasi-Newton method of Lagaris et al. (1998): scipy.optimize.minimize with the exact
  gradient; its inverse-Hessian estimate H is updated from s = p_{k+1} - p_k and
  q = ∇L_{k+1} - ∇L_k as H <- (I - r s qᵀ) H (I - r q sᵀ) + r s sᵀ, r = 1/(qᵀs).
- Adam (Kingma and Ba, 2015): m <- β1 m + (1 - β1) g, v <- β2 v + (1 - β2) g²,
  p <- p - η m̂/(√v̂ + ε) with m̂ = m/(1 - β1^t), v̂ = v/(1 - β2^t).
- Plain gradient descent: p <- p - η ∇L(p).

Each returns the parameters of the lowest loss seen, the number of iterations, the loss before
the first and after each iteration, and why it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from solverq.solvers.nn_ode.loss import LossAndGradient

IterationCallback = Callable[[int, float], None]

BETA1 = 0.9
BETA2 = 0.999
EPSILON = 1e-8


class Stop(StrEnum):
    """Why a minimiser stopped."""

    TARGET = "target"
    """The loss reached the hard target `tol` (or the error target: see `training`)."""
    STAGNATED = "stagnated"
    """The loss stopped improving (or BFGS found no further descent)."""
    BUDGET = "budget"
    """The iterations ran out."""
    DIVERGED = "diverged"
    """The loss became non-finite."""


@dataclass(frozen=True)
class StoppingRule:
    """Stop at `iterations` iterations, once L <= `tol`, or when the loss stagnates: checked
    every `window` iterations, the lowest loss of the last `window` is above (1 - `progress`)
    times the lowest loss before them, a relative progress below `progress`."""

    iterations: int
    tol: float = 0.0
    window: int = 200
    progress: float = 0.01

    def reason(self, history: Sequence[float]) -> Stop | None:
        """Why to stop after the losses `history` (the loss before the first iteration first),
        or None to go on."""
        loss = history[-1]
        if not np.isfinite(loss):
            return Stop.DIVERGED
        if loss <= self.tol:
            return Stop.TARGET
        if len(history) - 1 >= self.iterations:
            return Stop.BUDGET
        iteration = len(history) - 1
        if iteration > self.window and iteration % self.window == 0:
            before = min(history[: -self.window])
            if min(history[-self.window :]) > (1.0 - self.progress) * before:
                return Stop.STAGNATED
        return None


@dataclass(frozen=True)
class Minimisation:
    """Where a minimiser stopped: parameters, their loss, iterations taken, loss history and
    the reason it stopped."""

    parameters: np.ndarray
    loss: float
    iterations: int
    history: np.ndarray
    stop: Stop


class _Stopped(Exception):
    """Ends scipy's BFGS from its callback."""


def bfgs(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    rule: StoppingRule,
    callback: IterationCallback,
    reached: Callable[[np.ndarray, float], bool] | None = None,
) -> Minimisation:
    """BFGS until `rule` stops it, `reached(p, loss)` says the target is met after an
    iteration (stop `target`), or it finds no further descent (stagnated)."""
    history = [loss_and_gradient(p0)[0]]
    best_p, best_loss = p0, history[0]
    stop = rule.reason(history)

    def step(intermediate_result: OptimizeResult) -> None:
        nonlocal best_p, best_loss, stop
        history.append(float(intermediate_result.fun))
        if history[-1] < best_loss:
            best_p, best_loss = intermediate_result.x.copy(), history[-1]
        callback(len(history) - 1, history[-1])
        stop = rule.reason(history)
        if stop is None and reached is not None and reached(intermediate_result.x, history[-1]):
            stop = Stop.TARGET
        if stop is not None:
            raise StopIteration

    if stop is None:
        with np.errstate(over="ignore", invalid="ignore"):
            minimize(
                loss_and_gradient,
                p0,
                jac=True,
                method="BFGS",
                callback=step,
                options={"maxiter": rule.iterations, "gtol": 0.0},
            )
    reason = stop or (Stop.BUDGET if len(history) - 1 >= rule.iterations else Stop.STAGNATED)
    return Minimisation(best_p, best_loss, len(history) - 1, np.array(history), reason)


def adam(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    rule: StoppingRule,
    callback: IterationCallback,
    learning_rate: float,
) -> Minimisation:
    """Adam with step size `learning_rate` until `rule` stops it."""
    m = np.zeros_like(p0)
    v = np.zeros_like(p0)

    def update(p: np.ndarray, gradient: np.ndarray, t: int) -> np.ndarray:
        m[:] = BETA1 * m + (1.0 - BETA1) * gradient
        v[:] = BETA2 * v + (1.0 - BETA2) * gradient**2
        m_hat = m / (1.0 - BETA1**t)
        v_hat = v / (1.0 - BETA2**t)
        return p - learning_rate * m_hat / (np.sqrt(v_hat) + EPSILON)

    return _first_order(loss_and_gradient, p0, rule, callback, update)


def gradient_descent(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    rule: StoppingRule,
    callback: IterationCallback,
    learning_rate: float,
) -> Minimisation:
    """Plain gradient descent with step size `learning_rate` until `rule` stops it."""
    return _first_order(
        loss_and_gradient,
        p0,
        rule,
        callback,
        lambda p, gradient, t: p - learning_rate * gradient,
    )


def _first_order(
    loss_and_gradient: LossAndGradient,
    p0: np.ndarray,
    rule: StoppingRule,
    callback: IterationCallback,
    update: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
) -> Minimisation:
    """Steps p <- update(p, ∇L(p), t), t = 1, 2, ..., until `rule` stops them."""
    p = p0
    loss, gradient = loss_and_gradient(p)
    history = [loss]
    best = (p, loss)
    t = 0
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned of
        while (stop := rule.reason(history)) is None:
            t += 1
            p = update(p, gradient, t)
            loss, gradient = loss_and_gradient(p)
            history.append(loss)
            if loss < best[1]:
                best = (p, loss)
            callback(t, loss)
    return Minimisation(best[0], best[1], len(history) - 1, np.array(history), stop)
