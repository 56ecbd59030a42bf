"""The cost and its gradient on a batch by backpropagation, vectorised over the rows, in buffers
allocated once for the largest batch.

With the output error delta_L = c (p - Y)/m (see `outputs`), going back through the layers:

    dC/dW_l = a_{l-1}^T delta_l + 2 lambda W_l,    dC/db_l = sum over rows of delta_l,
    delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1}),

for the cost C + lambda sum_l ||W_l||^2 (L2 on the weights, not the biases). Reference:
D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating
errors", Nature 323, 1986; M. Nielsen, "Neural Networks and Deep Learning", 2015, chapter 2.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.ffnn.activations import ACTIVATIONS
from solverq.solvers.ffnn.network import OUTPUTS, Network, layer_views


class Backpropagation:
    """Loss and gradient of `network` on batches of at most `rows` rows; after each call
    `vector` holds the gradient in the layout of `network.vector`, and `gradients` views of it,
    dC/dW_1, dC/db_1, ..., in the order of `network.parameters`."""

    def __init__(self, network: Network, lam: float, rows: int) -> None:
        self.network = network
        self.lam = lam
        self.activation = ACTIVATIONS[network.activation]
        self.output = OUTPUTS[network.output]
        widths = [w.shape[1] for w in network.weights]
        self.z = [np.empty((rows, n)) for n in widths]
        self.a = [np.empty((rows, n)) for n in widths]
        self.delta = [np.empty((rows, n)) for n in widths]
        self.slope = [np.empty((rows, n)) for n in widths[:-1]]
        self.vector = np.empty_like(network.vector)
        self.gradients = layer_views(self.vector, [network.weights[0].shape[0], *widths])
        self.weight_gradients = self.gradients[0::2]
        self.bias_gradients = self.gradients[1::2]

    def loss(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        """The cost C on the batch, without the penalty (the forward pass alone)."""
        outputs = self._forward(inputs)
        return self.output.loss(self.z[-1][: len(inputs)], outputs, targets)

    def penalty(self) -> float:
        """lambda sum_l ||W_l||^2."""
        return self.lam * sum(float(np.vdot(w, w)) for w in self.network.weights)

    def __call__(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        """The cost C on the batch (m rows of inputs and targets), without the penalty, and the
        gradient of C + lambda sum ||W_l||^2 in `gradients`."""
        m = len(inputs)
        network, last = self.network, len(self.network.weights) - 1
        values = self._forward(inputs)
        loss = self.output.loss(self.z[last][:m], values, targets)
        delta = self.delta[last][:m]
        np.subtract(values, targets, out=delta)
        delta *= self.output.error_factor / m
        for layer in range(last, -1, -1):
            below = inputs if layer == 0 else self.a[layer - 1][:m]
            np.matmul(below.T, delta, out=self.weight_gradients[layer])
            np.add.reduce(delta, axis=0, out=self.bias_gradients[layer])
            if self.lam:
                self.weight_gradients[layer] += (2.0 * self.lam) * network.weights[layer]
            if layer > 0:
                earlier = self.delta[layer - 1][:m]
                np.matmul(delta, network.weights[layer].T, out=earlier)
                slope = self.slope[layer - 1][:m]
                self.activation.derivative(self.z[layer - 1][:m], below, out=slope)
                earlier *= slope
                delta = earlier
        return loss

    def _forward(self, inputs: np.ndarray) -> np.ndarray:
        """The outputs p of the batch; z_l and a_l of every layer stay in the buffers."""
        m = len(inputs)
        last = len(self.network.weights) - 1
        values = inputs
        for layer, (weights, biases) in enumerate(
            zip(self.network.weights, self.network.biases, strict=True)
        ):
            z, a = self.z[layer][:m], self.a[layer][:m]
            np.matmul(values, weights, out=z)
            z += biases
            if layer < last:
                self.activation.forward(z, out=a)
            else:
                self.output.forward(z, out=a)
            values = a
        return values
