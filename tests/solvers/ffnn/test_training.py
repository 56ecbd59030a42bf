import numpy as np
import pytest

from solverq.solvers.ffnn.network import initial_network
from solverq.solvers.ffnn.training import TrainingSettings, train
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.optimization.gd import GradientDescent
from solverq.solvers.outcome import SolveStatus


def reference_full_batch_gd(weights, biases, inputs, targets, eta, epochs):
    """A two-layer sigmoid network trained by plain full-batch GD on the MSE, written out."""
    w1, w2 = (w.copy() for w in weights)
    b1, b2 = (b.copy() for b in biases)
    n = len(inputs)
    losses = []
    for _ in range(epochs):
        hidden = 1 / (1 + np.exp(-(inputs @ w1 + b1)))
        output = hidden @ w2 + b2
        losses.append(np.mean((output - targets) ** 2))
        error = 2 * (output - targets) / n
        hidden_error = (error @ w2.T) * hidden * (1 - hidden)
        w2, b2 = w2 - eta * hidden.T @ error, b2 - eta * error.sum(0)
        w1, b1 = w1 - eta * inputs.T @ hidden_error, b1 - eta * hidden_error.sum(0)
    return [w1, w2], [b1, b2], losses


def regression_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-1, 1, (n, 2))
    targets = np.sin(2 * inputs[:, :1]) * inputs[:, 1:]
    return inputs, targets


def test_full_batch_gradient_descent_matches_a_reference_written_out():
    inputs, targets = regression_data()
    network = initial_network([2, 8, 1], "sigmoid", "identity", "xavier", seed=0)
    weights, biases, losses = reference_full_batch_gd(
        network.weights, network.biases, inputs, targets, eta=0.5, epochs=40
    )
    settings = TrainingSettings(GradientDescent(), 0.5, epochs=40)
    result = train(network, inputs, targets, inputs[:0], targets[:0], settings)
    np.testing.assert_allclose(result.loss_history, losses, rtol=1e-12)
    for mine, theirs in zip(network.weights + network.biases, weights + biases, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-14)
    assert result.test_loss_history.size == 0
    assert losses[-1] < 0.8 * losses[0]


def test_the_test_loss_is_the_cost_on_the_test_set_after_each_epoch():
    inputs, targets = regression_data(360)  # 300 test rows: evaluated in several chunks
    network = initial_network([2, 8, 1], "tanh", "identity", "xavier", seed=0)
    settings = TrainingSettings(Adam(), 0.01, epochs=3, batch_size=16)
    result = train(network, inputs[:60], targets[:60], inputs[60:], targets[60:], settings)
    final = np.mean((network.predict(inputs[60:]) - targets[60:]) ** 2)
    assert result.test_loss_history[-1] == pytest.approx(final, rel=1e-12)
    assert result.epochs == 3 and result.status is SolveStatus.NOT_CONVERGED


def test_analytic_and_autograd_training_agree():
    inputs, targets = regression_data()
    runs = []
    for gradient in ("analytic", "autograd"):
        network = initial_network([2, 5, 1], "elu", "identity", "he", seed=3)
        settings = TrainingSettings(Adam(), 0.01, epochs=5, batch_size=16, gradient=gradient)
        runs.append((train(network, inputs, targets, inputs[:0], targets[:0], settings), network))
    np.testing.assert_allclose(runs[0][0].loss_history, runs[1][0].loss_history, rtol=1e-10)
    np.testing.assert_allclose(runs[0][1].weights[0], runs[1][1].weights[0], rtol=1e-9)


def test_a_diverging_run_stops_at_once_naming_eta():
    inputs, targets = regression_data()
    network = initial_network([2, 8, 1], "relu", "identity", "he", seed=0)
    settings = TrainingSettings(GradientDescent(), 50.0, epochs=500)
    result = train(network, inputs, targets * 100, inputs[:0], targets[:0], settings)
    assert result.status is SolveStatus.DIVERGED
    assert "eta = 50" in result.reason and result.epochs < 50
    assert np.isfinite(result.loss_history).all()


def test_early_stopping_keeps_the_best_validation_epoch():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((40, 5))
    targets = rng.standard_normal((40, 1))  # noise: the validation loss soon rises
    network = initial_network([5, 64, 1], "relu", "identity", "he", seed=0)
    settings = TrainingSettings(Adam(), 0.01, epochs=2000, validation=0.25, patience=5)
    result = train(network, inputs, targets, inputs[:0], targets[:0], settings)
    assert result.status is SolveStatus.CONVERGED and "early stopping" in result.reason
    assert result.epochs < 2000


@pytest.mark.parametrize(
    ("rows", "validation", "message"),
    [
        (0, 0.0, "no training rows are left to train on"),
        (10, 0.99, "no training rows are left to train on"),
        (10, 0.01, "early stopping needs at least one validation row"),
    ],
)
def test_training_without_rows_to_step_on_or_validate_is_refused(rows, validation, message):
    inputs, targets = regression_data(n=rows)
    network = initial_network([2, 4, 1], "sigmoid", "identity", "xavier", seed=0)
    settings = TrainingSettings(rule=Adam(), eta=0.01, epochs=2, validation=validation)
    with pytest.raises(ValueError, match=message):
        train(network, inputs, targets, inputs[:0], targets[:0], settings)
