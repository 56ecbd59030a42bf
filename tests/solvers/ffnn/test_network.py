import numpy as np
import pytest
from scipy.special import expit, softmax

from solverq.solvers.ffnn.network import initial_network


def test_predict_is_the_forward_pass_written_out():
    network = initial_network([3, 4, 2], "tanh", "softmax", "xavier", seed=0)
    inputs = np.random.default_rng(1).standard_normal((5, 3))
    (w1, w2), (b1, b2) = network.weights, network.biases
    expected = softmax(np.tanh(inputs @ w1 + b1) @ w2 + b2, axis=1)
    np.testing.assert_allclose(network.predict(inputs), expected, rtol=1e-14)


def test_no_hidden_layer_is_logistic_regression():
    network = initial_network([3, 1], "relu", "sigmoid", "normal", seed=0)
    inputs = np.random.default_rng(1).standard_normal((5, 3))
    expected = expit(inputs @ network.weights[0] + network.biases[0])
    np.testing.assert_allclose(network.predict(inputs), expected, rtol=1e-14)
    assert network.size == 4


@pytest.mark.parametrize(
    ("init", "variance"), [("xavier", 2 / (400 + 300)), ("he", 2 / 400), ("normal", 1.0)]
)
def test_initial_weights_have_the_variance_of_their_scheme(init, variance):
    network = initial_network([400, 300, 1], "relu", "identity", init, seed=0)
    assert np.var(network.weights[0]) == pytest.approx(variance, rel=0.02)
    np.testing.assert_array_equal(network.biases[0], 0.01)
    assert network.size == 400 * 300 + 300 + 300 + 1
