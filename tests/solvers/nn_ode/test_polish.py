"""The residual's Jacobian against finite differences, and the Levenberg-Marquardt polish
against the closed-form solution of a system BFGS leaves short."""

from dataclasses import replace

import numpy as np
import pytest

from solverq.solvers.nn_ode.linearisation import linear_in_y
from solverq.solvers.nn_ode.loss import residual
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.optimizers import Stop, StoppingRule
from solverq.solvers.nn_ode.polish import polish, residual_jacobian
from solverq.solvers.nn_ode.training import collocation_points
from solverq.solvers.nn_ode.trial import trial_solution
from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.problem import ODEProblem
from tests.solvers.nn_ode import problems

CASES = {
    "coupled": problems.coupled,
    "rotation": problems.rotation,
    **problems.LAGARIS,
}


@pytest.mark.parametrize("name", CASES)
def test_residual_jacobian_agrees_with_finite_differences(name: str) -> None:
    problem = CASES[name]()
    network = Network((4, 3), problem.components, "sigmoid", problem.x0, problem.x1 - problem.x0)
    rng = np.random.default_rng(4)
    p = network.initial_parameters(rng) + 0.3 * rng.normal(size=network.size)
    trial = trial_solution(problem)
    x = np.linspace(problem.x0, problem.x1, 7)
    jacobian = residual_jacobian(problem, network, trial, p, x)

    def flat(q: np.ndarray) -> np.ndarray:
        return residual(problem, network, trial, q, x).ravel()

    step = 1e-6
    differences = np.stack(
        [(flat(p + step * e) - flat(p - step * e)) / (2 * step) for e in np.eye(p.size)], axis=1
    )
    assert jacobian.shape == (problem.components * len(x), network.size)
    np.testing.assert_allclose(
        jacobian, differences, rtol=1e-6, atol=1e-7 * np.abs(differences).max()
    )


def untrained(problem: ODEProblem, width: int, points: int):
    """A seeded network of `width` sigmoid units, its trial solution, CGL points and p0."""
    network = Network((width,), problem.components, "sigmoid", problem.x0, problem.x1 - problem.x0)
    x = collocation_points(problem.x0, problem.x1, points)
    p0 = network.initial_parameters(np.random.default_rng(0))
    return network, trial_solution(problem), x, p0


def test_polish_drives_the_residual_far_below_where_it_starts() -> None:
    problem = problems.coupled()
    network, trial, x, p0 = untrained(problem, 20, 60)
    result = polish(problem, network, trial, x, p0, StoppingRule(iterations=400, window=100))
    assert result.history[0] > 1.0 and result.loss < 1e-10
    assert result.iterations == len(result.history) - 1 <= 400
    assert result.loss == pytest.approx(
        np.mean(residual(problem, network, trial, result.parameters, x) ** 2)
    )
    grid = np.linspace(problem.x0, problem.x1, 1001)
    start = np.abs(trial.values(network, p0, grid) - problem.exact(grid)).max()
    error = np.abs(trial.values(network, result.parameters, grid) - problem.exact(grid)).max()
    # The system amplifies its residual a thousandfold (see test_training).
    assert start > 5.0 and error < 0.1


def test_polish_stops_at_its_target() -> None:
    problem = problems.decay()
    network, trial, x, p0 = untrained(problem, 10, 20)
    result = polish(problem, network, trial, x, p0, StoppingRule(iterations=500, tol=1e-8))
    assert result.stop is Stop.TARGET and result.loss <= 1e-8 < result.history[-2]


def test_the_output_layer_is_projected_out_of_a_linear_equation() -> None:
    """Lagaris et al.'s problem 3 as parsed equations is affine in the output layer: the
    projected polish reaches a far lower loss than Levenberg-Marquardt on all parameters in the
    same steps (the same problem as a function, which is not known to be linear), and the
    closed-form solution."""
    parsed = expression_problem(
        ["-exp(-x/5) * cos(x) / 5 - dy / 5 - y"],
        order=2,
        x0=0.0,
        x1=2.0,
        y0=np.array([0.0]),
        dy0=np.array([1.0]),
    )
    as_function = replace(parsed, equations=())
    assert linear_in_y(parsed) and not linear_in_y(as_function)
    network, trial, x, p0 = untrained(parsed, 10, 30)
    rule = StoppingRule(iterations=30, window=100)
    projected = polish(parsed, network, trial, x, p0, rule)
    full = polish(as_function, network, trial, x, p0, rule)
    assert projected.history[0] == pytest.approx(full.history[0])
    assert projected.loss == pytest.approx(
        np.mean(residual(parsed, network, trial, projected.parameters, x) ** 2)
    )
    assert projected.loss < 1e-3 * full.loss
    grid = np.linspace(0.0, 2.0, 1001)
    error = np.abs(trial.values(network, projected.parameters, grid) - problems.damped_sine(grid))
    assert error.max() < 1e-6
