"""Euler-Cromer: bounded energy on the undamped oscillator (where forward Euler gains energy),
convergence of order 1, and the compiled loop against the numpy loop."""

import numpy as np
import pytest

from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.euler_cromer import euler_cromer
from solverq.solvers.ode.euler_forward import forward_euler
from tests.solvers.ode.problems import decay, oscillator
from tests.solvers.ode.test_euler_forward import observed_order


def energy(solution, k: float = 1.0, m: float = 1.0) -> np.ndarray:
    return 0.5 * (k * solution.y[:, 0, 0] ** 2 + m * solution.dy[:, 0, 0] ** 2)


def test_energy_stays_bounded_on_the_undamped_oscillator() -> None:
    periods, dx = 50, 0.01
    steps = round(periods * 2 * np.pi / dx)
    problem = oscillator(x1=steps * dx, eta=0.0, F0=0.0)
    cromer = energy(euler_cromer(problem, steps)) / 0.5
    forward = energy(forward_euler(problem, steps)) / 0.5
    # Euler-Cromer conserves a nearby energy: the deviation stays O(dx) and does not grow
    assert np.abs(cromer - 1).max() < dx
    assert np.abs(cromer[-steps // 10 :] - 1).max() < 1.5 * np.abs(cromer[: steps // 10] - 1).max()
    # forward Euler multiplies the energy by 1 + dx^2 omega^2 every step
    np.testing.assert_allclose(forward[-1], (1 + dx**2) ** steps, rtol=1e-9)


def test_observed_order_of_convergence_is_one() -> None:
    assert observed_order(euler_cromer, oscillator(), 4000) == pytest.approx(1.0, abs=0.03)


def test_the_compiled_loop_agrees_with_the_numpy_loop() -> None:
    problem = oscillator(x1=30.0, y0=0.3, dy0=-1.0, eta=0.05)
    compiled = euler_cromer(problem, 20_000)
    stepped = euler_cromer(problem, 20_000, native=False)
    assert (compiled.engine, stepped.engine) == ("C", "numpy")
    np.testing.assert_allclose(compiled.y, stepped.y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(compiled.dy, stepped.dy, rtol=1e-12, atol=1e-14)


def test_the_update_uses_the_new_velocity() -> None:
    solution = euler_cromer(oscillator(F0=0.0, eta=0.0), 100)
    dx = 20.0 / 100
    assert solution.dy[1, 0, 0] == -dx  # v1 = v0 + dx (-k y0 / m)
    assert solution.y[1, 0, 0] == 1.0 - dx * dx  # y1 = y0 + dx v1


def test_a_first_order_problem_is_refused() -> None:
    with pytest.raises(ValueError, match="second-order"):
        euler_cromer(decay(), 10)


@pytest.mark.parametrize("method", [euler_cromer, forward_euler])
def test_coupled_second_order_systems_compile_like_numpy(method) -> None:
    problem = expression_problem(
        ["-k * y[0] + c * (y[1] - y[0]) - 0.1 * dy[0]", "-k * y[1] - c * (y[1] - y[0])"],
        order=2,
        x0=0.0,
        x1=10.0,
        y0=np.array([[1.0, 0.5], [0.0, 0.0]]),
        dy0=np.array([0.0, 0.2]),
        constants={"k": 1.0, "c": np.array([0.1, 0.3])},
        system=True,
    )
    compiled, stepped = method(problem, 5000), method(problem, 5000, native=False)
    assert compiled.y.shape == compiled.dy.shape == (5001, 2, 2)
    np.testing.assert_allclose(compiled.y, stepped.y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(compiled.dy, stepped.dy, rtol=1e-12, atol=1e-14)
