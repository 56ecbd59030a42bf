"""The residual loss against a residual computed independently with autograd, and its gradient
against finite differences."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad

from solverq.solvers.nn_ode.loss import residual, residual_loss
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.trial import trial_solution
from tests.solvers.nn_ode import problems
from tests.solvers.nn_ode.test_network import reference_network

PROBLEMS = {**problems.LAGARIS, "rotation": problems.rotation}


def reference_trial(problem, network: Network, p: np.ndarray):
    """y_t(x) of Lagaris et al. written out with autograd.numpy, from the problem's conditions."""
    value = reference_network(network, p)

    def trial(x):
        s = x - problem.x0
        if problem.boundary is not None:
            ya, yb = (v[:, None] for v in problem.boundary)
            b = problem.x1
            return ya + (yb - ya) * s / (b - problem.x0) + s * (b - x) * value(x)
        if problem.order == 1:
            return problem.y0[:, None] + s * value(x)
        return problem.y0[:, None] + problem.dy0[:, None] * s + s**2 * value(x)

    return trial


def setup(name: str, hidden: tuple[int, ...], seed: int = 0):
    problem = PROBLEMS[name]()
    network = Network(hidden, problem.components, "sigmoid", problem.x0, problem.x1 - problem.x0)
    p = np.random.default_rng(seed).normal(size=network.size)
    x = np.linspace(problem.x0, problem.x1, 9)
    return problem, network, trial_solution(problem), p, x


@pytest.mark.parametrize("name", PROBLEMS)
def test_residual_agrees_with_autograd_derivatives_of_the_trial_solution(name: str) -> None:
    problem, network, trial, p, x = setup(name, (10,))
    computed = residual(problem, network, trial, p, x)
    values = reference_trial(problem, network, p)
    components = []
    for k in range(problem.components):
        first = elementwise_grad(lambda x, k=k: values(x)[k])
        components.append((first, elementwise_grad(first)))
    y = values(x)
    dy = anp.stack([first(x) for first, _ in components])
    if problem.order == 1:
        expected = dy - problem.rhs(x, y, None)
    else:
        expected = anp.stack([second(x) for _, second in components]) - problem.rhs(x, y, dy)
    np.testing.assert_allclose(computed, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("hidden", [(10,), (4, 3)])
@pytest.mark.parametrize("name", PROBLEMS)
def test_gradient_agrees_with_finite_differences(name: str, hidden: tuple[int, ...]) -> None:
    problem, network, trial, p, x = setup(name, hidden, seed=1)
    loss_and_gradient = residual_loss(problem, network, trial, x)
    loss, gradient = loss_and_gradient(p)
    assert loss == pytest.approx(np.mean(residual(problem, network, trial, p, x) ** 2), rel=1e-14)
    step = 1e-6
    differences = [
        (loss_and_gradient(p + step * e)[0] - loss_and_gradient(p - step * e)[0]) / (2 * step)
        for e in np.eye(network.size)
    ]
    np.testing.assert_allclose(gradient, differences, rtol=1e-5, atol=1e-7 * abs(loss))


def test_a_right_hand_side_free_of_y_has_a_gradient_too() -> None:
    problem = problems.decay()
    free = type(problem)(lambda x, y, dy: anp.cos(x), 1, 0.0, 1.0, np.array([0.0]), None)
    network = Network((5,), 1, "tanh", 0.0, 1.0)
    p = np.random.default_rng(0).normal(size=network.size)
    x = np.linspace(0.0, 1.0, 6)
    loss_and_gradient = residual_loss(free, network, trial_solution(free), x)
    step = 1e-6
    differences = [
        (loss_and_gradient(p + step * e)[0] - loss_and_gradient(p - step * e)[0]) / (2 * step)
        for e in np.eye(network.size)
    ]
    np.testing.assert_allclose(loss_and_gradient(p)[1], differences, rtol=1e-5, atol=1e-8)
