"""Trial solutions meet their conditions for any network, and their derivatives and transposes
agree with autograd and with the adjoint identity."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad

from solverq.solvers.nn_ode.network import Network, network_forward
from solverq.solvers.nn_ode.trial import DirichletBVP, FirstOrderIVP, SecondOrderIVP, trial_solution
from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.problem import ODEProblem
from tests.solvers.nn_ode import problems

X0, X1 = 0.5, 2.0
TRIALS = {
    "first-order ivp": FirstOrderIVP(X0, np.array([1.5, -2.0])),
    "second-order ivp": SecondOrderIVP(X0, np.array([1.5, -2.0]), np.array([0.3, 4.0])),
    "dirichlet bvp": DirichletBVP(X0, X1, np.array([1.5, -2.0]), np.array([-0.7, 3.0])),
}


def random_network(seed: int) -> tuple[Network, np.ndarray]:
    network = Network((6, 5), 2, "tanh", X0, X1 - X0)
    return network, np.random.default_rng(seed).normal(size=network.size)


def derivatives_at(trial, network, p, x: np.ndarray) -> list[np.ndarray]:
    return trial.at(x, 2).derivatives(network_forward(network, p, x, 2).outputs)


@pytest.mark.parametrize("seed", range(5))
def test_conditions_hold_exactly_for_any_parameters(seed: int) -> None:
    network, p = random_network(seed)
    ends = np.array([X0, X1])
    first = derivatives_at(TRIALS["first-order ivp"], network, p, ends)
    np.testing.assert_array_equal(first[0][:, 0], [1.5, -2.0])
    second = derivatives_at(TRIALS["second-order ivp"], network, p, ends)
    np.testing.assert_array_equal(second[0][:, 0], [1.5, -2.0])
    np.testing.assert_array_equal(second[1][:, 0], [0.3, 4.0])
    boundary = derivatives_at(TRIALS["dirichlet bvp"], network, p, ends)
    np.testing.assert_allclose(boundary[0][:, 0], [1.5, -2.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(boundary[0][:, 1], [-0.7, 3.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", TRIALS)
def test_derivatives_agree_with_autograd(name: str) -> None:
    trial = TRIALS[name]
    network, p = random_network(3)
    x = np.linspace(X0, X1 + 0.5, 9)
    computed = derivatives_at(trial, network, p, x)
    np.testing.assert_allclose(computed[0], trial.values(network, p, x), rtol=1e-13)
    layers = network.layers(p)

    def value(x, k):
        a = anp.reshape((x - X0) / (X1 - X0), (1, -1))
        for w, b in layers[:-1]:
            a = anp.tanh(anp.dot(w, a) + b)
        n = anp.dot(layers[-1][0], a) + layers[-1][1]
        offset = {
            "first-order ivp": 1.5 if k == 0 else -2.0,
            "second-order ivp": (1.5, -2.0)[k] + (0.3, 4.0)[k] * (x - X0),
            "dirichlet bvp": (1.5, -2.0)[k]
            + ((-0.7, 3.0)[k] - (1.5, -2.0)[k]) * (x - X0) / (X1 - X0),
        }[name]
        factor = {
            "first-order ivp": x - X0,
            "second-order ivp": (x - X0) ** 2,
            "dirichlet bvp": (x - X0) * (X1 - x),
        }[name]
        return offset + factor * n[k]

    for k in range(2):
        first = elementwise_grad(lambda x, k=k: value(x, k))
        np.testing.assert_allclose(computed[0][k], value(x, k), rtol=1e-12)
        np.testing.assert_allclose(computed[1][k], first(x), rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(computed[2][k], elementwise_grad(first)(x), rtol=1e-10)


@pytest.mark.parametrize("name", TRIALS)
def test_transpose_is_the_adjoint_of_the_linear_part(name: str) -> None:
    trial_map = TRIALS[name].at(np.linspace(X0, X1, 8), 2)
    rng = np.random.default_rng(4)
    n = list(rng.normal(size=(3, 2, 8)))
    y_bar = list(rng.normal(size=(3, 2, 8)))
    linear = [y - a for y, a in zip(trial_map.derivatives(n), trial_map.offset, strict=True)]
    left = sum(np.sum(y * c) for y, c in zip(linear, y_bar, strict=True))
    right = sum(np.sum(m * c) for m, c in zip(n, trial_map.transpose(y_bar), strict=True))
    assert left == pytest.approx(right, rel=1e-12)


def test_the_problem_chooses_its_trial_solution() -> None:
    assert isinstance(trial_solution(problems.decay()), FirstOrderIVP)
    assert isinstance(trial_solution(problems.damped_oscillator_ivp()), SecondOrderIVP)
    assert isinstance(trial_solution(problems.damped_oscillator_bvp()), DirichletBVP)


def test_a_boundary_value_problem_needs_a_second_order_equation() -> None:
    first_order = problems.decay()
    bvp = type(first_order)(
        rhs=first_order.rhs,
        order=1,
        x0=0.0,
        x1=1.0,
        y0=None,
        dy0=None,
        boundary=(np.array([1.0]), np.array([0.0])),
    )
    with pytest.raises(ValueError, match="needs a second-order equation"):
        trial_solution(bvp)


def test_a_nonlinear_second_order_ivp_scales_its_factor_by_the_interval() -> None:
    def written(rhs: str) -> ODEProblem:
        return expression_problem(
            [rhs], order=2, x0=X0, x1=X1, y0=np.array([1.0]), dy0=np.array([0.5])
        )

    scaled, plain = trial_solution(written("-sin(y)")), trial_solution(written("-y"))
    x = np.linspace(X0, X1, 7)
    for found, expected in zip(scaled.factor(x), plain.factor(x), strict=True):
        np.testing.assert_allclose(found * (X1 - X0) ** 2, expected, rtol=1e-14, atol=1e-15)
    network = Network((6, 5), 1, "tanh", X0, X1 - X0)
    p = np.random.default_rng(3).normal(size=network.size)
    y = derivatives_at(scaled, network, p, np.array([X0, X1]))
    np.testing.assert_array_equal(y[0][:, 0], [1.0])
    np.testing.assert_array_equal(y[1][:, 0], [0.5])
    h = 1e-5
    values = [scaled.values(network, p, x + k * h)[0] for k in (-1, 0, 1)]
    derivatives = derivatives_at(scaled, network, p, x)
    np.testing.assert_allclose(derivatives[1][0], (values[2] - values[0]) / (2 * h), rtol=1e-7)
    second = (values[2] - 2 * values[1] + values[0]) / h**2
    np.testing.assert_allclose(derivatives[2][0], second, rtol=1e-3, atol=1e-4)
