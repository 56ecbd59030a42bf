"""`solverq submit nn-ode`, end to end in embedded mode, on both databases."""

import json

import numpy as np
import pytest

DECAY = ["problem=decay", "constants.gamma=2", "x1=1"]


def submit(solverq, *params: str):
    arguments = [item for param in params for item in ("-p", param)]
    return solverq("submit", "nn-ode", *arguments, "--wait", "--json")


def test_decay_reaches_the_accuracy_of_lagaris(solverq, solverq_env) -> None:
    outcome = submit(solverq, *DECAY, "eval_points=101")
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["status"] == "succeeded"
    assert record["params"]["hidden"] is None and record["params"]["optimizer"] == "bfgs"
    assert record["summary"]["converged"] is True and record["summary"]["hidden"] == [10]
    assert record["summary"]["max_abs_error"] <= 1e-5
    arrays = solverq_env.result_arrays(record["id"])
    assert arrays["x"].shape == arrays["y"].shape == (101,)
    np.testing.assert_allclose(arrays["y"], np.exp(-2 * arrays["x"]), rtol=0, atol=1e-5)
    assert arrays["loss_history"].shape == (record["summary"]["iterations"] + 1,)


def test_training_that_stops_short_succeeds_and_warns_on_stderr(solverq, solverq_env) -> None:
    params = ["rhs=40*cos(40*x)", "y0=0", "x1=1", "points=100", "hidden=[10]", "iterations=50"]
    outcome = submit(solverq, *params)
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["status"] == "succeeded" and record["summary"]["converged"] is False
    warnings = [line for line in outcome.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [f"warning: {text}" for text in record["summary"]["warnings"]]
    assert any("try more iterations" in line for line in warnings)
    arrays = solverq_env.result_arrays(record["id"])
    assert arrays["loss_history"].shape == (51,) and arrays["y"].shape == (1001,)


def test_a_diverged_run_fails_and_keeps_its_loss_history(solverq, solverq_env, tmp_path) -> None:
    outcome = submit(solverq, *DECAY, "optimizer=gd", "learning_rate=10")
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    job = solverq_env.list()[0]
    assert job.status.value == "failed" and job.error.startswith("diverged: ")
    history = solverq_env.result_arrays(job.id)["loss_history"]
    assert np.isfinite(history[0]) and not np.isfinite(history[-1])
    out = tmp_path / "kept.npz"
    result = solverq("result", job.id, "--out", str(out))
    assert result.exit_code == 1 and "diverged: " in result.stderr
    with np.load(out) as kept:
        np.testing.assert_array_equal(kept["loss_history"], history)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([*DECAY, "activation=relu"], "cannot be relu: its second derivative vanishes"),
        ([*DECAY, "condition=bvp", "ya=1", "yb=0"], "bvp needs a second-order problem"),
        (["rhs=-y", "order=2", "condition=bvp", "ya=0", "x1=1"], "'yb' of nn-ode is required"),
        ([*DECAY, "hidden=[10, 0]"], "must hold layer widths from 1 to 1000"),
    ],
)
def test_bad_requests_exit_2_with_one_error_line(solverq, solverq_env, params, message) -> None:
    outcome = solverq("submit", "nn-ode", *[item for p in params for item in ("-p", p)])
    assert outcome.exit_code == 2
    [error] = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
    assert message in error and "Traceback" not in outcome.output
    assert solverq_env.list() == []


def test_the_parameter_help_documents_the_summary(solverq) -> None:
    outcome = solverq("plugins", "show", "nn-ode", "--json")
    assert outcome.exit_code == 0, outcome.output
    properties = json.loads(outcome.stdout)["parameters"]["properties"]
    help_text = " ".join(spec.get("description", "") for spec in properties.values())
    for key in (
        "max_abs_error",
        "extrapolation_max_abs_error",
        "validation_residual",
        "validation_residual_max",
        "error_estimate",
        "converged",
        "warnings",
    ):
        assert key in help_text
    assert "(x1, x1 + 0.1 (x1 - x0)]" in properties["eval_points"]["description"]
