"""Linear regression as data, with its closed-form solution and its Hessian's largest eigenvalue.

For a design matrix X (n x p), responses y (n) and a penalty lambda >= 0 (0 for OLS), the cost
C(theta) = (1/n) ||y - X theta||^2 + theta^T Lambda theta, with Lambda = lambda D and D diagonal
(1 for each penalised parameter, 0 for one left free, such as the intercept), has the Hessian
H = (2/n) X^T X + 2 Lambda and the minimiser theta = (X^T X + n Lambda)^-1 X^T y (for OLS the
least-squares solution of smallest norm). Leaving the intercept unpenalised is scikit-learn's
`Ridge` and the course's centred design. Source: FYS-STK3155/4155, University of Oslo, lecture of
October 21 (project 2); T. Hastie, R. Tibshirani, J. Friedman, "The Elements of Statistical
Learning", 2nd ed., Springer 2009, section 3.4.1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RegressionProblem:
    """Fit theta in y ~ X theta: design X (n x p, float, C order), responses y (n), penalty lam
    (0 for OLS, > 0 for ridge) on every parameter but those listed in `unpenalized`."""

    design: np.ndarray
    response: np.ndarray
    lam: float = 0.0
    unpenalized: tuple[int, ...] = ()

    @property
    def penalty(self) -> np.ndarray:
        """The diagonal of Lambda: lambda for each penalised parameter, 0 for the others."""
        weights = np.full(self.parameters, self.lam)
        weights[list(self.unpenalized)] = 0.0
        return weights

    @property
    def samples(self) -> int:
        return self.design.shape[0]

    @property
    def parameters(self) -> int:
        return self.design.shape[1]


def closed_form(problem: RegressionProblem) -> np.ndarray:
    """The exact minimiser of the cost: least squares for OLS, the ridge solution otherwise.

    Ridge is solved as the least-squares problem [X; sqrt(n Lambda)] theta ~ [y; 0], whose
    normal equations are those of the ridge solution, without squaring the condition number.
    """
    design, response = problem.design, problem.response
    if problem.lam > 0:
        p = problem.parameters
        design = np.vstack([design, np.diag(np.sqrt(problem.samples * problem.penalty))])
        response = np.concatenate([response, np.zeros(p)])
    return np.linalg.lstsq(design, response, rcond=None)[0]


def hessian(problem: RegressionProblem) -> np.ndarray:
    """H = (2/n) X^T X + 2 Lambda, the (constant) Hessian of the cost."""
    gram = problem.design.T @ problem.design
    return 2.0 / problem.samples * gram + 2.0 * np.diag(problem.penalty)


def extreme_eigenvalues(hessian: np.ndarray) -> tuple[float, float]:
    """lambda_min and lambda_max of a symmetric matrix."""
    eigenvalues = np.linalg.eigvalsh(hessian)
    return float(eigenvalues[0]), float(eigenvalues[-1])


def condition_number(lambda_min: float, lambda_max: float) -> float:
    """lambda_max / lambda_min of a positive semi-definite matrix; inf when it is singular.

    Gradient descent needs about cond(H) iterations per decimal digit of accuracy (Nocedal and
    Wright, "Numerical Optimization", 2nd ed., Springer 2006, section 3.3)."""
    return lambda_max / lambda_min if lambda_min > 1e-15 * lambda_max else float("inf")


def mean_squared_error(problem: RegressionProblem, theta: np.ndarray) -> float:
    """(1/n) ||y - X theta||^2, without the penalty."""
    residual = problem.design @ theta - problem.response
    return float(residual @ residual) / problem.samples


def r2_score(problem: RegressionProblem, mse: float) -> float | None:
    """The coefficient of determination 1 - n mse / sum (y - mean y)^2; None for constant y."""
    spread = problem.response - problem.response.mean()
    total = float(spread @ spread)
    return 1.0 - problem.samples * mse / total if total > 0 else None
