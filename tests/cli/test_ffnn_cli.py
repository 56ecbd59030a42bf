import json
from pathlib import Path

import numpy as np
import pytest


def submit(solverq, plugin: str, *args: str) -> dict:
    result = solverq("submit", plugin, *args, "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "succeeded", job["error"]
    return job


def test_the_readme_classification_runs_as_written(solverq_env, solverq):
    result = solverq(
        "submit", "ffnn", "-p", "data=breast_cancer", "-p", "task=classification", "--wait"
    )
    assert result.exit_code == 0, result.stderr
    assert "test_accuracy" in result.stdout
    [job] = json.loads(solverq("list", "--json").stdout)
    assert not {"n", "noise", "coefficients", "target", "features"} & set(job["params"])


def test_predict_applies_a_stored_network_to_a_file(solverq_env, solverq, tmp_path: Path):
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 1, (120, 3))
    labels = np.where(inputs.sum(axis=1) > 0, "yes", "no")
    np.savez(
        tmp_path / "train.npz",
        X=inputs[:100],
        y=labels[:100],
        X_test=inputs[100:],
        y_test=labels[100:],
    )
    job = submit(
        solverq,
        "ffnn",
        "--data",
        str(tmp_path / "train.npz"),
        "-p",
        "task=classification",
        "-p",
        "hidden=[8]",
        "-p",
        "epochs=50",
    )
    assert job["summary"]["classes"] == ["no", "yes"]
    stored = tmp_path / "stored.npz"
    assert solverq("result", job["id"], "--out", str(stored)).exit_code == 0
    np.savez(tmp_path / "new.npz", X=inputs[100:])
    predicted = solverq(
        "predict",
        job["id"][:8],
        "--data",
        str(tmp_path / "new.npz"),
        "--out",
        str(tmp_path / "pred.npz"),
    )
    assert predicted.exit_code == 0, predicted.stderr
    assert "wrote 20 predictions" in predicted.stderr
    with np.load(tmp_path / "pred.npz") as mine, np.load(stored) as theirs:
        np.testing.assert_array_equal(mine["predictions"], theirs["test_predictions"])
        np.testing.assert_allclose(mine["probabilities"], theirs["test_probabilities"])
    printed = solverq("predict", job["id"], "--data", str(tmp_path / "new.npz"))
    assert printed.stdout.split() == [str(label) for label in np.load(stored)["test_predictions"]]


def test_predict_with_an_sgd_model_reads_the_columns_it_was_trained_on(
    solverq_env, solverq, tmp_path: Path
):
    pandas = pytest.importorskip("pandas")
    x = np.linspace(0, 2, 50)
    pandas.DataFrame({"x": x, "y": 1 + 2 * x - x**2}).to_csv(tmp_path / "train.csv")
    job = submit(
        solverq,
        "sgd",
        "--data",
        str(tmp_path / "train.csv"),
        "-p",
        "degree=2",
        "-p",
        "scale=standard",
        "-p",
        "epochs=100000",
        "-p",
        "tol=1e-12",
    )
    pandas.DataFrame({"x": [0.5, 3.0]}).to_csv(tmp_path / "new.csv", index=False)
    printed = solverq("predict", job["id"], "--data", str(tmp_path / "new.csv"), "--json")
    assert printed.exit_code == 0, printed.stderr
    predictions = json.loads(printed.stdout)["predictions"]
    np.testing.assert_allclose(predictions, [1.75, -2.0], rtol=1e-6)


def test_predict_refuses_what_cannot_be_predicted(solverq_env, solverq, tmp_path: Path):
    np.savez(tmp_path / "new.npz", x=np.ones(3))
    euler = submit(solverq, "euler", "-p", "problem=decay")
    refused = solverq("predict", euler["id"], "--data", str(tmp_path / "new.npz"))
    assert refused.exit_code == 2
    assert "plugin euler trains no model that can predict" in refused.stderr
    network = submit(solverq, "ffnn", "-p", "data=franke", "-p", "epochs=2")
    wrong = solverq("predict", network["id"], "--data", str(tmp_path / "new.npz"))
    assert wrong.exit_code == 2
    assert "the model takes 2 inputs per row (x1, x2)" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_plot_draws_an_ffnn_job(solverq_env, solverq, tmp_path: Path):
    job = submit(solverq, "ffnn", "-p", "data=polynomial", "-p", "epochs=5")
    drawn = solverq("plot", job["id"], "--out", str(tmp_path / "fit.png"))
    assert drawn.exit_code == 0, drawn.stderr
    assert (tmp_path / "fit.png").stat().st_size > 0
