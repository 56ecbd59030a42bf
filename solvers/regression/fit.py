"""The training loop: gradient descent on the regression cost with any update rule, full batch or
mini-batches, until the gradient norm falls below `tol`, the epochs run out, or the run diverges.

theta starts at 0. Before epoch 0 and after every epoch the loop evaluates the MSE
(1/n) ||y - X theta||^2 from the full residual X theta - y, and the full gradient for the stopping
test ||grad C|| <= tol. Full-batch descent computes that gradient from the residual,
(2/n) X^T r + 2 Lambda theta, and steps with it, so its epoch costs the two matrix-vector products
X theta and X^T r and nothing else of size n x p. Mini-batch descent takes it from the constant
Hessian H = (2/n) X^T X + 2 Lambda as H theta - (2/n) X^T y, so its epoch costs the batches and
the one product X theta. The default rate of plain and momentum descent is eta = 1/lambda_max(H),
half the stability bound 2/lambda_max of gradient descent; the adaptive rules bring their own.
A run diverges when theta or the MSE stops being finite, or when the MSE grows by a factor
`DIVERGENCE_GROWTH` over its value at theta = 0; plain full-batch descent at a constant eta above
2/lambda_max is known to diverge and stops before its first epoch. Source: FYS-STK3155/4155,
University of Oslo, lecture of October 21 (project 2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from solverq.solvers.optimization import Step, UpdateRule
from solverq.solvers.optimization.batches import MiniBatches
from solverq.solvers.optimization.gd import GradientDescent
from solverq.solvers.optimization.schedules import Constant, Schedule
from solverq.solvers.outcome import Progress, SolveStatus
from solverq.solvers.regression.cost import Gradient, analytic_gradient
from solverq.solvers.regression.data import Seed
from solverq.solvers.regression.problem import (
    RegressionProblem,
    condition_number,
    extreme_eigenvalues,
    hessian,
)

DIVERGENCE_GROWTH = 1e6
PROGRESS_INTERVAL = 0.25


@dataclass(frozen=True)
class FitSettings:
    """How to descend: the update rule, batch size (None: full batch), initial learning rate
    (None: see `initial_rate`), schedule, epochs, gradient tolerance, gradient, shuffling seed."""

    rule: UpdateRule = field(default_factory=GradientDescent)
    batch_size: int | None = None
    eta: float | None = None
    schedule: Schedule = field(default_factory=Constant)
    epochs: int = 1000
    tol: float = 1e-8
    gradient: Gradient = analytic_gradient
    seed: Seed = 0


@dataclass(frozen=True)
class FitResult:
    """Where the descent ended: theta and its MSE, the MSE after each epoch run, the status with
    its reason, the learning rate used, lambda_max of the Hessian and its condition number
    lambda_max/lambda_min. After a divergence theta is where the run stopped and may not be
    finite; the history holds only finite values."""

    theta: np.ndarray
    mse: float
    gradient_norm: float
    mse_history: np.ndarray
    epochs: int
    status: SolveStatus
    reason: str
    eta: float
    lambda_max: float
    condition_number: float


def fit(
    problem: RegressionProblem, settings: FitSettings, progress: Progress | None = None
) -> FitResult:
    """Minimise the problem's cost by gradient descent as `settings` describe."""
    curvature = hessian(problem)
    lambda_min, lambda_max = extreme_eigenvalues(curvature)
    eta = initial_rate(settings, lambda_max)
    bound = 2.0 / lambda_max
    spectrum = (lambda_max, condition_number(lambda_min, lambda_max))
    descent = _Descent(problem, settings, eta, curvature, spectrum)
    if descent.batches is None and _is_plain_constant(settings) and eta > bound:
        reason = (
            f"diverged: eta = {eta:.3g} exceeds the stability bound 2/lambda_max = {bound:.3g} "
            "of gradient descent on this problem"
        )
        return descent.result(0, SolveStatus.DIVERGED, reason)

    last_report = time.monotonic()
    with np.errstate(over="ignore", invalid="ignore"):
        descent.evaluate()
        initial_mse = descent.mse
        for epoch in range(settings.epochs + 1):
            if epoch > 0:
                descent.run_epoch(epoch - 1)
                descent.evaluate()
                failure = _divergence(descent, epoch, initial_mse, bound)
                if failure:
                    return descent.result(epoch - 1, SolveStatus.DIVERGED, failure)
                descent.history[epoch - 1] = descent.mse
            now = time.monotonic()
            if progress is not None and now - last_report >= PROGRESS_INTERVAL:
                last_report = now
                progress(epoch / settings.epochs, f"epoch {epoch}, MSE {descent.mse:.4g}")
            if descent.gradient_norm <= settings.tol:
                reason = f"the gradient norm fell to {descent.gradient_norm:.3g} <= tol"
                return descent.result(epoch, SolveStatus.CONVERGED, reason)
    reason = f"{settings.epochs} epochs ran; the gradient norm is {descent.gradient_norm:.3g} > tol"
    return descent.result(settings.epochs, SolveStatus.NOT_CONVERGED, reason)


def initial_rate(settings: FitSettings, lambda_max: float) -> float:
    """eta as given, else the rule's recommended rate, else 1/lambda_max (plain GD, momentum)."""
    if settings.eta is not None:
        return settings.eta
    if settings.rule.default_eta is not None:
        return settings.rule.default_eta
    return 1.0 / lambda_max


def _divergence(descent: _Descent, epoch: int, initial_mse: float, bound: float) -> str | None:
    """Why the run diverged in this epoch, or None."""
    if np.isfinite(descent.mse) and np.isfinite(descent.gradient_norm):
        if descent.mse <= DIVERGENCE_GROWTH * initial_mse:
            return None
        what = f"the MSE grew from {initial_mse:.3g} to {descent.mse:.3g}"
    else:
        what = "theta overflowed to inf or NaN"
    return (
        f"diverged in epoch {epoch}: {what} (eta = {descent.eta:.3g}; gradient descent is "
        f"stable for eta < 2/lambda_max = {bound:.3g})"
    )


def _is_plain_constant(settings: FitSettings) -> bool:
    return isinstance(settings.rule, GradientDescent) and isinstance(settings.schedule, Constant)


class _Descent:
    """The state of one run: theta, the rule's step, the buffers, and the last evaluation."""

    def __init__(
        self,
        problem: RegressionProblem,
        settings: FitSettings,
        eta: float,
        curvature: np.ndarray,
        spectrum: tuple[float, float],
    ) -> None:
        n, p = problem.samples, problem.parameters
        self.problem = problem
        self.settings = settings
        self.eta = eta
        self.theta = np.zeros(p)
        self.penalty = problem.penalty
        self.step: Step = settings.rule.start([(p,)])
        self.lambda_max, self.condition_number = spectrum
        self.residual = np.empty(n)
        self.gradient = np.empty(p)
        self.history = np.empty(settings.epochs)
        self.mse = float("nan")
        self.gradient_norm = float("nan")
        batch_size = settings.batch_size
        self.batches = (
            None
            if batch_size is None or batch_size >= n
            else MiniBatches(n, batch_size, settings.seed)
        )
        if self.batches is not None:
            self.curvature = curvature
            self.moment = 2.0 / n * (problem.design.T @ problem.response)
            self.batch_design = np.empty((self.batches.size, p))
            self.batch_response = np.empty(self.batches.size)
            self.batch_residual = np.empty(self.batches.size)
            self.batch_gradient = np.empty(p)

    def evaluate(self) -> None:
        """The full residual and gradient at theta, the MSE and the gradient norm."""
        problem, theta = self.problem, self.theta
        if self.batches is None:
            self.settings.gradient(
                theta, problem.design, problem.response, self.penalty, self.residual, self.gradient
            )
        else:
            if theta.any():
                np.matmul(problem.design, theta, out=self.residual)
                self.residual -= problem.response
            else:
                np.negative(problem.response, out=self.residual)
            np.matmul(self.curvature, theta, out=self.gradient)
            self.gradient -= self.moment
        self.mse = float(self.residual @ self.residual) / problem.samples
        self.gradient_norm = float(np.sqrt(self.gradient @ self.gradient))

    def run_epoch(self, epoch: int) -> None:
        """One epoch of updates: one full-batch step, or one step per mini-batch."""
        schedule, eta = self.settings.schedule, self.eta
        if self.batches is None:
            self.step([self.theta], [self.gradient], schedule.rate(eta, epoch))
            return
        problem, gradient = self.problem, self.settings.gradient
        for index, rows in enumerate(self.batches.epoch()):
            m = len(rows)
            # mode="clip" lets take() write into `out` directly; the rows are always in range.
            np.take(problem.design, rows, axis=0, out=self.batch_design[:m], mode="clip")
            np.take(problem.response, rows, out=self.batch_response[:m], mode="clip")
            gradient(
                self.theta,
                self.batch_design[:m],
                self.batch_response[:m],
                self.penalty,
                self.batch_residual[:m],
                self.batch_gradient,
            )
            t = epoch * self.batches.count + index
            self.step([self.theta], [self.batch_gradient], schedule.rate(eta, t))

    def result(self, epochs: int, status: SolveStatus, reason: str) -> FitResult:
        return FitResult(
            theta=self.theta.copy(),
            mse=self.mse,
            gradient_norm=self.gradient_norm,
            mse_history=self.history[:epochs].copy(),
            epochs=epochs,
            status=status,
            reason=reason,
            eta=self.eta,
            lambda_max=self.lambda_max,
            condition_number=self.condition_number,
        )
