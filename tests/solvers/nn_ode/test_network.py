"""The network's closed-form x-derivatives against autograd, its reverse pass against finite
differences, and the activations' derivatives against autograd."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad

from solverq.solvers.nn_ode.activations import ACTIVATIONS
from solverq.solvers.nn_ode.network import (
    Network,
    network_backward,
    network_forward,
    network_jacobian,
)

REFERENCE = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "sin": anp.sin,
    "softplus": lambda z: anp.log1p(anp.exp(z)),
}
SHAPES = [(10,), (5, 4), (3, 4, 2)]


def reference_network(network: Network, p: np.ndarray):
    """N(x) written out layer by layer with autograd.numpy, for autograd to differentiate."""
    sigma = REFERENCE[network.activation]
    layers = network.layers(p)

    def value(x):
        a = anp.reshape((x - network.x0) / network.length, (1, -1))
        for w, b in layers[:-1]:
            a = sigma(anp.dot(w, a) + b)
        return anp.dot(layers[-1][0], a) + layers[-1][1]

    return value


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivatives_agree_with_autograd(name: str) -> None:
    z = np.linspace(-6, 6, 41)
    first = elementwise_grad(REFERENCE[name])
    second = elementwise_grad(first)
    third = elementwise_grad(second)
    values = ACTIVATIONS[name](z)
    for computed, reference in zip(values, (REFERENCE[name], first, second, third), strict=True):
        np.testing.assert_allclose(computed, reference(z), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("hidden", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_x_derivatives_agree_with_autograd(hidden: tuple[int, ...], activation: str) -> None:
    network = Network(hidden, 2, activation, x0=0.5, length=2.0)
    p = np.random.default_rng(1).normal(size=network.size)
    x = np.linspace(0.5, 2.5, 7)
    outputs = network_forward(network, p, x, 2).outputs
    value = reference_network(network, p)
    for k in range(2):
        first = elementwise_grad(lambda x, k=k: value(x)[k])
        second = elementwise_grad(first)
        np.testing.assert_allclose(outputs[0][k], value(x)[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(outputs[1][k], first(x), rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(outputs[2][k], second(x), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("order", [0, 1, 2])
@pytest.mark.parametrize("hidden", SHAPES)
def test_reverse_pass_agrees_with_finite_differences(hidden: tuple[int, ...], order: int) -> None:
    network = Network(hidden, 2, "tanh", x0=-1.0, length=3.0)
    rng = np.random.default_rng(2)
    p = rng.normal(size=network.size)
    x = np.linspace(-1.0, 2.0, 6)
    cotangent = rng.normal(size=(order + 1, 2, len(x)))

    def pairing(p: np.ndarray) -> float:
        outputs = network_forward(network, p, x, order).outputs
        return sum(float(np.sum(c * n)) for c, n in zip(cotangent, outputs, strict=True))

    gradient = network_backward(network, p, network_forward(network, p, x, order), list(cotangent))
    step = 1e-6
    differences = [
        (pairing(p + step * e) - pairing(p - step * e)) / (2 * step) for e in np.eye(network.size)
    ]
    np.testing.assert_allclose(gradient, differences, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("order", [0, 1, 2])
@pytest.mark.parametrize("hidden", SHAPES)
def test_point_by_point_jacobian_agrees_with_finite_differences(
    hidden: tuple[int, ...], order: int
) -> None:
    network = Network(hidden, 2, "sigmoid", x0=-1.0, length=3.0)
    rng = np.random.default_rng(3)
    p = rng.normal(size=network.size)
    x = np.linspace(-1.0, 2.0, 6)
    cotangent = rng.normal(size=(order + 1, 2, len(x)))

    def pointwise(p: np.ndarray) -> np.ndarray:
        outputs = network_forward(network, p, x, order).outputs
        return sum(np.sum(c * n, axis=0) for c, n in zip(cotangent, outputs, strict=True))

    jacobian = network_jacobian(network, p, network_forward(network, p, x, order), list(cotangent))
    step = 1e-6
    differences = np.stack(
        [(pointwise(p + step * e) - pointwise(p - step * e)) / (2 * step) for e in np.eye(p.size)],
        axis=1,
    )
    assert jacobian.shape == (len(x), network.size)
    np.testing.assert_allclose(jacobian, differences, rtol=1e-6, atol=1e-8)
    # Summed over the points it is the reverse pass.
    gradient = network_backward(network, p, network_forward(network, p, x, order), list(cotangent))
    np.testing.assert_allclose(jacobian.sum(axis=0), gradient, rtol=1e-12, atol=1e-12)


def test_layout_counts_every_weight_and_bias() -> None:
    network = Network((10,), 1, "sigmoid", 0.0, 1.0)
    assert network.size == 10 + 10 + 10 + 1  # w, b, v, c of Lagaris et al.
    assert Network((5, 4), 3, "tanh", 0.0, 1.0).size == (5 + 5) + (4 * 5 + 4) + (3 * 4 + 3)


def test_initial_network_is_zero_and_seeded() -> None:
    network = Network((8, 6), 2, "sigmoid", 0.0, 1.0)
    p = network.initial_parameters(np.random.default_rng(7))
    assert p.shape == (network.size,)
    np.testing.assert_array_equal(network.value(p, np.linspace(0, 1, 5)), np.zeros((2, 5)))
    np.testing.assert_array_equal(p, network.initial_parameters(np.random.default_rng(7)))
    assert np.any(p != network.initial_parameters(np.random.default_rng(8)))


def test_a_widened_network_computes_the_same_function() -> None:
    network = Network((4, 3), 2, "tanh", 0.5, 2.0)
    rng = np.random.default_rng(1)
    p = rng.normal(size=network.size)
    wider, q = network.widened(p, 5, rng)
    assert wider.hidden == (4, 8) and len(q) == wider.size
    x = np.linspace(0.5, 2.5, 9)
    before = network_forward(network, p, x, 2).outputs
    after = network_forward(wider, q, x, 2).outputs
    for value, same in zip(before, after, strict=True):
        np.testing.assert_allclose(same, value, rtol=1e-14, atol=1e-14)
