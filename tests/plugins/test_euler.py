"""The euler plugin: the contract, its summary and arrays for every shape of problem, the
stability warning, failures, and the refusals of its own parameters."""

import numpy as np
import pytest

from solverq.plugins.builtin.euler import EulerPlugin
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.plugins.testing import check_plugin
from solverq.solvers.outcome import no_progress

SUMMARY_KEYS = ["method", "steps", "dx", "x_end", "y_end", "warnings", "engine"]
ERROR_KEYS = ["max_abs_error", "final_error"]


def solve(params: dict):
    return EulerPlugin().solve(EulerPlugin.validate(params), {}, no_progress)


def test_the_plugin_meets_the_contract_on_decay() -> None:
    result = check_plugin(EulerPlugin, {"problem": "decay", "n": 100, "constants": {"gamma": 2}})
    assert list(result.summary) == SUMMARY_KEYS[:5] + ERROR_KEYS + SUMMARY_KEYS[5:]
    y = 1.0 * (1 - 2 * 0.05) ** np.arange(101)
    np.testing.assert_allclose(result.arrays["y"], y, rtol=1e-13)
    np.testing.assert_array_equal(result.arrays["x"], 0.05 * np.arange(101))
    exact = np.exp(-2 * result.arrays["x"])
    assert result.summary["max_abs_error"] == pytest.approx(np.abs(y - exact).max(), rel=1e-12)
    assert result.summary["final_error"] == pytest.approx(abs(y[-1] - exact[-1]), rel=1e-12)
    assert result.summary["steps"] == 100 and result.summary["dx"] == 0.05
    assert result.summary["x_end"] == 5.0 and result.summary["y_end"] == result.arrays["y"][-1]
    assert result.summary["warnings"] == [] and result.summary["engine"] == "C"


@pytest.mark.parametrize("method", ["forward", "backward", "cromer"])
def test_every_method_solves_the_oscillator(method: str) -> None:
    result = check_plugin(EulerPlugin, {"problem": "oscillator", "method": method, "n": 2000})
    assert result.arrays["x"].shape == result.arrays["y"].shape == result.arrays["dy"].shape
    assert result.arrays["y"].shape == (2001,)
    assert result.summary["max_abs_error"] < 0.1
    assert result.summary["y_end"] == result.arrays["y"][-1]


def test_a_system_keeps_its_component_axis() -> None:
    result = solve(
        {
            "rhs": ["y[1]", "-y[0]"],
            "y0": [1, 0],
            "x1": 1,
            "n": 10,
            "exact": ["cos(x)", "-sin(x)"],
        }
    )
    assert result.arrays["y"].shape == (11, 2) and "dy" not in result.arrays
    assert result.summary["y_end"] == result.arrays["y"][-1].tolist()
    x = result.arrays["x"]
    exact = np.stack([np.cos(x), -np.sin(x)], axis=1)
    assert result.summary["max_abs_error"] == pytest.approx(
        np.abs(result.arrays["y"] - exact).max(), rel=1e-12
    )


def test_a_batch_adds_a_last_axis() -> None:
    result = solve({"problem": "decay", "y0": [1, 2, 3], "constants": {"gamma": [1, 2, 3]}})
    y = result.arrays["y"]
    assert y.shape == (1001, 3) and len(result.summary["y_end"]) == 3
    i = np.arange(1001)[:, np.newaxis]
    np.testing.assert_allclose(y, [1, 2, 3] * (1 - np.array([1, 2, 3]) * 0.005) ** i, rtol=1e-12)
    exact = [1, 2, 3] * np.exp(-np.outer(result.arrays["x"], [1, 2, 3]))
    assert result.summary["max_abs_error"] == pytest.approx(np.abs(y - exact).max(), rel=1e-12)


def test_a_batch_of_systems() -> None:
    result = solve({"rhs": ["y[1]", "-y[0]"], "y0": [[1, 0], [0, 1]], "x1": 1, "n": 10})
    assert result.arrays["y"].shape == (11, 2, 2)
    np.testing.assert_array_equal(result.arrays["y"][0], [[1, 0], [0, 1]])


def test_a_step_size_gives_the_number_of_steps() -> None:
    result = solve({"problem": "decay", "dx": 0.3})
    assert result.summary["steps"] == 17 and result.summary["dx"] == 0.3
    assert result.summary["x_end"] == pytest.approx(5.1)
    assert solve({"problem": "decay", "dx": 0.1}).summary["steps"] == 50


def test_an_unstable_step_is_reported_in_the_summary() -> None:
    result = solve({"problem": "decay", "constants": {"gamma": 3}, "dx": 0.7, "x1": 3})
    [warning] = result.summary["warnings"]
    assert "forward Euler is unstable with dx = 0.7" in warning
    assert "a stable step needs dx <= 0.666667" in warning


def test_a_diverging_run_fails_with_where_it_happened() -> None:
    with pytest.raises(SolveFailed, match=r"^diverged at x = \d.* \(forward Euler, dx = 3\): "):
        solve({"problem": "decay", "constants": {"gamma": 3}, "dx": 3, "x1": 3000})


def test_newton_failure_fails_the_job() -> None:
    with pytest.raises(SolveFailed, match="Newton iterations of backward Euler did not converge"):
        solve({"rhs": "y**2", "y0": 1, "x1": 1, "n": 1, "method": "backward"})


def test_progress_is_reported() -> None:
    reported = []
    params = EulerPlugin.validate({"problem": "decay", "n": 300_000})
    EulerPlugin().solve(params, {}, lambda fraction, message="": reported.append(message))
    assert reported[0] == "step 65536 of 300000" and reported[-1] == "done"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"problem": "decay", "n": 10, "dx": 0.1}, "parameter 'dx' of euler cannot be given"),
        ({"problem": "decay", "method": "cromer"}, "cromer needs a second-order problem"),
        ({"problem": "decay", "method": "rk4"}, "parameter 'method' of euler must be 'forward'"),
        ({"problem": "decay", "n": 0}, "parameter 'n' of euler must be greater than or equal"),
        ({"problem": "decay", "n": 10**8}, "parameter 'n' of euler must be less than or equal"),
        ({"problem": "decay", "dx": 0}, "parameter 'dx' of euler must be greater than 0"),
        ({"problem": "decay", "dx": 1e-7}, "makes 50000000 steps; at most 10000000"),
        (
            {"problem": "decay", "n": 10**6, "y0": [1] * 50},
            "parameter 'n' of euler makes a result of 51000051 numbers; at most 20000000",
        ),
        ({"problem": "decay", "rhs": "y; import os"}, "parameter 'rhs' of euler is not a valid"),
    ],
)
def test_bad_parameters_are_refused(params: dict, message: str) -> None:
    with pytest.raises(RejectedRequest) as refused:
        EulerPlugin.validate(params)
    assert message in str(refused.value)
