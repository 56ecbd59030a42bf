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
    assert set(result.arrays) == {"mse_history", "theta"}
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
        {"data": "polynomial", "model": "ridge", "lambda": 0.01, "epochs": 100_000, "tol": 1e-12},
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
        (
            {"data": "franke"},
            X_AND_Y,
            r"^data=franke generates the data: give either it or a --data",
        ),
        (
            {},
            {"x": np.ones(4), "y": np.ones(5)},
            r"^array 'x' has shape \(4,\), but the 5 responses",
        ),
        ({}, {"y": np.ones(5)}, r"^the data hold only 'y'"),
        ({}, {"x": np.ones(0), "y": np.ones(0)}, r"^0 samples are too few for the 2 columns"),
        ({}, {"x": np.ones(4), "y": np.ones((4, 2))}, r"^the responses y must be one column"),
        (
            {},
            {"X": np.ones((4, 2)), "y": np.ones(4), "w": np.ones(4)},
            r"^array 'X' is not a column",
        ),
        (
            {},
            {"x": np.array(["a", "b"]), "y": np.ones(2)},
            r"^input array 'x' must hold real numbers",
        ),
        (
            {},
            {"x": np.array([0.0, np.nan, 1.0]), "y": np.ones(3)},
            r"^input array 'x' of sgd holds nan",
        ),
        ({"degree": 10}, X_AND_Y, r"^10 samples are too few for the 11 columns"),
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
            r"^3 samples are too few for the 4 columns",
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
        ({"data": "mnist"}, {}, r"^parameter 'data' of sgd must be 'polynomial' or 'franke'"),
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
