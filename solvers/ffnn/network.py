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
    """Weights and biases layer by layer (the output layer last), the hidden activation by name
    and the output kind. Training updates the arrays in place."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    output: OutputKind

    @property
    def parameters(self) -> list[np.ndarray]:
        """W_1, b_1, W_2, b_2, ...: the arrays an optimiser moves."""
        return [array for layer in zip(self.weights, self.biases, strict=True) for array in layer]

    @property
    def size(self) -> int:
        """The number of weights and biases."""
        return sum(array.size for array in self.parameters)

    def copy(self) -> Network:
        return Network(
            [w.copy() for w in self.weights],
            [b.copy() for b in self.biases],
            self.activation,
            self.output,
        )

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
    return Network(weights, biases, activation, output)
