"""The network's cost differentiated by autograd (reverse mode), independently of the
hand-written backpropagation, so that the two can be checked against each other. Reference:
D. Maclaurin, D. Duvenaud, R. P. Adams, "Autograd: effortless gradients in numpy", ICML AutoML
workshop, 2015.
"""

from __future__ import annotations

from collections.abc import Sequence

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

from solverq.solvers.ffnn.activations import ACTIVATIONS
from solverq.solvers.ffnn.network import OUTPUTS, Network, layer_views


def traced_cost(
    parameters: Sequence[np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    activation: str,
    output: str,
    lam: float,
) -> np.ndarray:
    """C + lambda sum ||W_l||^2 of the network whose W_1, b_1, W_2, b_2, ... are `parameters`."""
    weights, biases = parameters[0::2], parameters[1::2]
    values = inputs
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        values = ACTIVATIONS[activation].traced(anp.dot(values, w) + b)
    z = anp.dot(values, weights[-1]) + biases[-1]
    penalty = sum(anp.sum(w * w) for w in weights)
    return OUTPUTS[output].traced_loss(z, targets) + lam * penalty


_cost_and_gradient = value_and_grad(traced_cost)


class AutogradGradient:
    """The call of `Backpropagation` (the cost C without the penalty, the gradient of C plus the
    penalty in `gradients`), with the gradient taken by autograd."""

    def __init__(self, network: Network, lam: float, rows: int) -> None:
        self.network = network
        self.lam = lam
        widths = [network.weights[0].shape[0], *(w.shape[1] for w in network.weights)]
        self.vector = np.empty_like(network.vector)
        self.gradients = layer_views(self.vector, widths)

    def __call__(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        network = self.network
        loss, gradients = _cost_and_gradient(
            network.parameters, inputs, targets, network.activation, network.output, self.lam
        )
        for buffer, gradient in zip(self.gradients, gradients, strict=True):
            buffer[...] = gradient
        return float(loss) - self.lam * sum(float(np.vdot(w, w)) for w in network.weights)
