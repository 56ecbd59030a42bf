"""The starting sizes follow the radians the solution turns through."""

import autograd.numpy as anp
import numpy as np
import pytest

from solverq.solvers.nn_ode.sizing import initial_points, initial_width, phase_span
from solverq.solvers.ode.problem import ODEProblem
from tests.solvers.nn_ode import problems


def oscillator(k: float, eta: float, x1: float, force: float = 0.0) -> ODEProblem:
    return ODEProblem(
        rhs=lambda x, y, dy: force * anp.cos(2.0 * x) - eta * dy - k * y,
        order=2,
        x0=0.0,
        x1=x1,
        y0=np.array([1.0]),
        dy0=np.array([0.0]),
    )


def test_the_rate_of_a_first_order_problem_is_its_jacobian() -> None:
    assert phase_span(problems.decay(gamma=2.0)) == pytest.approx(2.0)
    assert initial_points(problems.decay()) == 20 and initial_width(problems.decay()) == 10


def test_the_rate_of_an_oscillator_is_its_frequency_and_half_its_damping() -> None:
    assert phase_span(oscillator(4.0, 0.0, 10.0)) == pytest.approx(20.0)
    assert phase_span(oscillator(4.0, 1.0, 10.0)) == pytest.approx(25.0)
    problem = oscillator(4.0, 0.0, 10.0)
    assert initial_points(problem) == 80 and initial_width(problem) == 20


def test_a_forcing_term_counts_its_own_turns() -> None:
    # cos(2x) turns at x = kπ/2: 12 times inside [0, 20], 12π radians against 20 of the
    # oscillator.
    assert phase_span(oscillator(1.0, 0.0, 20.0, force=1.0)) == pytest.approx(12 * np.pi)


def test_the_start_is_bounded() -> None:
    long = oscillator(100.0, 0.0, 100.0)
    assert initial_points(long) == 200 and initial_width(long) == 40
