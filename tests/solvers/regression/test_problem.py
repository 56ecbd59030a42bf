import autograd
import numpy as np
import pytest

from solverq.solvers.regression.cost import cost
from solverq.solvers.regression.problem import (
    RegressionProblem,
    closed_form,
    condition_number,
    extreme_eigenvalues,
    hessian,
    mean_squared_error,
    r2_score,
)


def random_problem(lam: float, seed: int = 0, n: int = 60, p: int = 5) -> RegressionProblem:
    rng = np.random.default_rng(seed)
    return RegressionProblem(rng.standard_normal((n, p)), rng.standard_normal(n), lam)


def test_ols_closed_form_is_least_squares():
    problem = random_problem(0.0)
    expected = np.linalg.lstsq(problem.design, problem.response, rcond=None)[0]
    np.testing.assert_allclose(closed_form(problem), expected, rtol=1e-12)


def test_ridge_closed_form_solves_the_scaled_normal_equations():
    problem = random_problem(0.2)
    design, n, p = problem.design, 60, 5
    expected = np.linalg.solve(design.T @ design + n * 0.2 * np.eye(p), design.T @ problem.response)
    np.testing.assert_allclose(closed_form(problem), expected, rtol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_lambda_max_is_the_largest_eigenvalue_of_the_hessian(lam):
    problem = random_problem(lam)
    largest_singular_value = np.linalg.svd(problem.design, compute_uv=False)[0]
    expected = 2 / 60 * largest_singular_value**2 + 2 * lam
    assert extreme_eigenvalues(hessian(problem))[1] == pytest.approx(expected, rel=1e-12)


def test_hessian_is_the_second_derivative_of_the_cost():
    problem = random_problem(0.3)
    design = problem.design
    second_derivative = autograd.hessian(cost)(np.zeros(5), design, problem.response, 0.3)
    np.testing.assert_allclose(hessian(problem), second_derivative, rtol=1e-12)


def test_mse_and_r2():
    problem = random_problem(0.0)
    theta = np.arange(5.0)
    residual = problem.response - problem.design @ theta
    mse = mean_squared_error(problem, theta)
    assert mse == pytest.approx(np.mean(residual**2), rel=1e-14)
    spread = problem.response - problem.response.mean()
    assert r2_score(problem, mse) == pytest.approx(1 - residual @ residual / (spread @ spread))


def test_r2_of_constant_responses_is_undefined():
    problem = RegressionProblem(np.ones((4, 1)), np.full(4, 2.0))
    assert r2_score(problem, 0.0) is None


def test_an_unpenalized_intercept_gives_scikit_learns_ridge():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(3)
    inputs = rng.standard_normal((50, 3))
    response = 4.0 + inputs @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(50)
    design = np.column_stack([np.ones(50), inputs])
    problem = RegressionProblem(design, response, 0.1, unpenalized=(0,))
    # scikit-learn minimises ||y - X w - b||^2 + alpha ||w||^2: alpha = n lambda here
    reference = linear_model.Ridge(alpha=50 * 0.1).fit(inputs, response)
    theta = closed_form(problem)
    np.testing.assert_allclose(theta, [reference.intercept_, *reference.coef_], rtol=1e-10)
    np.testing.assert_allclose(np.diag(hessian(problem))[0], 2 / 50 * 50, rtol=1e-14)


def test_condition_number_is_the_ratio_of_the_extreme_eigenvalues():
    design = np.column_stack([np.ones(20), np.linspace(0, 1, 20) ** 5])
    problem = RegressionProblem(design, np.zeros(20))
    lowest, highest = extreme_eigenvalues(hessian(problem))
    assert condition_number(lowest, highest) == pytest.approx(np.linalg.cond(design.T @ design))
    assert condition_number(0.0, 1.0) == float("inf")
