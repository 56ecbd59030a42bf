"""ODE problems written as expressions: shapes of the right-hand side and the exact solution,
batches, and derivatives through autograd."""

import numpy as np
import pytest
from autograd import jacobian

from solverq.solvers.expressions import ExpressionError
from solverq.solvers.ode.equations import expression_problem


def oscillator_system(**overrides):
    arguments = {
        "order": 1,
        "x0": 0.0,
        "x1": 1.0,
        "y0": np.array([1.0, 0.0]),
        "constants": {"k": 4.0},
        "exact": ["y0[0] * cos(2 * (x - x0))", "-2 * y0[0] * sin(2 * (x - x0))"],
        "system": True,
    }
    return expression_problem(["y[1]", "-k * y[0]"], **(arguments | overrides))


def test_rhs_is_shaped_like_y_at_one_point_and_at_many() -> None:
    problem = oscillator_system()
    assert problem.components == 2 and problem.batch_size is None and problem.system
    np.testing.assert_array_equal(problem.rhs(0.0, np.array([1.0, 3.0])), [3.0, -4.0])
    y = np.arange(10.0).reshape(2, 5)
    np.testing.assert_array_equal(problem.rhs(np.linspace(0, 1, 5), y), [y[1], -4.0 * y[0]])


def test_a_component_without_y_is_broadcast() -> None:
    problem = expression_problem(["cos(x)", "1"], order=1, x0=0.0, x1=1.0, y0=np.zeros(2))
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(problem.rhs(x, np.zeros((2, 3))), [np.cos(x), np.ones(3)])


def test_exact_solution_from_expressions_is_component_first() -> None:
    problem = oscillator_system()
    x = np.linspace(0.0, 1.0, 7)
    np.testing.assert_allclose(problem.exact(x), [np.cos(2 * x), -2 * np.sin(2 * x)], rtol=1e-15)


def test_batched_constants_and_initial_values_add_a_last_axis() -> None:
    gammas = np.array([0.5, 1.0, 2.0])
    problem = expression_problem(
        ["-gamma * y"],
        order=1,
        x0=1.0,
        x1=2.0,
        y0=np.array([[1.0, 2.0, 3.0]]),
        constants={"gamma": gammas},
        exact=["y0 * exp(-gamma * (x - x0))"],
    )
    assert problem.batch_size == 3
    np.testing.assert_allclose(problem.rhs(1.0, problem.y0), [-gammas * [1.0, 2.0, 3.0]])
    x = np.linspace(1.0, 2.0, 4)
    expected = np.array([1.0, 2.0, 3.0]) * np.exp(-np.outer(x - 1.0, gammas))
    np.testing.assert_allclose(problem.exact(x), expected[np.newaxis], rtol=1e-15)


def test_exact_solution_without_batched_names_still_has_the_batch_axis() -> None:
    problem = expression_problem(
        ["-y"], order=1, x0=0.0, x1=1.0, y0=np.array([[1.0, 1.0]]), exact=["exp(-x)"]
    )
    assert problem.exact(np.array([0.0, 1.0, 2.0])).shape == (1, 3, 2)


def test_order_two_rhs_differentiates_with_respect_to_y_and_dy() -> None:
    problem = expression_problem(
        ["(F0 * cos(omega * x) - eta * dy - k * y) / m"],
        order=2,
        x0=0.0,
        x1=1.0,
        y0=np.array([1.0]),
        dy0=np.array([0.0]),
        constants={"m": 2.0, "eta": 0.4, "k": 3.0, "F0": 1.0, "omega": 0.5},
    )
    y, dy = np.array([0.3]), np.array([-0.2])
    np.testing.assert_allclose(jacobian(problem.rhs, 1)(0.7, y, dy), [[-1.5]], rtol=1e-15)
    np.testing.assert_allclose(jacobian(problem.rhs, 2)(0.7, y, dy), [[-0.2]], rtol=1e-15)
    assert jacobian(problem.rhs, 0)(0.7, y, dy)[0] == pytest.approx(-0.25 * np.sin(0.35))


def test_bad_expressions_are_refused() -> None:
    with pytest.raises(ExpressionError, match="unknown name 'dy'"):
        expression_problem(["-dy"], order=1, x0=0.0, x1=1.0, y0=np.ones(1))
    with pytest.raises(ExpressionError, match="unknown name 'y'"):
        oscillator_system(exact=["y", "y"])
