"""Backward Euler: the closed form on decay, stiffness, a nonlinear problem, convergence of
order 1, Newton iterations that cannot converge, and the compiled loop against the numpy loop."""

import warnings

import numpy as np
import pytest

from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.euler_backward import backward_euler
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.outcome import SolveStatus
from tests.solvers.ode.problems import decay, oscillator
from tests.solvers.ode.test_euler_forward import observed_order


@pytest.mark.parametrize("native", [True, False])
def test_decay_reproduces_the_closed_form_to_rounding(native: bool) -> None:
    gamma, steps = 2.5, 500
    solution = backward_euler(decay(gamma, y0=3.0), steps, native=native)
    assert solution.engine == ("C" if native else "numpy")
    assert solution.status is SolveStatus.CONVERGED
    expected = 3.0 / (1 + gamma * 5.0 / steps) ** np.arange(steps + 1)
    np.testing.assert_allclose(solution.y[:, 0, 0], expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("native", [True, False])
def test_a_stiff_step_stays_stable(native: bool) -> None:
    gamma = np.array([1e3, 1e6])
    solution = backward_euler(decay(gamma, x1=1.0), 10, native=native)
    expected = 1.0 / (1 + gamma * 0.1) ** np.arange(11)[:, np.newaxis]
    # Newton stops at |G| <= 1e-12 (|w| + |z| + |dx F|), about 2e-12 (1 + gamma dx) |w| here
    np.testing.assert_allclose(solution.y[:, 0], expected, rtol=1e-9)


def test_each_problem_of_a_compiled_batch_is_solved_as_on_its_own() -> None:
    gamma = np.array([1e3, 1e6])
    batch = backward_euler(decay(gamma, x1=1.0), 10)
    for column, value in enumerate(gamma):
        alone = backward_euler(decay(value, x1=1.0), 10, native=False)
        np.testing.assert_allclose(batch.y[:, 0, column], alone.y[:, 0, 0], rtol=1e-15, atol=0)


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


@pytest.mark.parametrize("native", [True, False])
def test_a_step_without_a_solution_does_not_converge(native: bool) -> None:
    # w = 1 + dx w^2 has no real solution for dx = 1
    problem = expression_problem(["y**2"], order=1, x0=0.0, x1=1.0, y0=np.array([1.0]))
    solution = backward_euler(problem, 1, native=native)
    assert solution.status is SolveStatus.NOT_CONVERGED and solution.failed_at == 1.0


@pytest.mark.parametrize("native", [True, False])
def test_a_singular_newton_matrix_does_not_converge(native: bool) -> None:
    # y' = 10 y with dx = 0.1: I - dx J = 1 - 0.1 * 10 = 0
    problem = expression_problem(["10 * y"], order=1, x0=0.0, x1=1.0, y0=np.array([1.0]))
    solution = backward_euler(problem, 10, native=native)
    assert solution.status is SolveStatus.NOT_CONVERGED and solution.failed_at == 0.1


def test_the_first_step_without_a_solution_is_where_the_run_stops() -> None:
    # y' = y^2 blows up at x = 1 / y0: the Newton iterations fail near x = 2 for y0 = 0.5, and
    # the compiled batch stops there, with each problem as solved on its own up to that step
    y0 = np.array([0.25, 0.5])
    batch = expression_problem(["y**2"], order=1, x0=0.0, x1=3.0, y0=y0[np.newaxis])
    solution = backward_euler(batch, 300)
    alone = [
        backward_euler(
            expression_problem(["y**2"], order=1, x0=0.0, x1=3.0, y0=np.array([value])),
            300,
            native=False,
        )
        for value in y0
    ]
    assert solution.status is alone[1].status is SolveStatus.NOT_CONVERGED
    assert 1.9 < solution.failed_at < 2.1 and solution.failed_at == alone[1].failed_at
    reached = round(solution.failed_at / 0.01)
    for column, reference in enumerate(alone):
        np.testing.assert_allclose(
            solution.y[:reached, 0, column], reference.y[:reached, 0, 0], rtol=1e-14
        )


def test_the_compiled_loop_reproduces_the_numpy_loop_on_the_oscillator() -> None:
    compiled, stepped = (
        backward_euler(oscillator(), 20_000),
        backward_euler(oscillator(), 20_000, native=False),
    )
    assert (compiled.engine, stepped.engine) == ("C", "numpy")
    np.testing.assert_allclose(compiled.y, stepped.y, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(compiled.dy, stepped.dy, rtol=1e-14, atol=1e-15)


def coupled_pendulum(spring: float | np.ndarray) -> ODEProblem:
    """The pendulum y0'' = -k sin(y0) - c y0' - s (y0 - y1), coupled by a spring to the
    anharmonic y1'' = -k y1^3 + s (y0 - y1); a batch for an array of spring constants s."""
    batch = np.ndim(spring) > 0
    return expression_problem(
        ["-k * sin(y[0]) - c * dy[0] - s * (y[0] - y[1])", "-k * y[1] ** 3 + s * (y[0] - y[1])"],
        order=2,
        x0=0.0,
        x1=20.0,
        y0=np.array([[2.5, 2.5], [0.0, 0.0]]) if batch else np.array([2.5, 0.0]),
        dy0=np.array([0.0, 1.0]),
        constants={"k": 4.0, "c": 0.1, "s": spring},
        system=True,
    )


def test_the_compiled_loop_agrees_with_numpy_on_a_nonlinear_batch_of_systems() -> None:
    # Newton needs several iterations here, and fresh Jacobians
    springs = np.array([0.5, 2.0])
    compiled = backward_euler(coupled_pendulum(springs), 2000)
    assert compiled.status is SolveStatus.CONVERGED and compiled.engine == "C"
    for column, spring in enumerate(springs):
        stepped = backward_euler(coupled_pendulum(spring), 2000, native=False)
        np.testing.assert_allclose(
            compiled.y[..., column], stepped.y[..., 0], rtol=1e-12, atol=1e-14
        )
        np.testing.assert_allclose(
            compiled.dy[..., column], stepped.dy[..., 0], rtol=1e-12, atol=1e-14
        )


@pytest.mark.parametrize("native", [True, False])
def test_a_right_hand_side_free_of_y_is_integrated_without_warnings(native: bool) -> None:
    """y' = cos x, y(0) = 0: backward Euler is the right Riemann sum of cos, whose error from
    sin(1) is about dx/2 |cos(1) - cos(0)| (the trapezoid rule's correction)."""
    problem = expression_problem(["cos(x)"], order=1, x0=0.0, x1=1.0, y0=np.array([0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solution = backward_euler(problem, 1000, native=native)
    error = solution.y[-1, 0, 0] - np.sin(1.0)
    assert error == pytest.approx(0.5e-3 * (np.cos(1.0) - 1.0), rel=1e-3)
