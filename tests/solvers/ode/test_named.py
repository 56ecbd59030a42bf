"""The closed forms of the named problems against scipy's solve_ivp at tight tolerances."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.ode.named import DECAY, OSCILLATOR, decay_solution, oscillator_solution

TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}


def oscillator_reference(x: np.ndarray, x0: float, y0: float, dy0: float, c: dict) -> np.ndarray:
    def f(t: float, z: np.ndarray) -> list[float]:
        force = c["F0"] * np.cos(c["omega"] * t) - c["eta"] * z[1] - c["k"] * z[0]
        return [z[1], force / c["m"]]

    return solve_ivp(f, (x0, x[-1]), [y0, dy0], t_eval=x, method="DOP853", **TOLERANCE).y[0]


@pytest.mark.parametrize(
    "constants",
    [
        OSCILLATOR.constants,  # under-damped, driven
        {"m": 2.0, "eta": 5.0, "k": 1.0, "F0": 0.5, "omega": 1.3},  # over-damped
        {"m": 1.0, "eta": 2.0, "k": 1.0, "F0": 1.0, "omega": 0.5},  # critically damped
        {"m": 1.0, "eta": 0.0, "k": 4.0, "F0": 1.0, "omega": 2.0},  # resonance
        {"m": 1.0, "eta": 0.0, "k": 1.0, "F0": 0.0, "omega": 1.0},  # free, undamped
        {"m": 1.0, "eta": 0.3, "k": 0.0, "F0": 1.0, "omega": 0.0},  # constant force, no spring
        {"m": 1.0, "eta": 0.0, "k": 0.0, "F0": 1.0, "omega": 0.0},  # constant force only
    ],
)
def test_oscillator_solution_agrees_with_solve_ivp(constants: dict) -> None:
    x = np.linspace(0.5, 12.0, 60)
    expected = oscillator_reference(x, 0.5, 1.0, -0.3, constants)
    exact = oscillator_solution(x, 0.5, 1.0, -0.3, **constants)
    np.testing.assert_allclose(exact, expected, rtol=0, atol=5e-10)


def test_oscillator_solution_broadcasts_over_a_batch_of_constants() -> None:
    k = np.array([0.5, 1.0, 2.0])
    x = np.linspace(0.0, 5.0, 11)
    batch = oscillator_solution(x[:, np.newaxis], 0.0, 1.0, 0.0, 1.0, 0.2, k, 1.0, 0.8)
    for column, stiffness in enumerate(k):
        single = oscillator_solution(x, 0.0, 1.0, 0.0, 1.0, 0.2, stiffness, 1.0, 0.8)
        np.testing.assert_allclose(batch[:, column], single, rtol=1e-14)


def test_decay_solution_agrees_with_solve_ivp() -> None:
    x = np.linspace(1.0, 4.0, 20)
    expected = solve_ivp(lambda t, y: -2.5 * y, (1.0, 4.0), [3.0], t_eval=x, **TOLERANCE).y[0]
    np.testing.assert_allclose(decay_solution(x, 1.0, 3.0, None, 2.5), expected, rtol=1e-9)


def test_closed_forms_read_the_values_by_name() -> None:
    values = {"x": np.array([1.0]), "x0": 0.0, "y0": np.array([2.0]), "dy0": None, "gamma": 1.0}
    np.testing.assert_allclose(DECAY.closed_form(values), [2.0 * np.exp(-1.0)])
    values |= {"dy0": np.array([0.0]), **OSCILLATOR.constants}
    expected = oscillator_solution(np.array([1.0]), 0.0, 2.0, 0.0, **OSCILLATOR.constants)
    np.testing.assert_allclose(OSCILLATOR.closed_form(values), expected)
