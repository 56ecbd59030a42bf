"""`solverq submit euler`, end to end in embedded mode, on both databases."""

import json

import numpy as np
import pytest


def submit(solverq, *params: str):
    arguments = [item for param in params for item in ("-p", param)]
    return solverq("submit", "euler", *arguments, "--wait", "--json")


def test_decay_with_a_changed_constant(solverq, solverq_env) -> None:
    outcome = submit(solverq, "problem=decay", "constants.gamma=3", "n=200")
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["status"] == "succeeded"
    assert record["params"]["constants"] == {"gamma": 3.0}
    assert record["params"]["rhs"] == "-gamma * y"
    summary = record["summary"]
    assert summary["y_end"] == pytest.approx((1 - 3 * 0.025) ** 200, rel=1e-12)
    assert summary["max_abs_error"] > summary["final_error"] > 0
    arrays = solverq_env.result_arrays(record["id"])
    assert arrays["x"].shape == arrays["y"].shape == (201,)


def test_a_batch_and_the_arrays_written_to_a_file(solverq, solverq_env, tmp_path) -> None:
    outcome = submit(solverq, "problem=oscillator", "y0=[0, 1, 2]", "n=100", "method=cromer")
    record = json.loads(outcome.stdout)
    assert record["array_descriptions"]["y"] == {"shape": [101, 3], "dtype": "float64"}
    path = tmp_path / "result.npz"
    assert solverq("result", record["id"], "--out", str(path)).exit_code == 0
    with np.load(path) as arrays:
        np.testing.assert_array_equal(arrays["y"][0], [0, 1, 2])
        assert arrays["dy"].shape == (101, 3)


def test_a_system_written_out(solverq, solverq_env) -> None:
    outcome = submit(solverq, 'rhs=["y[1]", "-4 * y[0]"]', "y0=[1, 0]", "x1=1", "n=50")
    assert outcome.exit_code == 0, outcome.output
    assert len(json.loads(outcome.stdout)["summary"]["y_end"]) == 2


def test_an_unstable_step_is_warned_about_and_fails_when_it_diverges(solverq, solverq_env) -> None:
    warned = submit(solverq, "problem=decay", "constants.gamma=3", "dx=0.7", "x1=3")
    assert warned.exit_code == 0
    assert "unstable" in json.loads(warned.stdout)["summary"]["warnings"][0]
    outcome = solverq(
        "submit", "euler", "-p", "problem=decay", "-p", "dx=1", "-p", "x1=2000",
        "-p", "constants.gamma=3", "--wait",
    )  # fmt: skip
    assert outcome.exit_code == 1
    [error] = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
    assert "failed: diverged at x = " in error and "Traceback" not in outcome.output
    job = solverq_env.list()[0]
    assert job.status.value == "failed" and job.error.startswith("diverged at x = ")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["problem=decay", "rhs=__import__('os').system('ls')"], "holds an attribute"),
        (["problem=decay", "rhs=__import__('os')"], "calls unknown function '__import__'"),
        (["problem=decay", "rhs=-gama*y"], "parameter 'rhs' of euler uses unknown name 'gama'"),
        (["rhs=-y", "x1=1"], "parameter 'y0' of euler is required for order 1"),
        (["problem=decay", "method=cromer"], "cromer needs a second-order problem"),
        (["problem=decay", "constants.pi=3"], "'pi', which is reserved"),
        (["problem=spring"], "parameter 'problem' of euler must be 'decay' or 'oscillator'"),
    ],
)
def test_bad_requests_exit_2_with_one_error_line(solverq, solverq_env, params, message) -> None:
    outcome = solverq("submit", "euler", *[item for p in params for item in ("-p", p)])
    assert outcome.exit_code == 2
    [error] = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
    assert message in error and "Traceback" not in outcome.output
    assert solverq_env.list() == []


def test_the_fullwidth_example_means_what_its_ascii_twin_means(solverq, solverq_env) -> None:
    def y_end(*assignments: str) -> float:
        args = [item for arg in assignments for item in ("-p", arg)]
        outcome = solverq("submit", "euler", *args, "-p", "n=10", "--json")
        assert outcome.exit_code == 0, outcome.output
        return json.loads(outcome.stdout)["summary"]["y_end"]

    fullwidth = y_end("rhs=\uff4b*y", "constants.\uff4b=2", "y0=1", "x1=1")
    assert fullwidth == y_end("rhs=k*y", "constants.k=2", "y0=1", "x1=1")
    assert fullwidth == pytest.approx((1 + 2 * 0.1) ** 10)
