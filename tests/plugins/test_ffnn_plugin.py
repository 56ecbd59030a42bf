import numpy as np
import pytest

from solverq.plugins.builtin import data_preparation
from solverq.plugins.builtin.ffnn import NetworkPlugin
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.plugins.testing import check_plugin
from solverq.solvers.outcome import no_progress

COMMON_KEYS = {"parameters", "epochs", "train_loss", "test_loss"}
REGRESSION_KEYS = COMMON_KEYS | {"train_mse", "test_mse", "train_r2", "test_r2"}
CLASSIFICATION_KEYS = COMMON_KEYS | {"train_accuracy", "test_accuracy", "classes", "confusion"}


def solve(params, inputs=None):
    validated = NetworkPlugin.validate(params, inputs or {})
    return NetworkPlugin().solve(validated, inputs or {}, no_progress)


def test_a_regression_meets_the_contract_and_reports_its_keys_and_arrays():
    result = check_plugin(NetworkPlugin, {"data": "polynomial", "hidden": [8, 4], "epochs": 5})
    summary, arrays = result.summary, result.arrays
    assert set(summary) >= REGRESSION_KEYS
    assert summary["parameters"] == (1 + 1) * 8 + (8 + 1) * 4 + (4 + 1) * 1
    assert summary["epochs"] == 5 and summary["task"] == "regression"
    assert set(arrays) == {
        "loss_history",
        "test_loss_history",
        "test_predictions",
        "weights_1",
        "biases_1",
        "weights_2",
        "biases_2",
        "weights_3",
        "biases_3",
        "scaler_offset",
        "scaler_scale",
    }
    assert arrays["loss_history"].shape == arrays["test_loss_history"].shape == (5,)
    assert arrays["test_predictions"].shape == (20,)
    assert summary["test_loss"] == pytest.approx(summary["test_mse"], rel=1e-12)
    assert summary["test_loss"] == pytest.approx(arrays["test_loss_history"][-1], rel=1e-12)


def test_a_classification_meets_the_contract_and_maps_text_labels_back():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((90, 2))
    labels = np.array(["cat", "dog", "eel"])[np.argmax(inputs @ [[1, -1, 0], [0, 1, -1]], 1)]
    result = check_plugin(
        NetworkPlugin,
        {"task": "classification", "hidden": [16], "epochs": 100, "keep_data": True},
        {"X": inputs, "y": labels},
    )
    summary, arrays = result.summary, result.arrays
    assert set(summary) >= CLASSIFICATION_KEYS
    assert summary["classes"] == ["cat", "dog", "eel"]
    assert arrays["test_predictions"].dtype.kind == "U"
    assert arrays["test_probabilities"].shape == (18, 3)
    np.testing.assert_allclose(arrays["test_probabilities"].sum(axis=1), 1.0)
    metrics = pytest.importorskip("sklearn.metrics")
    truth, predicted = arrays["y_test"], arrays["test_predictions"]
    expected = metrics.confusion_matrix(truth, predicted, labels=summary["classes"])
    assert summary["confusion"] == expected.tolist()
    assert summary["test_accuracy"] == pytest.approx(metrics.accuracy_score(truth, predicted))
    # stratified: each class keeps its share of the 18 test rows
    shares = [np.mean(labels == c) * 18 for c in summary["classes"]]
    counts = [np.sum(truth == c) for c in summary["classes"]]
    assert np.all(np.abs(np.array(counts) - shares) <= 1)


def franke_split(params):
    result = solve({**params, "keep_data": True})
    return result, result.arrays


def test_franke_test_mse_is_within_20_percent_of_scikit_learns_mlp_regressor():
    neural_network = pytest.importorskip("sklearn.neural_network")
    params = {"data": "franke", "n": 625, "noise": 0.05, "hidden": [30, 30], "epochs": 150}
    result, arrays = franke_split(params)
    scaled = [
        (arrays[k] - arrays["scaler_offset"]) / arrays["scaler_scale"]
        for k in ("X_train", "X_test")
    ]
    reference = neural_network.MLPRegressor(
        hidden_layer_sizes=(30, 30),
        activation="logistic",
        solver="adam",
        learning_rate_init=0.001,
        batch_size=32,
        max_iter=150,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )
    with pytest.warns(UserWarning):  # scikit-learn: the iterations ran out (as asked)
        reference.fit(scaled[0], arrays["y_train"])
    reference_mse = np.mean((reference.predict(scaled[1]) - arrays["y_test"]) ** 2)
    assert result.summary["test_mse"] == pytest.approx(reference_mse, rel=0.2)


@pytest.mark.parametrize(
    ("data", "hidden", "epochs"), [("breast_cancer", [30], 100), ("digits", [50], 60)]
)
def test_classification_accuracy_is_at_least_95_percent_and_near_mlp_classifiers(
    data, hidden, epochs
):
    neural_network = pytest.importorskip("sklearn.neural_network")
    params = {"data": data, "hidden": hidden, "epochs": epochs, "keep_data": True}
    result = solve(params)
    arrays = result.arrays
    scaled = [
        (arrays[k] - arrays["scaler_offset"]) / arrays["scaler_scale"]
        for k in ("X_train", "X_test")
    ]
    reference = neural_network.MLPClassifier(
        hidden_layer_sizes=tuple(hidden),
        activation="logistic",
        solver="adam",
        learning_rate_init=0.001,
        batch_size=32,
        max_iter=epochs,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )
    with pytest.warns(UserWarning):
        reference.fit(scaled[0], arrays["y_train"])
    reference_accuracy = reference.score(scaled[1], arrays["y_test"])
    accuracy = result.summary["test_accuracy"]
    assert accuracy >= 0.95
    assert accuracy >= reference_accuracy - 0.02


@pytest.mark.parametrize(("data", "train_rows"), [("breast_cancer", 456), ("digits", 1438)])
def test_no_hidden_layer_is_logistic_regression_as_scikit_learns(data, train_rows):
    linear_model = pytest.importorskip("sklearn.linear_model")
    # LogisticRegression(C=1) minimises the mean cross-entropy + ||w||^2 / (2 n C)
    lam = 1 / (2 * train_rows)
    params = {"data": data, "hidden": [], "epochs": 200, "lambda": lam, "keep_data": True}
    result = solve(params)
    arrays = result.arrays
    assert len(arrays["y_train"]) == train_rows
    assert result.summary["parameters"] == (30 + 1 if data == "breast_cancer" else 65 * 10)
    scaled = [
        (arrays[k] - arrays["scaler_offset"]) / arrays["scaler_scale"]
        for k in ("X_train", "X_test")
    ]
    reference = linear_model.LogisticRegression(C=1.0, max_iter=5000)
    reference.fit(scaled[0], arrays["y_train"])
    reference_accuracy = reference.score(scaled[1], arrays["y_test"])
    assert abs(result.summary["test_accuracy"] - reference_accuracy) <= 0.02


def test_autograd_trains_the_same_network():
    params = {"data": "breast_cancer", "hidden": [4], "epochs": 2, "batch_size": 64}
    analytic = solve(params).arrays
    automatic = solve({**params, "gradient": "autograd"}).arrays
    np.testing.assert_allclose(automatic["loss_history"], analytic["loss_history"], rtol=1e-10)
    np.testing.assert_allclose(automatic["weights_1"], analytic["weights_1"], rtol=1e-9)


def test_predictions_apply_the_stored_network_and_scaling_to_new_rows():
    params = NetworkPlugin.validate(
        {"data": "breast_cancer", "hidden": [8], "epochs": 20, "keep_data": True}
    )
    result = NetworkPlugin().solve(params, {}, no_progress)
    predicted = NetworkPlugin().predict(params, result, {"X": result.arrays["X_test"]})
    np.testing.assert_array_equal(predicted["predictions"], result.arrays["test_predictions"])
    np.testing.assert_allclose(predicted["probabilities"], result.arrays["test_probabilities"])


def test_divergence_fails_the_job_at_once_naming_eta():
    params = {"data": "polynomial", "coefficients": [0, 1e3], "optimizer": "gd", "eta": 10.0}
    with pytest.raises(SolveFailed, match=r"^diverged in epoch \d+: .*\(eta = 10\)"):
        solve({**params, "activation": "relu", "scale": "none", "epochs": 500})


def test_early_stopping_stops_before_the_epochs_run_out():
    result = solve(
        {
            "data": "franke",
            "n": 200,
            "noise": 0.3,
            "hidden": [64],
            "eta": 0.01,
            "epochs": 3000,
            "validation_fraction": 0.25,
            "patience": 5,
        }
    )
    assert result.summary["status"] == "converged"
    assert result.summary["epochs"] < 3000
    assert "early stopping" in result.summary["reason"]


def test_defaults_follow_the_data_and_the_activation():
    assert NetworkPlugin.validate({"data": "digits"}).task == "classification"
    assert NetworkPlugin.validate({"data": "franke"}).task == "regression"
    assert NetworkPlugin.validate({"data": "franke", "activation": "relu"}).init == "he"
    assert NetworkPlugin.validate({"data": "franke", "activation": "tanh"}).init == "xavier"


def test_the_scikit_learn_data_sets_name_the_extra_when_scikit_learn_is_missing(monkeypatch):
    def missing(name):
        raise ImportError(name)

    monkeypatch.setattr(data_preparation.importlib, "import_module", missing)
    with pytest.raises(RejectedRequest, match=r"pip install 'solverq\[datasets\]'$"):
        NetworkPlugin.validate({"data": "breast_cancer"})


@pytest.mark.parametrize(
    ("params", "inputs", "message"),
    [
        (
            {"task": "classification"},
            {"x": np.ones(5), "y": np.ones(5)},
            r"^classification needs 2 to 1000 classes; the labels hold 1$",
        ),
        ({"data": "digits", "hidden": [100_000, 100_000]}, {}, r"^the network would have about"),
        ({"data": "digits", "noise": 0.2}, {}, r"^parameter 'noise' of ffnn applies to generated"),
        (
            {},
            {"x": np.array(["a", "b"]), "y": np.ones(2)},
            r"^column 'x' holds text \('a' in its first row\)",
        ),
        ({"data": "franke", "activation": "softsign"}, {}, r"^parameter 'activation' of ffnn"),
        ({"data": "franke", "hidden": [0]}, {}, r"^parameter 'hidden\[0\]' of ffnn must be"),
        (
            {"data": "polynomial", "n": 50, "test_size": 0.99},
            {},
            r"^0 training samples are too few for a network; test_size=0.99 holds out 50 of",
        ),
        (
            {"data": "polynomial", "n": 10, "validation_fraction": 0.95},
            {},
            r"^0 training samples are too few for a network; validation_fraction=0.95 holds out",
        ),
        (
            {"data": "polynomial", "n": 10, "validation_fraction": 0.01},
            {},
            r"^validation_fraction=0.01 holds out none of the 8 training samples; early stopping",
        ),
        (
            {"data": "breast_cancer", "test_size": 0.999},
            {},
            r"^1 training samples are too few for the 2 classes; test_size=0.999 holds out 568",
        ),
        (
            {"data": "polynomial", "task": "classification"},
            {},
            r"^data=polynomial generates continuous targets, not classes: use task=regression$",
        ),
        (
            {"task": "classification"},
            {"x": np.arange(6.0), "y": np.array([0, 1, 0, 1, 0.5, 1])},
            r"^the targets hold numbers that are not class labels \(0.5\); .* task=regression$",
        ),
    ],
)
def test_bad_requests_are_refused_in_one_line(params, inputs, message):
    with pytest.raises(RejectedRequest, match=message) as error:
        NetworkPlugin.validate(params, inputs)
    assert "\n" not in str(error.value)


def test_a_regression_on_the_class_numbers_of_breast_cancer_trains_as_scikit_learns():
    neural_network = pytest.importorskip("sklearn.neural_network")
    result = solve({"data": "breast_cancer", "task": "regression", "keep_data": True})
    arrays = result.arrays
    scaled = [
        (arrays[k] - arrays["scaler_offset"]) / arrays["scaler_scale"]
        for k in ("X_train", "X_test")
    ]
    reference = neural_network.MLPRegressor(
        hidden_layer_sizes=(50,), activation="logistic", max_iter=200, random_state=0
    ).fit(scaled[0], arrays["y_train"])
    reference_mse = np.mean((reference.predict(scaled[1]) - arrays["y_test"]) ** 2)
    mean_mse = np.mean((arrays["y_train"].mean() - arrays["y_test"]) ** 2)
    assert result.summary["test_samples"] == 114
    assert result.summary["test_mse"] < 1.2 * reference_mse
    assert result.summary["test_mse"] < mean_mse / 5


def test_classes_of_one_row_split_without_stratification_and_say_so():
    labels = np.repeat(np.arange(5), [40, 40, 1, 1, 1])
    inputs = {"x": labels + np.linspace(0, 0.1, len(labels)), "y": labels}
    result = solve({"task": "classification", "epochs": 5}, inputs)
    assert result.summary["test_samples"] == round(0.2 * len(labels))
    assert result.summary["warnings"] == [
        "the test set is drawn without regard to class: 3 of the 5 classes have a single row"
    ]
