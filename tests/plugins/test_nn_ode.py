"""The nn-ode plugin: the contract, its summary and arrays for scalar problems, systems and
boundary value problems, failed training, and the refusals of its own parameters."""

import re

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solverq.plugins.builtin.nn_ode import NeuralODEPlugin
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.plugins.testing import check_plugin
from solverq.solvers.outcome import no_progress

DECAY = {"problem": "decay", "constants": {"gamma": 2}, "x1": 1}
DAMPED_OSCILLATOR = {
    "rhs": "-exp(-x/5) * cos(x) / 5 - dy / 5 - y",
    "order": 2,
    "exact": "exp(-x/5) * sin(x)",
}
SUMMARY_KEYS = [
    "converged",
    "loss",
    "validation_residual",
    "validation_residual_max",
    "validation_residual_relative",
    "error_estimate",
    "rounding_error",
    "iterations",
    "stop",
    "rounds",
    "collocation_points",
    "hidden",
    "optimizer",
    "y_end",
]
ERROR_KEYS = ["max_abs_error", "extrapolation_max_abs_error"]


def solve(params: dict, progress=no_progress):
    return NeuralODEPlugin().solve(NeuralODEPlugin.validate(params), {}, progress)


def test_the_plugin_meets_the_contract_on_decay() -> None:
    result = check_plugin(NeuralODEPlugin, DECAY)
    assert list(result.summary) == [*SUMMARY_KEYS, *ERROR_KEYS, "warnings"]
    assert result.summary["converged"] is True and result.summary["warnings"] == []
    x, y = result.arrays["x"], result.arrays["y"]
    np.testing.assert_array_equal(x, np.linspace(0, 1, 1001))
    assert y.shape == (1001,) and y[0] == 1.0
    assert result.summary["max_abs_error"] == pytest.approx(np.abs(y - np.exp(-2 * x)).max())
    assert result.summary["max_abs_error"] <= 1e-5
    assert result.summary["extrapolation_max_abs_error"] > 0
    assert result.summary["error_estimate"] == pytest.approx(
        result.summary["max_abs_error"], rel=0.1
    )
    assert result.summary["validation_residual"] <= result.summary["validation_residual_max"]
    assert result.summary["optimizer"] == "bfgs"
    assert result.summary["y_end"] == y[-1]
    history = result.arrays["loss_history"]
    assert history.shape == (result.summary["iterations"] + 1,)
    assert history[-1] == result.summary["loss"] < history[0]


def test_a_boundary_value_problem_meets_its_values_and_the_exact_solution() -> None:
    yb = np.sin(1) * np.exp(-0.2)
    params = {**DAMPED_OSCILLATOR, "condition": "bvp", "ya": 0, "yb": yb, "x1": 1}
    result = solve({**params, "eval_points": 201})
    y = result.arrays["y"]
    assert y.shape == (201,) and y[0] == 0.0 and y[-1] == pytest.approx(yb, abs=1e-15)
    x = result.arrays["x"]
    assert np.abs(y - np.exp(-x / 5) * np.sin(x)).max() <= 1e-5
    assert result.summary["max_abs_error"] <= 1e-5


def test_a_second_order_initial_value_problem() -> None:
    result = solve({**DAMPED_OSCILLATOR, "y0": 0, "dy0": 1, "x1": 2})
    assert result.summary["max_abs_error"] <= 1e-5


def test_a_system_keeps_its_component_axis() -> None:
    params = {
        "rhs": ["y[1]", "-y[0]"],
        "y0": [0, 1],
        "x1": 1,
        "exact": ["sin(x)", "cos(x)"],
        "eval_points": 51,
    }
    result = solve(params)
    y, x = result.arrays["y"], result.arrays["x"]
    assert y.shape == (51, 2) and result.summary["y_end"] == y[-1].tolist()
    exact = np.stack([np.sin(x), np.cos(x)], axis=1)
    assert result.summary["max_abs_error"] == pytest.approx(np.abs(y - exact).max(), rel=1e-6)


def test_a_named_problem_as_a_boundary_value_problem_drops_its_initial_values() -> None:
    params = NeuralODEPlugin.validate(
        {"problem": "oscillator", "condition": "bvp", "ya": 1, "yb": -1, "x1": 3}
    )
    problem = params.ode_problem()
    np.testing.assert_array_equal(problem.boundary[0], [1.0])
    np.testing.assert_array_equal(problem.boundary[1], [-1.0])
    assert problem.dy0 is None and problem.exact is None  # its exact solution is for the IVP


def test_an_exact_solution_may_refer_to_y0_of_a_boundary_value_problem() -> None:
    params = NeuralODEPlugin.validate(
        {"rhs": "-y", "order": 2, "condition": "bvp", "ya": 2, "yb": 3, "exact": "y0 * cos(x)"}
        | {"x1": 1}
    )
    exact = params.ode_problem().exact(np.array([0.0, 1.0]))
    np.testing.assert_allclose(exact, [[2.0, 2.0 * np.cos(1.0)]])


def test_training_that_stops_short_succeeds_with_its_arrays_and_warnings() -> None:
    params = {"rhs": "40 * cos(40 * x)", "y0": 0, "x1": 1, "points": 100, "iterations": 100}
    result = solve({**params, "hidden": [10]})
    summary = result.summary
    assert summary["converged"] is False and summary["stop"] == "budget"
    assert result.arrays["loss_history"].shape == (101,)
    assert result.arrays["y"].shape == (1001,)
    [estimate, budget, *_] = summary["warnings"]
    assert estimate.startswith("not converged: the estimated error ")
    assert (
        budget == "training used all 100 iterations while the loss still fell: try more iterations"
    )


def test_plain_gradient_descent_keeps_its_loss_curve() -> None:
    result = solve({**DECAY, "optimizer": "gd", "iterations": 3000})
    history = result.arrays["loss_history"]
    assert history.shape == (3001,) and history[-1] < history[0]
    assert result.summary["converged"] is False
    assert "try more iterations" in result.summary["warnings"][-1]


def test_the_default_oscillator_is_solved_on_its_whole_interval() -> None:
    result = solve({"problem": "oscillator"})
    assert result.summary["converged"] is True
    # Warm-up rounds on the first quarter and half, then the whole interval (polished, and
    # wider or denser when that falls short).
    assert result.summary["rounds"] >= 3
    assert result.arrays["x"][-1] == 20.0
    assert result.summary["max_abs_error"] <= 1e-4


def test_too_few_points_are_reported_not_hidden() -> None:
    result = solve({"problem": "oscillator", "points": 10, "hidden": [10]})
    summary = result.summary
    assert summary["converged"] is False
    assert summary["max_abs_error"] > 1e-2 and summary["error_estimate"] > 1e-2
    assert any("not resolved between the points" in w for w in summary["warnings"])


def test_a_diverging_optimizer_fails_the_job_and_keeps_its_loss_history() -> None:
    with pytest.raises(SolveFailed, match="diverged: the loss became non-finite after") as failed:
        solve({**DECAY, "optimizer": "gd", "learning_rate": 10})
    history = failed.value.arrays["loss_history"]
    assert not np.isfinite(history[-1]) and np.isfinite(history[0])


def test_progress_is_reported() -> None:
    reported = []
    solve(DECAY, lambda fraction, message="": reported.append(message))
    assert reported[0].startswith("iteration 10: loss ")
    assert reported[-1].startswith("converged: loss ")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {**DECAY, "activation": "relu"},
            "parameter 'activation' of nn-ode cannot be relu: its second derivative vanishes",
        ),
        ({**DECAY, "activation": "swish"}, "must be 'sigmoid', 'tanh', 'sin' or 'softplus'"),
        (
            {**DECAY, "condition": "bvp", "ya": 1, "yb": 0},
            "parameter 'condition' of nn-ode bvp needs a second-order problem (order=2)",
        ),
        (
            {**DAMPED_OSCILLATOR, "condition": "bvp", "yb": 1, "x1": 1},
            "parameter 'ya' of nn-ode is required for condition=bvp",
        ),
        (
            {**DAMPED_OSCILLATOR, "condition": "bvp", "ya": 1, "x1": 1},
            "parameter 'yb' of nn-ode is required for condition=bvp",
        ),
        (
            {**DAMPED_OSCILLATOR, "condition": "bvp", "ya": [1, 2], "yb": 1, "x1": 1},
            "parameter 'ya' of nn-ode must be a number for a scalar problem",
        ),
        (
            {"rhs": ["dy[1]", "-y[0]"], "order": 2, "condition": "bvp", "ya": [1], "yb": [1, 2]}
            | {"x1": 1},
            "parameter 'ya' of nn-ode must list 2 numbers, one per component",
        ),
        ({**DECAY, "ya": 1}, "parameter 'ya' of nn-ode is only for condition=bvp"),
        ({**DECAY, "condition": "dirichlet"}, "must be 'ivp' or 'bvp'"),
        ({**DAMPED_OSCILLATOR, "y0": 0, "x1": 1}, "parameter 'dy0' of nn-ode is required"),
        ({**DECAY, "y0": [1, 2]}, "batches are not supported here"),
        ({**DECAY, "hidden": []}, "parameter 'hidden' of nn-ode"),
        ({**DECAY, "hidden": [10, 0]}, "must hold layer widths from 1 to 1000"),
        ({**DECAY, "optimizer": "sgd"}, "must be 'bfgs', 'adam' or 'gd'"),
        ({**DECAY, "points": 1}, "parameter 'points' of nn-ode must be greater than or equal"),
        ({**DECAY, "tol": 0}, "parameter 'tol' of nn-ode must be greater than 0"),
        ({**DECAY, "learning_rate": -1}, "parameter 'learning_rate' of nn-ode must be greater"),
        ({**DECAY, "iterations": 0}, "parameter 'iterations' of nn-ode must be greater"),
        ({**DECAY, "eval_points": 10**7}, "parameter 'eval_points' of nn-ode must be less"),
        (
            {**DECAY, "hidden": [50, 50]},
            "parameter 'hidden' of nn-ode makes a network of 2701 parameters; bfgs handles at "
            "most 2000",
        ),
        (
            {**DECAY, "hidden": [1000] * 3, "optimizer": "adam"},
            "makes a network of 2005001 parameters; at most 1000000",
        ),
        (
            {**DECAY, "hidden": [1000], "points": 10_000, "optimizer": "adam"},
            "parameter 'points' of nn-ode times the hidden units makes 10000000 values",
        ),
    ],
)
def test_bad_parameters_are_refused(params: dict, message: str) -> None:
    with pytest.raises(RejectedRequest) as refused:
        NeuralODEPlugin.validate(params)
    assert message in str(refused.value)


def test_a_wide_network_on_many_points_is_evaluated_in_bounded_memory() -> None:
    import tracemalloc

    from solverq.solvers.nn_ode import solve
    from solverq.solvers.outcome import no_progress

    params = {
        "problem": "decay",
        "hidden": [1000],
        "optimizer": "adam",
        "iterations": 1,
        "tol": 1e10,
        "eval_points": 20_000,
    }
    tracemalloc.start()
    try:
        result = check_plugin(NeuralODEPlugin, params)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (
        peak < 250e6
    )  # one pass over every point holds arrays of 20 000 x 1000 doubles: 160 MB each
    validated = NeuralODEPlugin.validate(params)
    trained = solve(validated.ode_problem(), validated.settings(), no_progress)
    x = result.arrays["x"][:500]
    np.testing.assert_allclose(result.arrays["y"][:500], trained.solution(x)[0], rtol=1e-12)


def solve_ivp_reference(params: dict, x: np.ndarray) -> np.ndarray:
    """y on x by scipy's DOP853 at rtol = atol = 1e-12, from the problem the parameters state."""
    problem = NeuralODEPlugin.validate(params).ode_problem()

    def first_order(t: float, u: np.ndarray) -> np.ndarray:
        if problem.order == 1:
            return np.asarray(problem.rhs(t, u[:1, None], None)).ravel()
        return np.array([u[1], float(problem.rhs(t, u[:1, None], u[1:, None])[0, 0])])

    start = [*problem.y0] if problem.order == 1 else [*problem.y0, *problem.dy0]
    solution = solve_ivp(
        first_order, (problem.x0, problem.x1), start, "DOP853", x, rtol=1e-12, atol=1e-12
    )
    return solution.y[0]


@pytest.mark.parametrize(
    "params",
    [
        {"problem": "decay", "constants": {"gamma": 3}, "x0": -1, "x1": 1},
        {"problem": "oscillator", "constants": {"m": 2, "k": 3}, "x1": 10},
        {"rhs": "(1 - y**2) * dy - y", "order": 2, "y0": 2, "dy0": 0, "x1": 10}
        | {"iterations": 1500},
    ],
    ids=["decay elsewhere", "heavier oscillator", "van der pol on a budget"],
)
def test_the_summary_tells_the_truth_on_problems_it_was_not_tuned_on(params: dict) -> None:
    result = solve(params)
    x, y = result.arrays["x"], result.arrays["y"]
    error = np.abs(y - solve_ivp_reference(params, x)).max()
    summary = result.summary
    if error < 1e-2:  # where the linearised equation holds, the estimate is the error
        assert summary["error_estimate"] == pytest.approx(error, rel=0.3)
    else:
        assert summary["error_estimate"] > 1e-2
    if summary["converged"]:
        assert error <= 1e-4
    else:
        assert summary["warnings"][0].startswith("not converged: the estimated error")
    assert_consistent(params, result)


def assert_consistent(params: dict, result) -> None:
    """`stop`, `converged`, `iterations` and `warnings` tell one story."""
    summary, budget = result.summary, params.get("iterations", 20_000)
    assert summary["iterations"] == len(result.arrays["loss_history"]) - 1 <= budget
    assert (summary["stop"] == "budget") == (summary["iterations"] == budget)
    assert any("try more iterations" in w for w in summary["warnings"]) == (
        summary["stop"] == "budget" and not summary["converged"]
    )
    if summary["converged"]:
        assert summary["stop"] == "target" and summary["warnings"] == []
    if any("stalled" in w for w in summary["warnings"]):
        assert summary["stop"] == "stagnated"


@pytest.mark.parametrize(
    "params",
    [
        {"rhs": "-100.0*y", "order": 2, "y0": 1, "dy0": 0, "x1": 2},
        {"rhs": "-sin(y)", "order": 2, "y0": 2, "dy0": 0, "x1": 10},
        {"rhs": "2*(1-y**2)*dy - y", "order": 2, "y0": 2, "dy0": 0, "x1": 6},
        {"rhs": "y*(1-y)", "y0": 0.1, "x1": 8},
    ],
    ids=["fast oscillator", "pendulum", "van der pol", "logistic"],
)
def test_a_converged_run_is_within_its_target_on_the_points_returned(params: dict) -> None:
    result = solve(params)
    x, y = result.arrays["x"], result.arrays["y"]
    error = np.abs(y - solve_ivp_reference(params, x)).max()
    summary = result.summary
    target = 1e-5 * np.abs(y).max()
    if summary["converged"]:
        assert error <= target
    assert error <= 1.05 * summary["error_estimate"]
    assert_consistent(params, result)


def test_a_run_stopped_at_tol_says_so_and_advises_a_smaller_tol() -> None:
    params = {"rhs": "-y", "y0": 1, "x1": 2, "tol": 1e-3}
    result = solve(params)
    summary = result.summary
    assert summary["converged"] is False and summary["stop"] == "target"
    assert summary["rounds"] == 1 and summary["hidden"] == [10]
    assert summary["warnings"] == [
        f"not converged: the estimated error {summary['error_estimate']:.2e} is above "
        "error_tol x max|y| = 1.00e-05",
        "training stopped once the loss reached tol = 0.001, before the estimated error "
        "reached error_tol: give a smaller tol, or leave it unset",
    ]
    assert_consistent(params, result)


def test_the_advice_of_a_stalled_run_helps() -> None:
    """Widening stalls on the pendulum over [0, 10] (at a width and a number of points that
    depend on the machine's rounding: [50] at 52 points on one, [30] at 416 on another); the
    twice as many points the warning suggests reach the target."""
    pendulum = {"rhs": "-sin(y)", "order": 2, "y0": 2, "dy0": 0, "x1": 10}
    stalled = solve(pendulum).summary
    assert stalled["converged"] is False and stalled["stop"] == "stagnated"
    advice = re.fullmatch(
        r"training stalled: widening the network up to hidden = \[\d+\] stopped lowering the "
        r"estimated error; try more points \(points = (\d+)\) or another seed",
        stalled["warnings"][-1],
    )
    assert advice is not None, stalled["warnings"]
    points = int(advice.group(1))
    assert points == 2 * stalled["collocation_points"]
    advised = solve({**pendulum, "points": points})
    assert advised.summary["converged"] is True
    x, y = advised.arrays["x"], advised.arrays["y"]
    assert np.abs(y - solve_ivp_reference(pendulum, x)).max() <= 1e-5 * np.abs(y).max()
