"""Forward Euler: the closed form on decay, convergence of order 1, the compiled loop against
the numpy loop, the stability warning, divergence and progress."""

import numpy as np
import pytest

from solverq.solvers.ode import stability
from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.euler_forward import forward_euler
from solverq.solvers.outcome import SolveStatus
from tests.solvers.ode.problems import decay, oscillator


def observed_order(solve, problem, steps: int) -> float:
    """log2 of the ratio of the largest errors with `steps` and with twice as many steps."""
    errors = []
    for n in (steps, 2 * steps):
        solution = solve(problem, n)
        exact = np.moveaxis(problem.exact(solution.x), 0, 1).reshape(solution.y.shape)
        errors.append(np.abs(solution.y - exact).max())
    return float(np.log2(errors[0] / errors[1]))


@pytest.mark.parametrize("native", [True, False])
def test_decay_reproduces_the_closed_form_to_rounding(native: bool) -> None:
    gamma, steps = 2.5, 1000
    solution = forward_euler(decay(gamma, y0=3.0), steps, native=native)
    assert solution.status is SolveStatus.CONVERGED and solution.engine == (
        "C" if native else "numpy"
    )
    dx = 5.0 / steps
    expected = 3.0 * (1 - gamma * dx) ** np.arange(steps + 1)
    np.testing.assert_allclose(solution.y[:, 0, 0], expected, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(solution.x, dx * np.arange(steps + 1))
    assert solution.dy is None and solution.warnings == ()


@pytest.mark.parametrize("native", [True, False])
def test_a_batch_of_constants_and_starting_points(native: bool) -> None:
    gamma, y0 = np.array([0.5, 1.0, 4.0]), np.array([1.0, -2.0, 3.0])
    solution = forward_euler(decay(gamma, y0), 200, native=native)
    assert solution.y.shape == (201, 1, 3)
    i = np.arange(201)[:, np.newaxis]
    np.testing.assert_allclose(solution.y[:, 0], y0 * (1 - gamma * 0.025) ** i, rtol=1e-13)


@pytest.mark.parametrize("problem", [decay(2.0), oscillator()], ids=["decay", "oscillator"])
def test_observed_order_of_convergence_is_one(problem) -> None:
    assert observed_order(forward_euler, problem, 4000) == pytest.approx(1.0, abs=0.03)


def test_the_compiled_loop_agrees_with_the_numpy_loop() -> None:
    problem = expression_problem(
        [
            "y[1]",
            "-k * sin(y[0]) + 0.1 * cos(x) * (x > 1) - abs(y[1])**1.5 / (1 + exp(y[2]))",
            "tanh(y[0]) - sqrt(1 + y[2]**2) + arctan2(y[1], 2) + log1p(x)",
        ],
        order=1,
        x0=0.0,
        x1=3.0,
        y0=np.array([[1.0, 0.5], [0.0, 0.1], [0.2, -0.3]]),
        constants={"k": np.array([1.0, 2.0])},
        system=True,
    )
    compiled = forward_euler(problem, 3000)
    stepped = forward_euler(problem, 3000, native=False)
    assert compiled.engine == "C" and stepped.engine == "numpy"
    np.testing.assert_allclose(compiled.y, stepped.y, rtol=1e-12, atol=1e-14)


def test_order_two_gives_y_and_dy() -> None:
    solution = forward_euler(oscillator(), 500)
    assert solution.y.shape == solution.dy.shape == (501, 1, 1)
    assert (solution.y[0, 0, 0], solution.dy[0, 0, 0]) == (1.0, 0.0)
    dx = 20.0 / 500
    assert solution.y[1, 0, 0] == 1.0  # y moves with the old velocity 0
    assert solution.dy[1, 0, 0] == pytest.approx(dx * (1.0 - 1.0))  # F0 cos(0) - k y0 = 0


def test_a_step_outside_the_stability_region_is_reported() -> None:
    gamma = 4.0
    stable = forward_euler(decay(gamma, x1=10.0), 20)  # dx = 0.5 = 2/gamma: on the boundary
    assert stable.warnings == ()
    unstable = forward_euler(decay(gamma, x1=10.0), 19)
    assert len(unstable.warnings) == 1
    assert "|1 + dx lambda| = " in unstable.warnings[0]
    assert "lambda = -4 " in unstable.warnings[0]
    assert unstable.warnings[0].endswith("a stable step needs dx <= 0.5")


def test_the_stable_step_of_a_huge_eigenvalue_is_computed_without_overflow() -> None:
    gamma = 1e308  # |lambda|^2 overflows; 2/|lambda| = 2e-308 does not
    warnings = forward_euler(decay(gamma, x1=1.0), 10).warnings
    assert "lambda = -1e+308 " in warnings[0]
    assert warnings[0].endswith(f"a stable step needs dx <= {2 / gamma:.6g}")
    assert f"{2 / gamma:.6g}" == "2e-308"


def test_an_undamped_oscillation_is_unstable_at_every_step() -> None:
    solution = forward_euler(oscillator(eta=0.0, F0=0.0), 10_000)
    assert "at every step size" in solution.warnings[0]
    assert "lambda = 0+1i" in solution.warnings[0] or "lambda = 0-1i" in solution.warnings[0]


def test_nonlinear_problems_get_no_stability_verdict() -> None:
    problem = expression_problem(["-50 * y**3"], order=1, x0=0.0, x1=1.0, y0=np.array([1.0]))
    assert forward_euler(problem, 10).warnings == ()


@pytest.mark.parametrize("native", [True, False])
def test_divergence_is_a_status_with_the_x_where_it_happened(native: bool) -> None:
    solution = forward_euler(decay(3.0, x1=3000.0), 1000, native=native)  # dx = 3 > 2/3
    assert solution.status is SolveStatus.DIVERGED
    y = solution.y[:, 0, 0]
    first_bad = int(np.argmax(~np.isfinite(y)))
    assert np.isfinite(y[:first_bad]).all()
    assert solution.failed_at == solution.x[first_bad]
    assert solution.warnings


def test_progress_is_reported_up_to_the_end() -> None:
    reported: list[float] = []
    forward_euler(decay(), 200_000, progress=reported.append)
    assert len(reported) > 1 and reported == sorted(reported) and reported[-1] == 1.0


def test_a_given_step_size_is_kept() -> None:
    solution = forward_euler(decay(), 7, dx=0.75)
    assert solution.dx == 0.75 and solution.x[-1] == 5.25


def test_a_batch_too_large_to_sample_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    gamma = np.full(20, 4.0)
    assert forward_euler(decay(gamma, x1=10.0), 10).warnings
    monkeypatch.setattr(stability, "BUDGET", 19)
    assert forward_euler(decay(gamma, x1=10.0), 10).warnings == ()


@pytest.mark.parametrize("native", [True, False])
def test_finite_states_whose_sum_overflows_run_to_the_end(native: bool) -> None:
    problem = expression_problem(
        [f"0 * y[{k}]" for k in range(20)],
        order=1,
        x0=0.0,
        x1=1.0,
        y0=np.full(20, 1e307),
        system=True,
    )
    solution = forward_euler(problem, 10, native=native)
    assert solution.status is SolveStatus.CONVERGED
    assert (solution.y == 1e307).all()


@pytest.mark.parametrize("native", [True, False])
def test_a_state_that_turns_nan_in_y_prime_alone_diverges(native: bool) -> None:
    # y'' = sqrt(1 - x) - 1 is nan at x = 1.1, so y' is nan from x = 1.2 on while y, which
    # moves with the old y', is still finite there
    problem = expression_problem(
        ["sqrt(1 - x) - 1"], order=2, x0=0.0, x1=2.0, y0=np.array([0.0]), dy0=np.array([0.0])
    )
    solution = forward_euler(problem, 20, native=native)
    assert solution.status is SolveStatus.DIVERGED
    first_bad = int(np.argmax(~np.isfinite(solution.dy[:, 0, 0])))
    assert np.isfinite(solution.y[first_bad, 0, 0])
    assert solution.failed_at == solution.x[first_bad] == pytest.approx(1.2)


def test_y_and_dy_are_each_one_contiguous_array() -> None:
    problem = expression_problem(
        ["-y[0] + 0.1 * dy[1]", "-y[1]"],
        order=2,
        x0=0.0,
        x1=1.0,
        y0=np.array([[1.0, 0.5], [0.0, 0.2]]),
        dy0=np.array([0.0, 0.3]),
        constants={},
        system=True,
    )
    for native in (True, False):
        solution = forward_euler(problem, 100, native=native)
        assert solution.y.shape == solution.dy.shape == (101, 2, 2)
        assert solution.y.flags.c_contiguous and solution.dy.flags.c_contiguous
        np.testing.assert_array_equal(solution.y[0], [[1.0, 0.5], [0.0, 0.2]])
        np.testing.assert_array_equal(solution.dy[0], [[0.0, 0.0], [0.3, 0.3]])
