"""A Levenberg-Marquardt polish of the trained parameters on the residual vector.

BFGS minimises the mean square L(p) = |F(p)|²/(n m) with a Hessian estimate built from
gradients alone; when the equation's terms are large beside its residual (a system whose
right-hand side is of order ten while the residual is 1e-6), that estimate is too coarse to go
on and BFGS stalls. The Gauss-Newton model uses the residual's Jacobian G = ∂F/∂p instead,
∇²L ≈ 2 GᵀG/(n m), and the Levenberg-Marquardt step δ = -(GᵀG + μ D)⁻¹ Gᵀ F (scipy's
`least_squares`, MINPACK's `lm` or the trust-region reflective `trf` when there are fewer
residuals than parameters) converges fast near a zero-residual minimum whatever the residual's
scale (J. J. Moré, "The Levenberg-Marquardt algorithm: implementation and theory", Lecture
Notes in Mathematics 630, 1978).

When f is affine in y and y' (a linear equation written in the expression language), F is
affine in the output layer's weights and bias c, and the polish works on the hidden layers'
parameters θ alone, with c the linear least-squares solution for each θ (variable projection,
G. H. Golub, V. Pereyra, "The differentiation of pseudo-inverses and nonlinear least squares
problems whose variables separate", SIAM J. Numer. Anal. 10(2), 1973): the output layer, on
which the loss depends most steeply, is always at its optimum and the trust-region steps
(scipy's `trf`) move the hidden layers alone. On the oscillators of the benchmark it ends in
tens of steps where Levenberg-Marquardt on all parameters stalls after hundreds.

The Jacobian is exact: with F_k = y_t,k^(order) - f_k(x, y_t, y_t'), row (k, i) is the chain rule
e_k - J[k] ∘ y_t - K[k] ∘ y_t' (J = ∂f/∂y, K = ∂f/∂y' from `linearisation`), through the trial map
to N and its x-derivatives, and through the network point by point (`network_jacobian`).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from solverq.solvers.nn_ode.linearisation import linear_in_y, linearised_rhs
from solverq.solvers.nn_ode.network import Forward, Network, network_forward, network_jacobian
from solverq.solvers.nn_ode.optimizers import Minimisation, Stop, StoppingRule
from solverq.solvers.nn_ode.trial import TrialSolution
from solverq.solvers.ode.problem import ODEProblem

EVALUATIONS_PER_STEP = 4
"""The most residual evaluations per accepted step (rejected steps and MINPACK's own)."""
SINGULAR_CUTOFF = 1e-10
"""The projected output layer keeps the singular directions of A down to this fraction of the
largest singular value. Sigmoid units on a few dozen points are nearly dependent; solving for c
along directions of singular values near machine precision (where lstsq's default cuts off)
lowers the loss on the points by output weights of order 1e10 that nearly cancel, whose
rounding errors then make y_t noisy from one point to the next at 1e-5 (y'' = -100 y on [0, 2]);
with the cutoff the weights stay below about 1e5 and the polish converges as fast."""
OVERFLOW = 1e150
"""The residual reported where it is not finite, so that the step is rejected."""


class _Stopped(Exception):
    """Ends scipy's least_squares from the Jacobian's evaluation."""


@dataclass(frozen=True)
class _Evaluation:
    """The residual at p with what its Jacobian at p needs: the forward pass, y_t and its
    derivatives, and the right-hand side's Jacobians."""

    p: np.ndarray
    forward: Forward
    residuals: np.ndarray
    jacobians: list[np.ndarray]


class _Residual:
    """F(p) on fixed points, and ∂F/∂p from the same evaluation when it is asked for at the p
    last evaluated (as least_squares does after each accepted step)."""

    def __init__(
        self, problem: ODEProblem, network: Network, trial: TrialSolution, x: np.ndarray
    ) -> None:
        self.problem, self.network, self.x = problem, network, x
        self.trial_map = trial.at(x, problem.order)
        self.last: _Evaluation | None = None

    def evaluate(self, p: np.ndarray) -> _Evaluation:
        if self.last is not None and np.array_equal(self.last.p, p):
            return self.last
        order = self.problem.order
        forward = network_forward(self.network, p, self.x, order)
        y = self.trial_map.derivatives(forward.outputs)
        f, jacobians = linearised_rhs(self.problem, self.x, y[:order])
        self.last = _Evaluation(p.copy(), forward, y[order] - f, jacobians)
        return self.last

    def jacobian(self, p: np.ndarray) -> np.ndarray:
        """∂F/∂p, (components · points, parameters), rows in the order of F.ravel()."""
        evaluation = self.evaluate(p)
        m = evaluation.residuals.shape[0]
        rows = []
        for k in range(m):
            leading = np.zeros_like(evaluation.residuals)
            leading[k] = 1.0
            y_bar = [-matrix[k] for matrix in evaluation.jacobians] + [leading]
            cotangent = self.trial_map.transpose(y_bar)
            rows.append(network_jacobian(self.network, p, evaluation.forward, cotangent))
        return np.concatenate(rows)


def residual_jacobian(
    problem: ODEProblem, network: Network, trial: TrialSolution, p: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """∂F/∂p, (components · points, parameters), rows in the order of F.ravel() for F shaped
    (components, points)."""
    return _Residual(problem, network, trial, x).jacobian(p)


class _Full:
    """Levenberg-Marquardt on all the parameters: θ = p."""

    def __init__(self, residual: _Residual) -> None:
        self.residual = residual

    def start(self, p0: np.ndarray) -> np.ndarray:
        return p0

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F(θ) and the parameters p it was evaluated at."""
        return self.residual.evaluate(theta).residuals.ravel(), theta

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        return self.residual.jacobian(theta)


class _Projected:
    """Variable projection: θ holds the hidden layers' parameters, and the output layer's c
    minimises |F| for each θ. For an equation linear in y and y', F is affine in c,
    F(θ, c) = A(θ) c + b(θ), since y_t and its derivatives are; c(θ) is then one linear
    least-squares solve, through the SVD of A truncated at SINGULAR_CUTOFF, and the reduced
    residual is r(θ) = (I - U Uᵀ) F(θ, c) for U the left singular vectors of A kept by the
    solve. Its Jacobian is taken as (I - U Uᵀ) ∂F/∂θ at (θ, c(θ)) (L. Kaufman, "A variable
    projection method for solving separable nonlinear least squares problems", BIT 15, 1975)."""

    def __init__(self, residual: _Residual, outputs: int) -> None:
        self.residual, self.outputs = residual, outputs
        self.c = np.zeros(outputs)
        self.last: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def start(self, p0: np.ndarray) -> np.ndarray:
        self.c = p0[-self.outputs :].copy()
        return p0[: -self.outputs].copy()

    def _solve(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(p, r, U, ∂F/∂p at p) with p = (θ, c(θ))."""
        if self.last is not None and np.array_equal(self.last[0][: -self.outputs], theta):
            return self.last
        p = np.concatenate([theta, self.c])
        values = self.residual.evaluate(p).residuals.ravel()
        a = self.residual.jacobian(p)[:, -self.outputs :]
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        kept = s > s[0] * SINGULAR_CUTOFF if s[0] > 0 else s > 0
        u, s, vt = u[:, kept], s[kept], vt[kept]
        step = vt.T @ ((u.T @ values) / s)
        p = np.concatenate([theta, self.c - step])
        self.last = (p, values - a @ step, u, self.residual.jacobian(p))
        return self.last

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, reduced, _, _ = self._solve(theta)
        return reduced, p

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        p, _, u, full = self._solve(theta)
        self.c = p[-self.outputs :]
        hidden = full[:, : -self.outputs]
        return hidden - u @ (u.T @ hidden)


def polish(
    problem: ODEProblem,
    network: Network,
    trial: TrialSolution,
    x: np.ndarray,
    p0: np.ndarray,
    rule: StoppingRule,
) -> Minimisation:
    """Levenberg-Marquardt on F(p) from p0 until `rule` stops it or no step lowers |F|: on the
    hidden layers' parameters with the output layer projected out (`_Projected`) when F is
    affine in the output layer (`linear_in_y`) and there are more residuals than output
    parameters, else on all the parameters. Its iterations are its accepted steps, at each of
    which the Jacobian is evaluated: the history holds the loss at p0 and after each; the
    parameters are those of the lowest loss seen."""
    best_loss, best_p = np.inf, p0
    history: list[float] = []
    stop: list[Stop] = []
    evaluations = _Residual(problem, network, trial, x)
    rows, columns = network.shapes[-1]
    outputs = rows * (columns + 1)
    view: _Full | _Projected = _Full(evaluations)
    if linear_in_y(problem) and problem.components * len(x) > outputs:
        view = _Projected(evaluations, outputs)
        history.append(float(np.mean(evaluations.evaluate(p0).residuals ** 2)))
        best_loss = history[0]

    def residuals(theta: np.ndarray) -> np.ndarray:
        values, p = view.values(theta)
        loss = float(np.mean(values**2))
        if not np.isfinite(loss):
            return np.full_like(values, OVERFLOW)
        nonlocal best_loss, best_p
        if loss < best_loss:
            best_loss, best_p = loss, p.copy()
        return values

    def jacobian(theta: np.ndarray) -> np.ndarray:
        history.append(float(np.mean(view.values(theta)[0] ** 2)))
        reason = rule.reason(history)
        if reason is not None:
            stop.append(reason)
            raise _Stopped
        return view.jacobian(theta)

    theta0 = view.start(p0)
    method = "lm" if isinstance(view, _Full) and len(x) * problem.components >= len(p0) else "trf"
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(_Stopped, np.linalg.LinAlgError):
            least_squares(
                residuals,
                theta0,
                jac=jacobian,
                method=method,
                max_nfev=EVALUATIONS_PER_STEP * max(rule.iterations, 1),
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
            )
    if stop:  # at the step where `rule` stopped it, the lowest loss seen
        history[-1] = min(best_loss, history[-1])
    else:  # the last step scipy took, which has no Jacobian evaluation of its own
        history.append(min(best_loss, history[-1]))
    reason = stop[0] if stop else Stop.STAGNATED
    return Minimisation(best_p, best_loss, len(history) - 1, np.array(history), reason)
