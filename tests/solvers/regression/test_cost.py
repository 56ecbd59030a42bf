import numpy as np
import pytest

from solverq.solvers.regression.autodiff import autograd_gradient
from solverq.solvers.regression.cost import analytic_gradient, cost


def random_batch(seed: int, n: int = 40, p: int = 6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(p), rng.standard_normal((n, p)), rng.standard_normal(n)


@pytest.mark.parametrize("lam", [0.0, 0.37])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_analytic_and_autograd_gradients_agree_to_rounding(lam, seed):
    theta, design, response = random_batch(seed)
    analytic, automatic = np.empty(6), np.empty(6)
    residual, automatic_residual = np.empty(40), np.empty(40)
    analytic_gradient(theta, design, response, lam, residual, analytic)
    autograd_gradient(theta, design, response, lam, automatic_residual, automatic)
    np.testing.assert_allclose(analytic, automatic, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(residual, design @ theta - response, rtol=1e-13)
    np.testing.assert_allclose(automatic_residual, residual, rtol=1e-13)


@pytest.mark.parametrize("lam", [0.0, 0.37])
def test_analytic_gradient_matches_central_differences_of_the_cost(lam):
    theta, design, response = random_batch(7)
    gradient, residual = np.empty(6), np.empty(40)
    analytic_gradient(theta, design, response, lam, residual, gradient)
    step = 1e-6
    differences = [
        (
            cost(theta + step * e, design, response, lam)
            - cost(theta - step * e, design, response, lam)
        )
        / (2 * step)
        for e in np.eye(6)
    ]
    np.testing.assert_allclose(gradient, differences, rtol=1e-7)


def test_cost_is_the_mean_squared_residual_plus_the_penalty():
    theta, design, response = random_batch(8)
    expected = np.mean((response - design @ theta) ** 2) + 0.5 * np.sum(theta**2)
    assert cost(theta, design, response, 0.5) == pytest.approx(expected, rel=1e-14)
