"""The closed forms of the named problems against scipy's solve_ivp at tight tolerances, by
compiled code and by numpy."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solverq.solvers.ode.named import DECAY, OSCILLATOR

TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}
REGIMES = [
    OSCILLATOR.constants,  # under-damped, driven
    {"m": 2.0, "eta": 5.0, "k": 1.0, "F0": 0.5, "omega": 1.3},  # over-damped
    {"m": 1.0, "eta": 2.0, "k": 1.0, "F0": 1.0, "omega": 0.5},  # critically damped
    {"m": 1.0, "eta": 0.0, "k": 4.0, "F0": 1.0, "omega": 2.0},  # resonance
    {"m": 1.0, "eta": 0.0, "k": 1.0, "F0": 0.0, "omega": 1.0},  # free, undamped
    {"m": 1.0, "eta": 0.3, "k": 0.0, "F0": 1.0, "omega": 0.0},  # constant force, no spring
    {"m": 1.0, "eta": 0.0, "k": 0.0, "F0": 1.0, "omega": 0.0},  # constant force only
]


def oscillator_reference(x: np.ndarray, x0: float, y0: float, dy0: float, c: dict) -> np.ndarray:
    def f(t: float, z: np.ndarray) -> list[float]:
        force = c["F0"] * np.cos(c["omega"] * t) - c["eta"] * z[1] - c["k"] * z[0]
        return [z[1], force / c["m"]]

    return solve_ivp(f, (x0, x[-1]), [y0, dy0], t_eval=x, method="DOP853", **TOLERANCE).y[0]


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("constants", REGIMES)
def test_oscillator_solution_agrees_with_solve_ivp(constants: dict, native: bool) -> None:
    x = np.linspace(0.5, 12.0, 60)
    exact = OSCILLATOR.exact_solution(0.5, 1.0, -0.3, constants, None, native=native)(x)
    assert exact.shape == (1, 60)
    expected = oscillator_reference(x, 0.5, 1.0, -0.3, constants)
    np.testing.assert_allclose(exact[0], expected, rtol=0, atol=5e-10)


@pytest.mark.parametrize("native", [True, False])
def test_a_batch_across_regimes_is_solved_column_by_column(native: bool) -> None:
    columns = {name: np.array([c[name] for c in REGIMES]) for name in OSCILLATOR.constants}
    y0 = np.linspace(-1.0, 1.0, len(REGIMES))
    x = np.linspace(0.0, 6.0, 25)
    exact = OSCILLATOR.exact_solution(0.0, y0, 0.5, columns, len(REGIMES), native=native)(x)
    assert exact.shape == (1, 25, len(REGIMES))
    for column, constants in enumerate(REGIMES):
        expected = oscillator_reference(x, 0.0, y0[column], 0.5, constants)
        np.testing.assert_allclose(exact[0, :, column], expected, rtol=0, atol=5e-10)


@pytest.mark.parametrize("native", [True, False])
def test_decay_solution_agrees_with_solve_ivp(native: bool) -> None:
    x = np.linspace(1.0, 4.0, 20)
    expected = solve_ivp(lambda t, y: -2.5 * y, (1.0, 4.0), [3.0], t_eval=x, **TOLERANCE).y[0]
    exact = DECAY.exact_solution(1.0, 3.0, None, {"gamma": 2.5}, None, native=native)(x)
    np.testing.assert_allclose(exact[0], expected, rtol=1e-9)


def test_decay_solution_of_a_batch() -> None:
    x = np.linspace(0.0, 1.0, 5)
    gamma = np.array([1.0, 2.0])
    exact = DECAY.exact_solution(0.0, np.array([1.0, 3.0]), None, {"gamma": gamma}, 2)(x)
    np.testing.assert_allclose(exact[0], [1.0, 3.0] * np.exp(-np.outer(x, gamma)), rtol=1e-15)
