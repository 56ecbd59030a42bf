import numpy as np
import pytest
from numpy.polynomial import polynomial

from solverq.plugins.builtin.sgd import RegressionPlugin
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.plugins.testing import check_plugin
from solverq.solvers.outcome import no_progress

ISSUE_KEYS = {
    "theta",
    "theta_closed_form",
    "mse",
    "r2",
    "mse_closed_form",
    "eta",
    "lambda_max",
    "epochs",
    "converged",
    "train_mse",
    "test_mse",
    "train_r2",
    "test_r2",
    "condition_number",
    "warnings",
}
OPTIMIZERS = ["gd", "momentum", "sgd", "adagrad", "rmsprop", "adam"]


def solve(params, inputs=None):
    validated = RegressionPlugin.validate(params, inputs or {})
    return RegressionPlugin().solve(validated, inputs or {}, no_progress)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_meets_the_contract(optimizer):
    params = {"data": "polynomial", "optimizer": optimizer, "epochs": 20, "eta": 0.05}
    result = check_plugin(RegressionPlugin, params)
    assert set(result.summary) >= ISSUE_KEYS
    assert set(result.arrays) == {"mse_history", "theta", "scaler_offset", "scaler_scale"}
    assert result.summary["epochs"] == len(result.arrays["mse_history"]) == 20
    assert result.summary["columns"] == ["1", "x", "x^2"]
    np.testing.assert_array_equal(result.arrays["theta"], result.summary["theta"])


def test_polynomial_data_fitted_to_convergence_matches_least_squares():
    result = check_plugin(
        RegressionPlugin, {"data": "polynomial", "n": 300, "epochs": 100_000, "tol": 1e-12}
    )
    summary = result.summary
    assert summary["converged"] and summary["status"] == "converged"
    theta, closed = np.array(summary["theta"]), np.array(summary["theta_closed_form"])
    assert np.linalg.norm(theta - closed) / np.linalg.norm(closed) < 1e-6
    np.testing.assert_allclose(theta, [1.0, 2.0, 3.0], atol=0.1)
    assert summary["mse"] == pytest.approx(summary["mse_closed_form"], rel=1e-9)
    assert summary["mse"] == pytest.approx(0.01, rel=0.2)
    assert 0.99 < summary["r2"] < 1.0
    assert summary["eta"] == pytest.approx(1 / summary["lambda_max"])


def test_theta_is_in_the_units_of_the_data_and_the_order_of_the_design():
    x = np.linspace(-3.0, 5.0, 41)
    y = 4.0 - 0.5 * x + 0.25 * x**2
    result = check_plugin(
        RegressionPlugin, {"degree": 2, "epochs": 1_000_000, "tol": 1e-10}, {"x": x, "y": y}
    )
    expected = np.linalg.lstsq(polynomial.polyvander(x, 2), y, rcond=None)[0]
    np.testing.assert_allclose(expected, [4.0, -0.5, 0.25], rtol=1e-10)
    np.testing.assert_allclose(result.summary["theta"], expected, rtol=1e-6)
    np.testing.assert_allclose(result.summary["theta_closed_form"], expected, rtol=1e-10)


def test_ridge_reports_its_closed_form():
    result = check_plugin(
        RegressionPlugin,
        {
            "data": "polynomial",
            "model": "ridge",
            "lambda": 0.01,
            "penalize_intercept": True,
            "test_size": 0,
            "epochs": 100_000,
            "tol": 1e-12,
        },
    )
    from solverq.solvers.regression.data import polynomial_data

    seed = np.random.SeedSequence(0).spawn(2)[0]
    x, y = polynomial_data(100, [1.0, 2.0, 3.0], 0.1, seed)
    design = polynomial.polyvander(x, 2)
    expected = np.linalg.solve(design.T @ design + 100 * 0.01 * np.eye(3), design.T @ y)
    np.testing.assert_allclose(result.summary["theta_closed_form"], expected, rtol=1e-10)
    np.testing.assert_allclose(result.summary["theta"], expected, rtol=1e-6)


def test_franke_fits_all_monomials_of_the_two_inputs():
    result = check_plugin(RegressionPlugin, {"data": "franke", "n": 200, "degree": 3, "epochs": 50})
    assert result.summary["columns"] == [
        "1",
        "x1",
        "x2",
        "x1^2",
        "x1*x2",
        "x2^2",
        "x1^3",
        "x1^2*x2",
        "x1*x2^2",
        "x2^3",
    ]
    assert len(result.summary["theta_closed_form"]) == 10
    history = result.arrays["mse_history"]
    assert (np.diff(history) <= 0).all()


def test_npz_matrix_is_used_as_given_with_or_without_the_intercept():
    rng = np.random.default_rng(2)
    design = rng.standard_normal((50, 2))
    y = 1.5 + design @ [2.0, -1.0]
    with_intercept = check_plugin(
        RegressionPlugin, {"tol": 1e-12, "epochs": 10_000}, {"X": design, "y": y}
    )
    assert with_intercept.summary["columns"] == ["1", "x1", "x2"]
    np.testing.assert_allclose(with_intercept.summary["theta"], [1.5, 2.0, -1.0], rtol=1e-7)
    without = check_plugin(
        RegressionPlugin, {"intercept": False, "epochs": 5}, {"X": design, "y": y}
    )
    assert without.summary["columns"] == ["x1", "x2"]


def test_csv_columns_are_inputs_then_the_response_last():
    t = np.linspace(0.0, 1.0, 30)
    v = t**2
    z = 3.0 - t + 2.0 * v
    inputs = {"t": t, "v": v, "z": z}
    result = check_plugin(RegressionPlugin, {"tol": 1e-11, "epochs": 1_000_000}, inputs)
    assert result.summary["columns"] == ["1", "t", "v"]
    np.testing.assert_allclose(result.summary["theta"], [3.0, -1.0, 2.0], rtol=1e-6)


def test_autograd_gives_the_analytic_result():
    params = {"data": "polynomial", "optimizer": "sgd", "batch_size": 10, "epochs": 5}
    analytic = solve(params).summary["theta"]
    automatic = solve({**params, "gradient": "autograd"}).summary["theta"]
    np.testing.assert_allclose(automatic, analytic, rtol=1e-12)


def test_seed_reproduces_data_and_shuffling():
    params = {"data": "polynomial", "optimizer": "adam", "eta": 0.05, "epochs": 5, "seed": 8}
    assert solve(params).summary == solve(params).summary
    assert solve({**params, "seed": 9}).summary["theta"] != solve(params).summary["theta"]


def test_divergence_fails_the_solve_with_eta_and_the_bound():
    with pytest.raises(
        SolveFailed,
        match=r"^diverged: eta = 5 exceeds the stability bound 2/lambda_max = 0\.\d+ of gradient",
    ):
        solve({"data": "polynomial", "eta": 5})
    with pytest.raises(SolveFailed, match=r"^diverged in epoch 1: .*eta = 1e\+04"):
        solve({"data": "polynomial", "optimizer": "sgd", "eta": 1e4})


X_AND_Y = {"x": np.linspace(0.0, 1.0, 10), "y": np.linspace(1.0, 2.0, 10)}


@pytest.mark.parametrize(
    ("params", "inputs", "message"),
    [
        ({}, {}, r"^sgd needs data: a --data file"),
        ({"n": 50}, X_AND_Y, r"^parameter 'n' of sgd applies to generated data"),
        ({"data": "franke", "target": "y"}, {}, r"^parameter 'target' of sgd applies to a \.csv"),
        ({"target": "z"}, {"a": np.ones(3), "b": np.ones(3)}, r"^target 'z' is not a column"),
        (
            {"features": ["a", "c"]},
            {"a": np.ones(3), "b": np.ones(3)},
            r"^feature 'c' is not a column of the data \(a, b\)$",
        ),
        (
            {},
            {"a": np.ones(3), "b": np.array(["u", "v", "w"])},
            r"^target 'b' holds text \('u' in its first row\); a regression needs numbers",
        ),
        (
            {"target": "y"},
            {"X": np.ones((10, 2)), "y": np.ones(10)},
            r"^target and features choose columns of a \.csv file",
        ),
        (
            {},
            {
                "X": np.ones((4, 2)),
                "y": np.ones(4),
                "X_test": np.ones((2, 3)),
                "y_test": np.ones(2),
            },
            r"^array 'X_test' has 3 columns, but 'X' has 2",
        ),
        (
            {},
            {"x": np.ones(4), "y": np.ones(4), "y_test": np.ones(2)},
            r"^a given test set needs both x_test \(or X_test\) and y_test",
        ),
        (
            {"data": "franke"},
            X_AND_Y,
            r"^data=franke provides the data: give either it or a --data",
        ),
        (
            {},
            {"x": np.ones(4), "y": np.ones(5)},
            r"^array 'y' has 5 values for 4 rows of inputs",
        ),
        ({}, {"y": np.ones(5)}, r"^the data hold only 'y'"),
        ({}, {"x": np.ones(0), "y": np.ones(0)}, r"^0 training samples are too few for the 2 col"),
        ({}, {"x": np.ones(4), "y": np.ones((4, 2))}, r"^the responses 'y' must be one column"),
        (
            {},
            {"X": np.ones((4, 2)), "y": np.ones(4), "w": np.ones(4)},
            r"^array 'X' is not a column",
        ),
        (
            {},
            {"x": np.array(["a", "b"]), "y": np.ones(2)},
            r"^column 'x' holds text \('a' in its first row\); inputs must be numbers$",
        ),
        (
            {},
            {"x": np.array([0.0, np.nan, 1.0]), "y": np.ones(3)},
            r"^input array 'x' of sgd holds nan",
        ),
        ({"degree": 10}, X_AND_Y, r"^8 training samples are too few for the 11 columns"),
        (
            {"degree": 11},
            {"x": np.linspace(0.0, 1e10, 20), "y": np.ones(20)},
            r"^the data reach about 1e110 \(the inputs to the power 11 included\), beyond 1e100",
        ),
        (
            {"data": "polynomial", "coefficients": [1.0, 2e6]},
            {},
            r"^parameter 'coefficients\[1\]' of sgd must be less than or equal to 1000000",
        ),
        (
            {"data": "polynomial", "n": 3, "degree": 3},
            {},
            r"^2 training samples are too few for the 4 columns",
        ),
        (
            {"data": "franke", "degree": 0, "intercept": False},
            {},
            r"^the design matrix has no columns",
        ),
        (
            {"data": "polynomial", "n": 10_000_000, "degree": 10},
            {},
            r"^the design matrix would have 10000000 x 11",
        ),
        (
            {"data": "polynomial", "model": "ridge"},
            {},
            r"^parameter 'lambda' of sgd must be > 0 with model=ridge, got 0\.0$",
        ),
        (
            {"data": "polynomial", "lambda": 0.1},
            {},
            r"^parameter 'lambda' of sgd applies to model=ridge only",
        ),
        (
            {"data": "polynomial", "eta": -1},
            {},
            r"^parameter 'eta' of sgd must be greater than 0 or 'auto', got -1$",
        ),
        (
            {"data": "polynomial", "optimizer": "lbfgs"},
            {},
            r"^parameter 'optimizer' of sgd must be 'gd', 'momentum'",
        ),
        (
            {"data": "polynomial", "batch_size": 0},
            {},
            r"^parameter 'batch_size' of sgd must be greater than or equal to 1",
        ),
        (
            {"data": "polynomial", "beta2": 1.0},
            {},
            r"^parameter 'beta2' of sgd must be less than 1",
        ),
        (
            {"data": "mnist"},
            {},
            r"^parameter 'data' of sgd must be 'polynomial', 'franke', 'breast_cancer' or 'digits'",
        ),
        (
            {"data": "polynomial", "learning_rate": 0.1},
            {},
            r"^unknown parameter 'learning_rate' of sgd",
        ),
    ],
)
def test_bad_requests_are_rejected_with_one_clear_line(params, inputs, message):
    with pytest.raises(RejectedRequest, match=message) as error:
        RegressionPlugin.validate(params, inputs)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("optimizer", "eta", "batch"),
    [
        ("gd", None, None),
        ("momentum", None, None),
        ("sgd", None, 32),
        ("adagrad", 0.01, 32),
        ("rmsprop", 0.001, 32),
        ("adam", 0.001, 32),
    ],
)
def test_each_optimizer_starts_from_its_textbook_rate_and_batch(optimizer, eta, batch):
    summary = solve({"data": "polynomial", "optimizer": optimizer, "epochs": 2}).summary
    assert summary["eta"] == pytest.approx(eta or 1 / summary["lambda_max"], rel=1e-12)
    assert summary["batch_size"] == (batch or 80)


def test_momentum_takes_mini_batches_when_a_batch_size_is_given():
    params = {"data": "polynomial", "optimizer": "momentum", "batch_size": 10, "epochs": 2}
    assert solve(params).summary["batch_size"] == 10
    assert solve({**params, "optimizer": "gd"}).summary["batch_size"] == 80
    assert solve({**params, "batch_size": 1000}).summary["batch_size"] == 80


def test_train_and_test_metrics_are_those_of_theta_on_each_set():
    metrics = pytest.importorskip("sklearn.metrics")
    result = solve({"data": "polynomial", "n": 200, "keep_data": True, "epochs": 300})
    summary, arrays = result.summary, result.arrays
    assert (len(arrays["y_train"]), len(arrays["y_test"])) == (160, 40)
    theta = np.array(summary["theta"])
    for part in ("train", "test"):
        x, y = arrays[f"X_{part}"][:, 0], arrays[f"y_{part}"]
        fitted = polynomial.polyvander(x, 2) @ theta
        assert summary[f"{part}_mse"] == pytest.approx(metrics.mean_squared_error(y, fitted))
        assert summary[f"{part}_r2"] == pytest.approx(metrics.r2_score(y, fitted))
    assert summary["mse"] == summary["train_mse"]


def test_a_given_test_set_is_used_as_it_is():
    x = np.linspace(0.0, 1.0, 30)
    inputs = {"x": x, "y": 2 * x, "x_test": np.array([2.0, 3.0]), "y_test": np.array([4.0, 7.0])}
    result = solve({"tol": 1e-12, "epochs": 100_000, "keep_data": True}, inputs)
    np.testing.assert_array_equal(result.arrays["X_test"][:, 0], [2.0, 3.0])
    assert len(result.arrays["y_train"]) == 30
    # the fit is y = 2x: residuals 0 and -1 on the test set
    assert result.summary["test_mse"] == pytest.approx(0.5, rel=1e-6)


def test_ridge_leaves_the_intercept_free_by_default_as_scikit_learn_does():
    linear_model = pytest.importorskip("sklearn.linear_model")
    params = {"data": "franke", "n": 200, "degree": 2, "model": "ridge", "lambda": 0.01}
    result = solve({**params, "test_size": 0, "keep_data": True, "scale": "standard"})
    assert result.summary["intercept_penalized"] is False
    design = polynomial_design_of(result)
    reference = linear_model.Ridge(alpha=200 * 0.01).fit(design, result.arrays["y_train"])
    np.testing.assert_allclose(
        result.summary["theta_closed_form"],
        [reference.intercept_, *reference.coef_],
        rtol=1e-9,
    )
    penalized = solve({**params, "test_size": 0, "penalize_intercept": True}).summary
    assert penalized["intercept_penalized"] is True
    assert penalized["theta_closed_form"][0] != pytest.approx(reference.intercept_, rel=1e-3)


def polynomial_design_of(result):
    from solverq.solvers.regression.design import polynomial_design

    scaled = (result.arrays["X_train"] - result.arrays["scaler_offset"]) / result.arrays[
        "scaler_scale"
    ]
    return polynomial_design(scaled, 2, False, ["x1", "x2"])[0]


def test_an_ill_conditioned_descent_warns_and_names_the_scaling_that_fixes_it():
    params = {"data": "franke", "degree": 5, "epochs": 2000, "test_size": 0}
    raw = solve({**params, "keep_data": True})
    inputs = raw.arrays["X_train"]
    design = np.column_stack(
        [inputs[:, 0] ** a * inputs[:, 1] ** (d - a) for d in range(6) for a in range(d + 1)]
    )
    assert raw.summary["condition_number"] == pytest.approx(
        np.linalg.cond(design.T @ design), rel=1e-4
    )
    raw = raw.summary
    assert raw["condition_number"] > 1e6
    assert len(raw["warnings"]) == 1 and "scale=standard" in raw["warnings"][0]
    scaled = solve({**params, "scale": "standard"}).summary
    assert scaled["condition_number"] < 1e5 and scaled["warnings"] == []
    # the same model class: the closed forms agree, and scaled descent gets much closer to it
    assert scaled["mse_closed_form"] == pytest.approx(raw["mse_closed_form"], rel=1e-6)
    gap = {s: run["mse"] / run["mse_closed_form"] - 1 for s, run in (("raw", raw), ("s", scaled))}
    assert gap["s"] < gap["raw"] / 5


@pytest.mark.parametrize("name", ["exponential", "step", "cosine", "inverse"])
def test_full_batch_descent_follows_the_schedule_it_is_given(name):
    x = np.linspace(0.0, 1.0, 20)
    y = 1.0 + x
    params = {"schedule": name, "t1": 2, "drop": 0.5, "eta": 0.3, "epochs": 4, "tol": 0}
    rates = {
        "exponential": [0.3 * 0.5 ** (t / 2) for t in range(4)],
        "step": [0.3, 0.3, 0.15, 0.15],
        "cosine": [0.15 * (1 + np.cos(np.pi * t / 4)) for t in range(4)],
        "inverse": [0.3 * 2 / (t + 2) for t in range(4)],
    }[name]
    design, theta = np.column_stack([np.ones(20), x]), np.zeros(2)
    for rate in rates:
        theta = theta - rate * 2 / 20 * design.T @ (design @ theta - y)
    result = solve({**params, "test_size": 0}, {"x": x, "y": y})
    np.testing.assert_allclose(result.summary["theta"], theta, rtol=1e-12)


def test_a_job_records_only_the_data_parameters_its_source_uses():
    from solverq.plugins.parameters import stored_parameters

    on_file = stored_parameters(RegressionPlugin.validate({}, X_AND_Y))
    assert not {"n", "noise", "coefficients"} & set(on_file)
    assert {"target", "features", "test_size", "scale"} <= set(on_file)
    franke = stored_parameters(RegressionPlugin.validate({"data": "franke"}))
    assert {"n", "noise"} <= set(franke) and not {"coefficients", "target"} & set(franke)
    polynomial_job = stored_parameters(RegressionPlugin.validate({"data": "polynomial"}))
    assert {"n", "noise", "coefficients"} <= set(polynomial_job)


def test_predictions_apply_the_stored_scaling_and_design():
    x = np.linspace(-2.0, 3.0, 40)
    inputs = {"x": x, "y": 1 - x + 0.5 * x**2}
    params = RegressionPlugin.validate(
        {"degree": 2, "scale": "standard", "epochs": 100_000, "tol": 1e-12}, inputs
    )
    result = RegressionPlugin().solve(params, inputs, no_progress)
    new = np.array([0.0, 10.0])
    predicted = RegressionPlugin().predict(params, result, {"x": new})["predictions"]
    np.testing.assert_allclose(predicted, 1 - new + 0.5 * new**2, rtol=1e-6, atol=1e-8)


def test_target_chooses_the_response_among_columns_named_y_and_x():
    columns = {"y": np.array([1, 2, 3, 4, 5.0]), "x": np.array([2, 4, 6.1, 8, 9.9])}
    result = solve({"target": "y", "test_size": 0, "epochs": 1}, columns)
    x_on_y = solve({"target": "x", "test_size": 0, "epochs": 1}, columns)
    ones = np.column_stack([np.ones(5), columns["x"]])
    expected = np.linalg.lstsq(ones, columns["y"], rcond=None)[0]
    np.testing.assert_allclose(result.summary["theta_closed_form"], expected, rtol=1e-10)
    assert result.summary["inputs"] == ["x"] and x_on_y.summary["inputs"] == ["y"]
