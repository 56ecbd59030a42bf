"""Linear regression as data, with its closed-form solution and its Hessian's largest eigenvalue.

For a design matrix X (n x p), responses y (n) and a penalty lambda >= 0 (0 for OLS), the cost
C(theta) = (1/n) ||y - X theta||^2 + lambda ||theta||^2 has the Hessian H = (2/n) X^T X + 2 lambda I
and the minimiser theta = (X^T X + n lambda I)^-1 X^T y (for OLS the least-squares solution of
smallest norm). Source: FYS-STK3155/4155, University of Oslo, lecture of October 21 (project 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RegressionProblem:
    """Fit theta in y ~ X theta: design X (n x p, float, C order), responses y (n), penalty lam
    (0 for OLS, > 0 for ridge)."""

    design: np.ndarray
    response: np.ndarray
    lam: float = 0.0

    @property
    def samples(self) -> int:
        return self.design.shape[0]

    @property
    def parameters(self) -> int:
        return self.design.shape[1]


def closed_form(problem: RegressionProblem) -> np.ndarray:
    """The exact minimiser of the cost: least squares for OLS, the ridge solution otherwise.

    Ridge is solved as the least-squares problem [X; sqrt(n lambda) I] theta ~ [y; 0], whose
    normal equations are those of the ridge solution, without squaring the condition number.
    """
    design, response = problem.design, problem.response
    if problem.lam > 0:
        p = problem.parameters
        design = np.vstack([design, np.sqrt(problem.samples * problem.lam) * np.eye(p)])
        response = np.concatenate([response, np.zeros(p)])
    return np.linalg.lstsq(design, response, rcond=None)[0]


def hessian(problem: RegressionProblem) -> np.ndarray:
    """H = (2/n) X^T X + 2 lambda I, the (constant) Hessian of the cost."""
    gram = problem.design.T @ problem.design
    return 2.0 / problem.samples * gram + 2.0 * problem.lam * np.eye(problem.parameters)


def largest_eigenvalue(hessian: np.ndarray) -> float:
    """lambda_max of a symmetric matrix."""
    return float(np.linalg.eigvalsh(hessian)[-1])


def mean_squared_error(problem: RegressionProblem, theta: np.ndarray) -> float:
    """(1/n) ||y - X theta||^2, without the penalty."""
    residual = problem.design @ theta - problem.response
    return float(residual @ residual) / problem.samples


def r2_score(problem: RegressionProblem, mse: float) -> float | None:
    """The coefficient of determination 1 - n mse / sum (y - mean y)^2; None for constant y."""
    spread = problem.response - problem.response.mean()
    total = float(spread @ spread)
    return 1.0 - problem.samples * mse / total if total > 0 else None
