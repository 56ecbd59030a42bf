"""Backward Euler: the closed form on decay, stiffness, a nonlinear problem, convergence of
order 1, and Newton iterations that cannot converge."""

import numpy as np
import pytest

from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.euler_backward import backward_euler
from solverq.solvers.outcome import SolveStatus
from tests.solvers.ode.problems import decay, oscillator
from tests.solvers.ode.test_euler_forward import observed_order


def test_decay_reproduces_the_closed_form_to_rounding() -> None:
    gamma, steps = 2.5, 500
    solution = backward_euler(decay(gamma, y0=3.0), steps)
    assert solution.status is SolveStatus.CONVERGED
    expected = 3.0 / (1 + gamma * 5.0 / steps) ** np.arange(steps + 1)
    np.testing.assert_allclose(solution.y[:, 0, 0], expected, rtol=1e-13, atol=0)


def test_a_stiff_step_stays_stable() -> None:
    gamma = np.array([1e3, 1e6])
    solution = backward_euler(decay(gamma, x1=1.0), 10)
    expected = 1.0 / (1 + gamma * 0.1) ** np.arange(11)[:, np.newaxis]
    np.testing.assert_allclose(solution.y[:, 0], expected, rtol=1e-12)


def test_a_nonlinear_problem_converges_to_its_solution() -> None:
    # the logistic equation y' = r y (1 - y), y = 1 / (1 + (1/y0 - 1) e^{-r x})
    problem = expression_problem(
        ["r * y * (1 - y)"],
        order=1,
        x0=0.0,
        x1=4.0,
        y0=np.array([0.1]),
        constants={"r": 2.0},
        exact=["1 / (1 + (1 / y0 - 1) * exp(-r * x))"],
    )
    assert observed_order(backward_euler, problem, 200) == pytest.approx(1.0, abs=0.05)


def test_the_oscillator_converges_with_order_one() -> None:
    assert observed_order(backward_euler, oscillator(x1=5.0), 400) == pytest.approx(1.0, abs=0.05)


def test_a_step_without_a_solution_does_not_converge() -> None:
    # w = 1 + dx w^2 has no real solution for dx = 1
    problem = expression_problem(["y**2"], order=1, x0=0.0, x1=1.0, y0=np.array([1.0]))
    solution = backward_euler(problem, 1)
    assert solution.status is SolveStatus.NOT_CONVERGED and solution.failed_at == 1.0
