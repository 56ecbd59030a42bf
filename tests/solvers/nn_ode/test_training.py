"""Training with the default settings reaches the accuracy of Lagaris et al. on their problems,
and a run that cannot reach tol says so."""

import autograd.numpy as anp
import numpy as np
import pytest

from solverq.solvers.nn_ode import NeuralODESettings, max_abs_error, solve
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.outcome import SolveStatus
from tests.solvers.nn_ode import problems


def dense_grid(problem: ODEProblem) -> np.ndarray:
    return np.linspace(problem.x0, problem.x1, 1001)


@pytest.mark.parametrize("name", problems.LAGARIS)
def test_default_settings_reach_lagaris_accuracy(name: str) -> None:
    problem = problems.LAGARIS[name]()
    result = solve(problem, NeuralODESettings())
    assert result.status is SolveStatus.CONVERGED
    assert result.loss <= 1e-10
    assert max_abs_error(result, problem.exact, dense_grid(problem)) <= 1e-5
    assert len(result.loss_history) == result.iterations + 1
    assert result.loss_history[-1] == result.loss


def test_a_system_of_first_order_equations() -> None:
    problem = problems.rotation()
    result = solve(problem, NeuralODESettings(tol=1e-9))
    assert result.status is SolveStatus.CONVERGED
    assert result.solution(dense_grid(problem)).shape == (2, 1001)
    assert max_abs_error(result, problem.exact, dense_grid(problem)) <= 3e-5


def test_a_deeper_network_of_another_activation() -> None:
    problem = problems.decay()
    settings = NeuralODESettings(hidden=(6, 6), activation="tanh", points=20, tol=1e-8)
    result = solve(problem, settings)
    assert result.status is SolveStatus.CONVERGED
    assert max_abs_error(result, problem.exact, dense_grid(problem)) <= 1e-4


def test_a_solution_the_network_cannot_fit_is_not_converged() -> None:
    problem = ODEProblem(
        rhs=lambda x, y, dy: 40.0 * anp.cos(40.0 * x) + 0.0 * y,
        order=1,
        x0=0.0,
        x1=1.0,
        y0=np.array([0.0]),
        dy0=None,
    )
    result = solve(problem, NeuralODESettings(points=100, iterations=200))
    assert result.status is SolveStatus.NOT_CONVERGED
    assert result.loss > 1.0 and result.iterations == 200


def test_adam_reaches_only_a_modest_accuracy_in_a_few_thousand_iterations() -> None:
    problem = problems.decay()
    result = solve(problem, NeuralODESettings(optimizer="adam", iterations=2000))
    assert result.status is SolveStatus.NOT_CONVERGED
    assert 1e-10 < result.loss < result.loss_history[0]


def test_gradient_descent_with_too_large_a_step_diverges() -> None:
    problem = problems.decay()
    result = solve(problem, NeuralODESettings(optimizer="gd", learning_rate=10.0))
    assert result.status is SolveStatus.DIVERGED


def test_progress_runs_from_zero_to_one() -> None:
    reported: list[tuple[float, str]] = []
    result = solve(problems.decay(), NeuralODESettings(), lambda f, m: reported.append((f, m)))
    fractions = [f for f, _ in reported]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] == 1.0
    assert len(reported) == result.iterations // 10 + 1
    assert reported[0][1].startswith("iteration 10: loss ")
    assert reported[-1][1].startswith("converged: loss ")


def test_the_seed_decides_the_initial_network() -> None:
    problem = problems.decay()
    first = solve(problem, NeuralODESettings(iterations=3, tol=1e-30))
    again = solve(problem, NeuralODESettings(iterations=3, tol=1e-30))
    other = solve(problem, NeuralODESettings(iterations=3, tol=1e-30, seed=1))
    np.testing.assert_array_equal(first.loss_history, again.loss_history)
    assert first.loss_history[-1] != other.loss_history[-1]
