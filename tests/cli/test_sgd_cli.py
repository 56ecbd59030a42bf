import json
from pathlib import Path

import numpy as np
import pytest
from numpy.polynomial import polynomial


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def submit(solverq, *args: str) -> dict:
    result = solverq("submit", "sgd", *args, "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "succeeded"
    return job


def test_generated_polynomial_end_to_end(solverq_env, solverq, tmp_path: Path):
    job = submit(
        solverq, "-p", "data=polynomial", "-p", "n=200", "-p", "epochs=100000", "-p", "tol=1e-12"
    )
    summary = job["summary"]
    assert summary["converged"] is True
    closed = np.array(summary["theta_closed_form"])
    np.testing.assert_allclose(summary["theta"], closed, rtol=1e-6)
    np.testing.assert_allclose(closed, [1.0, 2.0, 3.0], atol=0.15)
    assert job["params"]["lambda"] == 0.0 and job["params"]["eta"] == "auto"
    out = tmp_path / "arrays.npz"
    fetched = solverq("result", job["id"], "--out", str(out))
    assert fetched.exit_code == 0, fetched.stderr
    with np.load(out) as arrays:
        assert len(arrays["mse_history"]) == summary["epochs"]
        np.testing.assert_array_equal(arrays["theta"], summary["theta"])


def test_npz_file_end_to_end(solverq_env, solverq, tmp_path: Path):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 2.0, 80)
    y = 0.5 - x + 0.75 * x**2 + 0.05 * rng.standard_normal(80)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    job = submit(
        solverq,
        "--data",
        str(tmp_path / "data.npz"),
        "-p",
        "degree=2",
        "-p",
        "test_size=0",
        "-p",
        "optimizer=momentum",
        "-p",
        "batch_size=80",
        "-p",
        "epochs=20000",
        "-p",
        "tol=1e-12",
    )
    expected = np.linalg.lstsq(polynomial.polyvander(x, 2), y, rcond=None)[0]
    np.testing.assert_allclose(job["summary"]["theta_closed_form"], expected, rtol=1e-10)
    np.testing.assert_allclose(job["summary"]["theta"], expected, rtol=1e-6)


def test_csv_file_end_to_end(solverq_env, solverq, tmp_path: Path):
    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((60, 2))
    z = 2.0 + inputs @ [1.0, -3.0] + 0.1 * rng.standard_normal(60)
    rows = ["a,b,z", *(f"{a:.17g},{b:.17g},{c:.17g}" for (a, b), c in zip(inputs, z, strict=True))]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    job = submit(
        solverq,
        "--data",
        str(tmp_path / "data.csv"),
        "-p",
        "model=ridge",
        "-p",
        "lambda=0.01",
        "-p",
        "penalize_intercept=true",
        "-p",
        "test_size=0",
        "-p",
        "optimizer=adam",
        "-p",
        "eta=0.05",
        "-p",
        "batch_size=10",
        "-p",
        "epochs=200",
    )
    design = np.column_stack([np.ones(60), inputs])
    expected = np.linalg.solve(design.T @ design + 60 * 0.01 * np.eye(3), design.T @ z)
    summary = job["summary"]
    assert summary["columns"] == ["1", "a", "b"]
    np.testing.assert_allclose(summary["theta_closed_form"], expected, rtol=1e-10)
    assert summary["mse"] <= 1.01 * summary["mse_closed_form"]


def write_npz(tmp_path: Path, **arrays) -> str:
    np.savez(tmp_path / "bad.npz", **arrays)
    return str(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "data=polynomial", "-p", "model=ridge"], "parameter 'lambda' of sgd must be > 0"),
        (["-p", "data=polynomial", "-p", "eta=fast"], "parameter 'eta' of sgd must be"),
        (["-p", "data=polynomial", "-p", "epochs=0"], "parameter 'epochs' of sgd must be"),
        ([], "sgd needs data"),
        (["-p", "data=polynomial", "--data", "NPZ"], "data=polynomial provides the data"),
        (["--data", "MISMATCHED"], "array 'y' has 6 values for 5 rows of inputs"),
        (["--data", "NAN_CSV"], "input array 'x' of sgd holds nan at index 1"),
    ],
)
def test_bad_requests_exit_2_with_one_line(solverq_env, solverq, tmp_path: Path, args, message):
    files = {
        "NPZ": lambda: write_npz(tmp_path, x=np.arange(6.0), y=np.arange(6.0)),
        "MISMATCHED": lambda: write_npz(tmp_path, x=np.arange(5.0), y=np.arange(6.0)),
        "NAN_CSV": lambda: _write(tmp_path / "nan.csv", "x,y\n0,1\nnan,2\n2,3\n"),
    }
    args = [files[arg]() if arg in files else arg for arg in args]
    result = solverq("submit", "sgd", *args, "--wait")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert message in line
    assert json.loads(solverq("list", "--json").stdout) == []


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_divergence_fails_the_job_with_exit_1(solverq_env, solverq):
    result = solverq("submit", "sgd", "-p", "data=polynomial", "-p", "eta=5", "--wait")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert "failed: diverged: eta = 5 exceeds the stability bound 2/lambda_max = " in line
    assert "of gradient descent on this problem" in line


def test_a_pandas_csv_with_its_index_and_named_columns(solverq_env, solverq, tmp_path: Path):
    pandas = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    frame = pandas.DataFrame(
        {"height": rng.uniform(1, 2, 50), "noise": rng.standard_normal(50), "label": ["a"] * 50}
    )
    frame["weight"] = 3.0 + 2.0 * frame["height"]
    frame.to_csv(tmp_path / "frame.csv")
    job = submit(
        solverq,
        "--data",
        str(tmp_path / "frame.csv"),
        "-p",
        "target=weight",
        "-p",
        "features=[height]",
        "-p",
        "tol=1e-12",
        "-p",
        "epochs=100000",
    )
    assert job["summary"]["columns"] == ["1", "height"]
    np.testing.assert_allclose(job["summary"]["theta"], [3.0, 2.0], rtol=1e-6)
    assert not {"n", "noise", "coefficients"} & set(job["params"])


def test_text_in_a_numeric_column_is_refused_naming_line_and_column(
    solverq_env, solverq, tmp_path: Path
):
    path = _write(tmp_path / "bad.csv", ",x,y\n0,1,2\n1,2,3\n2,oops,4\n")
    result = solverq("submit", "sgd", "--data", path, "--wait")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "line 4, column 'x': 'oops' is not a number" in line


def test_plugins_show_says_which_default_rate_and_batch_apply(solverq_env, solverq):
    shown = json.loads(solverq("plugins", "show", "sgd", "--json").stdout)["parameters"]
    eta = shown["properties"]["eta"]["description"]
    assert (
        "1/lambda_max" in eta and "0.01 for adagrad" in eta and "0.001 for rmsprop and adam" in eta
    )
    batch = shown["properties"]["batch_size"]["description"]
    assert "full batch for gd (always) and momentum" in batch and "32 for sgd" in batch
