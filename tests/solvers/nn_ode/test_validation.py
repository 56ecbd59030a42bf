"""The validation grid lies between the collocation points, new points follow the residual, and
the error estimate agrees with the error of trial solutions whose exact solution is known."""

import numpy as np
import pytest

from solverq.solvers.nn_ode.error_estimate import estimated_error
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.trial import trial_solution
from solverq.solvers.nn_ode.validation import (
    FINE_POINTS,
    Validation,
    refined_points,
    validate,
    validation_grid,
)
from tests.solvers.nn_ode import problems


def test_the_grid_holds_the_midpoints_and_a_fine_uniform_grid() -> None:
    collocation = np.array([1.0, 0.0, 0.3001])
    grid = validation_grid(0.0, 1.0, collocation)
    midpoints = [0.15005, 0.65005]
    assert len(grid) == FINE_POINTS + 2 and np.all(np.diff(grid) >= 0)
    np.testing.assert_allclose(np.setdiff1d(grid, np.linspace(0, 1, FINE_POINTS)), midpoints)
    np.testing.assert_array_equal(np.setdiff1d(grid, midpoints), np.linspace(0, 1, FINE_POINTS))


def test_new_points_gather_where_the_residual_is_large() -> None:
    grid = np.linspace(0.0, 1.0, 1001)
    residuals = np.where(grid > 0.8, 100.0, 0.0)[None]
    validation = Validation(1.0, 100.0, 1.0, grid, residuals, 0.0, 1.0)
    collocation = np.linspace(0.0, 1.0, 10)
    refined = refined_points(collocation, validation, 40)
    added = np.setdiff1d(refined, collocation)
    assert len(refined) == 50 and np.all(np.diff(refined) >= 0)
    # The density is 100/20 + 1 = 6 beyond 0.8 and 1 before: 1.2 of a mass of 2, 60 %.
    assert np.sum(added > 0.8) == 24
    assert len(np.unique(added)) == 40


@pytest.mark.parametrize("name", ["decay", "damped oscillator ivp", "damped oscillator bvp"])
def test_the_estimate_recovers_the_error_of_a_perturbed_solution(name: str) -> None:
    # A random network is a trial solution far from the exact one: the linearised equation is
    # exact for these linear problems, so the estimate matches the error to discretisation.
    problem = problems.LAGARIS[name]()
    network = Network((5,), 1, "sigmoid", problem.x0, problem.x1 - problem.x0)
    p = np.random.default_rng(3).normal(0.0, 0.3, network.size)
    trial = trial_solution(problem)
    validation = validate(problem, network, trial, p, np.linspace(problem.x0, problem.x1, 10))
    x = np.linspace(problem.x0, problem.x1, 2001)
    error = np.abs(problem.exact(x) - trial.values(network, p, x)).max()
    assert error > 1e-3
    assert validation.error_estimate == pytest.approx(error, rel=1e-4)


def test_the_estimate_of_a_nonlinear_system_follows_its_linearisation() -> None:
    # y_t = exact - δ·bump: the estimate of the error δ·bump is accurate to O(δ²) and to the
    # grid spacing.
    problem = problems.coupled()
    x = np.linspace(problem.x0, problem.x1, 2001)
    bump = np.stack([np.sin(x) ** 2, x**2 * np.exp(-x)])
    bump_slope = np.stack([np.sin(2 * x), (2 * x - x**2) * np.exp(-x)])
    delta = 1e-6
    exact = problem.exact(x)
    slope = np.stack([np.cos(x), 2 * x])
    y = [exact - delta * bump, slope - delta * bump_slope]
    residuals = y[1] - problem.rhs(x, y[0], None)
    error = estimated_error(problem, x, y, residuals)
    np.testing.assert_allclose(error, delta * bump, rtol=0, atol=0.02 * delta)
