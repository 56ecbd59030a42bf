import numpy as np
import pytest

from solverq.solvers.ffnn.activations import ACTIVATIONS
from solverq.solvers.ffnn.autodiff import AutogradGradient, traced_cost
from solverq.solvers.ffnn.backprop import Backpropagation
from solverq.solvers.ffnn.network import initial_network

OUTPUTS = [("identity", 2), ("sigmoid", 1), ("softmax", 4)]


def batch(output: str, classes: int, rows: int = 9, seed: int = 0):
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((rows, 3))
    if output == "identity":
        targets = rng.standard_normal((rows, classes))
    elif output == "sigmoid":
        targets = rng.integers(0, 2, (rows, 1)).astype(float)
    else:
        targets = np.eye(classes)[rng.integers(0, classes, rows)]
    return inputs, targets


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("output", "classes"), OUTPUTS)
def test_backpropagation_matches_central_differences(activation, output, classes):
    network = initial_network([3, 5, 4, classes], activation, output, "xavier", seed=1)
    inputs, targets = batch(output, classes)
    backprop = Backpropagation(network, lam=0.05, rows=9)
    backprop(inputs, targets)
    step = 1e-6
    for parameter, gradient in zip(network.parameters, backprop.gradients, strict=True):
        numeric = np.empty_like(parameter)
        for index in np.ndindex(parameter.shape):
            saved = parameter[index]
            costs = []
            for shift in (step, -step):
                parameter[index] = saved + shift
                costs.append(
                    traced_cost(network.parameters, inputs, targets, activation, output, 0.05)
                )
            parameter[index] = saved
            numeric[index] = (costs[0] - costs[1]) / (2 * step)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("output", "classes"), OUTPUTS)
def test_backpropagation_and_autograd_agree_to_rounding(activation, output, classes):
    network = initial_network([3, 6, classes], activation, output, "he", seed=2)
    inputs, targets = batch(output, classes, rows=7, seed=3)
    backprop, automatic = Backpropagation(network, 0.1, 10), AutogradGradient(network, 0.1, 10)
    assert backprop(inputs, targets) == pytest.approx(automatic(inputs, targets), rel=1e-13)
    for mine, theirs in zip(backprop.gradients, automatic.gradients, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_the_cost_is_the_data_cost_and_the_penalty_is_on_weights_only():
    network = initial_network([3, 4, 1], "tanh", "identity", "xavier", seed=0)
    inputs, targets = batch("identity", 1)
    backprop = Backpropagation(network, lam=0.3, rows=9)
    predictions = network.predict(inputs)
    assert backprop(inputs, targets) == pytest.approx(np.mean((predictions - targets) ** 2))
    weights = sum(np.sum(w**2) for w in network.weights)
    assert backprop.penalty() == pytest.approx(0.3 * weights)
    plain = Backpropagation(network, lam=0.0, rows=9)
    plain(inputs, targets)
    for layer, weight in enumerate(network.weights):
        np.testing.assert_allclose(
            backprop.weight_gradients[layer], plain.weight_gradients[layer] + 0.6 * weight
        )
        np.testing.assert_array_equal(backprop.bias_gradients[layer], plain.bias_gradients[layer])


def test_a_short_batch_uses_the_front_of_the_buffers():
    network = initial_network([3, 5, 4], "relu", "softmax", "he", seed=0)
    inputs, targets = batch("softmax", 4, rows=6)
    big, exact = Backpropagation(network, 0.0, 50), Backpropagation(network, 0.0, 6)
    assert big(inputs, targets) == exact(inputs, targets)
    for a, b in zip(big.gradients, exact.gradients, strict=True):
        np.testing.assert_array_equal(a, b)


def test_cross_entropies_match_their_textbook_forms():
    metrics = pytest.importorskip("sklearn.metrics")
    network = initial_network([3, 4, 3], "sigmoid", "softmax", "xavier", seed=5)
    inputs, targets = batch("softmax", 3, rows=20)
    probabilities = network.predict(inputs)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    loss = Backpropagation(network, 0.0, 20).loss(inputs, targets)
    assert loss == pytest.approx(
        metrics.log_loss(targets.argmax(1), probabilities, labels=[0, 1, 2])
    )
    binary = initial_network([3, 4, 1], "sigmoid", "sigmoid", "xavier", seed=5)
    labels = targets[:, :1]
    p = binary.predict(inputs)[:, 0]
    expected = metrics.log_loss(labels[:, 0], p, labels=[0, 1])
    assert Backpropagation(binary, 0.0, 20).loss(inputs, labels) == pytest.approx(expected)
