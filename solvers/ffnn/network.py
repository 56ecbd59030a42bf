"""A fully connected feed-forward network: its weights, biases, initialisation and forward pass.

For layers l = 1..L with weights W_l (n_{l-1} x n_l) and biases b_l (n_l), on a batch X of rows:

    a_0 = X,   z_l = a_{l-1} W_l + b_l,   a_l = f(z_l) (hidden layers),   p = g(z_L) (output),

with the hidden activation f and the output g of the task (identity, sigmoid or softmax). With
no hidden layer it is linear or logistic regression. Initial weights:

- xavier: uniform on [-r, r] with r = sqrt(6 / (n_in + n_out)), variance 2/(n_in + n_out)
  (X. Glorot, Y. Bengio, AISTATS 2010), for sigmoid and tanh;
- he:     normal with variance 2/n_in (K. He et al., ICCV 2015), for the ReLU family;
- normal: standard normal, as in the course's first networks;

and biases 0.01. Source: FYS-STK3155/4155, University of Oslo, project 2.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from solverq.solvers.ffnn.activations import ACTIVATIONS
from solverq.solvers.ffnn.outputs import BinaryCrossEntropy, CrossEntropy, Output, SquaredError

Initialisation = Literal["xavier", "he", "normal"]
OutputKind = Literal["identity", "sigmoid", "softmax"]
INITIAL_BIAS = 0.01

OUTPUTS: dict[str, Output] = {
    "identity": SquaredError(),
    "sigmoid": BinaryCrossEntropy(),
    "softmax": CrossEntropy(),
}


@dataclass
class Network:
    """All weights and biases in one vector, W_1, b_1, W_2, b_2, ... (the output layer last),
    with views of each layer's; the hidden activation by name and the output kind. Training
    moves the vector in place, so an optimiser takes one step for the whole network."""

    vector: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    output: OutputKind

    @classmethod
    def of_layers(
        cls,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activation: str,
        output: OutputKind,
    ) -> Network:
        """The network of these layers (copied into one vector)."""
        widths = [weights[0].shape[0], *(w.shape[1] for w in weights)]
        vector = np.empty(parameter_count(widths))
        views = layer_views(vector, widths)
        for view, array in zip(views, _interleave(weights, biases), strict=True):
            view[...] = array
        return cls(vector, views[0::2], views[1::2], activation, output)

    @property
    def parameters(self) -> list[np.ndarray]:
        """W_1, b_1, W_2, b_2, ...: views into the vector."""
        return _interleave(self.weights, self.biases)

    @property
    def size(self) -> int:
        """The number of weights and biases."""
        return self.vector.size

    def copy(self) -> Network:
        return Network.of_layers(self.weights, self.biases, self.activation, self.output)

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """The outputs p (m x K) of the rows of `inputs` (m x n_0)."""
        activation = ACTIVATIONS[self.activation]
        values = inputs
        for weights, biases in zip(self.weights[:-1], self.biases[:-1], strict=True):
            z = values @ weights
            z += biases
            activation.forward(z, out=z)
            values = z
        z = values @ self.weights[-1]
        z += self.biases[-1]
        OUTPUTS[self.output].forward(z, out=z)
        return z


def initial_network(
    widths: Sequence[int],
    activation: str,
    output: OutputKind,
    initialisation: Initialisation,
    seed: int | np.random.SeedSequence,
) -> Network:
    """A network of layer widths n_0 (inputs), n_1, ..., n_L (outputs), initialised at random."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(widths):
        if initialisation == "xavier":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        elif initialisation == "he":
            weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))
        else:
            weights.append(rng.standard_normal((fan_in, fan_out)))
        biases.append(np.full(fan_out, INITIAL_BIAS))
    return Network.of_layers(weights, biases, activation, output)


def parameter_count(widths: Sequence[int]) -> int:
    """(n_{l-1} + 1) n_l summed over the layers of widths n_0, ..., n_L."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths))


def layer_views(vector: np.ndarray, widths: Sequence[int]) -> list[np.ndarray]:
    """Views W_1 (n_0 x n_1), b_1 (n_1), W_2, b_2, ... of consecutive parts of `vector`."""
    views, start = [], 0
    for fan_in, fan_out in itertools.pairwise(widths):
        views.append(vector[start : start + fan_in * fan_out].reshape(fan_in, fan_out))
        start += fan_in * fan_out
        views.append(vector[start : start + fan_out])
        start += fan_out
    return views


def _interleave(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [array for layer in zip(weights, biases, strict=True) for array in layer]
