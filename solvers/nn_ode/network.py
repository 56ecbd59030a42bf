"""A fully connected network N(x, p) of one input and m outputs, with its x-derivatives.

The input is the scaled abscissa t = (x - x0)/L on the domain [x0, x0 + L]; the hidden layers
apply a smooth activation s(z), the output layer is linear. The x-derivatives are carried forward
through the layers alongside the values, for all collocation points at once:

    a_0 = t,  a_0' = 1/L,  a_0'' = 0
    z = W a + b,  z' = W a',  z'' = W a''
    a_next = s(z),  a_next' = s'(z) z',  a_next'' = s''(z) z'² + s'(z) z''

For one hidden layer these are the closed forms of Lagaris et al. (1998): N = v·s(wt + b) + c,
N' = v·(w s'(z))/L, N'' = v·(w² s''(z))/L². `network_backward` is the vector-Jacobian product
with respect to the flat parameter vector p: the same recursion run in reverse, in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from solverq.solvers.nn_ode.activations import ACTIVATIONS, Derivatives

Layer = tuple[np.ndarray, np.ndarray]

FIRST_LAYER_SCALE = 8.0
"""The standard deviation of the first layer's weights on the scaled input t in [0, 1]."""


def hidden_layer(
    rng: np.random.Generator, rows: int, columns: int, *, first: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ~ N(0, 1/fan-in) and zero biases; in the first layer weights ~ N(0, s²), s =
    FIRST_LAYER_SCALE, and biases placing each unit's turn at a uniform random t in [0, 1]. Units
    that turn within a fraction 1/s of the domain can follow a solution that changes many times
    across it, where weights of order one would make every unit nearly linear there."""
    if not first:
        return rng.normal(0.0, 1.0 / np.sqrt(columns), (rows, columns)), np.zeros(rows)
    weights = rng.normal(0.0, FIRST_LAYER_SCALE, (rows, columns))
    return weights, -weights[:, 0] * rng.uniform(0.0, 1.0, rows)


@dataclass(frozen=True)
class Network:
    """Layer widths `hidden`, `outputs` outputs, activation by name, on the domain [x0, x0 + L]."""

    hidden: tuple[int, ...]
    outputs: int
    activation: str
    x0: float
    length: float

    @cached_property
    def shapes(self) -> list[tuple[int, int]]:
        """(fan-out, fan-in) of each layer's weight matrix, the output layer last."""
        widths = (1, *self.hidden, self.outputs)
        return list(zip(widths[1:], widths[:-1], strict=True))

    @property
    def size(self) -> int:
        """How many parameters p holds: weights and biases of every layer."""
        return sum(rows * (columns + 1) for rows, columns in self.shapes)

    def layers(self, p: np.ndarray) -> list[Layer]:
        """The weight matrix and bias column of each layer, read from the flat vector p."""
        layers = []
        start = 0
        for rows, columns in self.shapes:
            weights = p[start : start + rows * columns].reshape(rows, columns)
            start += rows * columns
            layers.append((weights, p[start : start + rows].reshape(rows, 1)))
            start += rows
        return layers

    def initial_parameters(self, rng: np.random.Generator) -> np.ndarray:
        """Random hidden layers (`hidden_layer`) and a zero output layer: the search starts from
        the trial function A(x), which meets the conditions and nothing else."""
        parts = []
        for depth, (rows, columns) in enumerate(self.shapes[:-1]):
            weights, biases = hidden_layer(rng, rows, columns, first=depth == 0)
            parts += [weights.ravel(), biases]
        rows, columns = self.shapes[-1]
        parts.append(np.zeros(rows * (columns + 1)))
        return np.concatenate(parts)

    def widened(
        self, p: np.ndarray, units: int, rng: np.random.Generator
    ) -> tuple[Network, np.ndarray]:
        """This network with `units` more units in its last hidden layer, and parameters that
        give the same N(x): the new units are random (`hidden_layer`) and their output weights
        zero, so training goes on from where it was."""
        *hidden, (v, c) = self.layers(p)
        w, b = hidden[-1]
        new_w, new_b = hidden_layer(rng, units, w.shape[1], first=len(hidden) == 1)
        hidden[-1] = (np.vstack([w, new_w]), np.concatenate([b[:, 0], new_b])[:, None])
        v = np.hstack([v, np.zeros((v.shape[0], units))])
        widths = (*self.hidden[:-1], self.hidden[-1] + units)
        wider = replace(self, hidden=widths)
        parts = [array.ravel() for layer in [*hidden, (v, c)] for array in layer]
        return wider, np.concatenate(parts)

    def value(self, p: np.ndarray, x: np.ndarray) -> np.ndarray:
        """N(x, p), shaped (outputs, len(x))."""
        return network_forward(self, p, x, 0).outputs[0]


@dataclass(frozen=True)
class LayerRecord:
    """What the reverse pass needs of a hidden layer: its inputs [a, a', a''], pre-activations
    [z, z', z''] and the activation's value and first three derivatives at z."""

    inputs: list[np.ndarray]
    pre_activations: list[np.ndarray]
    activation: Derivatives


@dataclass(frozen=True)
class Forward:
    """A forward pass: the outputs [N, N', N''], each (outputs, points), and its records."""

    outputs: list[np.ndarray]
    tape: list[LayerRecord] = field(repr=False)
    last_hidden: list[np.ndarray] = field(repr=False)


def network_forward(network: Network, p: np.ndarray, x: np.ndarray, order: int) -> Forward:
    """N and its x-derivatives up to `order` (at most 2) at the points x."""
    activation = ACTIVATIONS[network.activation]
    t = ((np.asarray(x, dtype=float) - network.x0) / network.length).reshape(1, -1)
    a = [t, np.full_like(t, 1.0 / network.length), np.zeros_like(t)][: order + 1]
    *hidden, (v, c) = network.layers(p)
    tape: list[LayerRecord] = []
    for w, b in hidden:
        z = [w @ ak for ak in a]
        z[0] += b
        sigma = activation(z[0])
        tape.append(LayerRecord(a, z, sigma))
        s, ds, d2s, _ = sigma
        a = [s]
        if order >= 1:
            a.append(ds * z[1])
        if order >= 2:
            a.append(d2s * z[1] ** 2 + ds * z[2])
    outputs = [v @ ak for ak in a]
    outputs[0] += c
    return Forward(outputs, tape, a)


def network_backward(
    network: Network, p: np.ndarray, forward: Forward, cotangent: list[np.ndarray]
) -> np.ndarray:
    """∂/∂p of Σ_k <cotangent_k, N^(k)>, the forward pass `forward` differentiated in reverse."""
    *hidden, (v, _) = network.layers(p)
    weights_bar = sum(g @ ak.T for g, ak in zip(cotangent, forward.last_hidden, strict=True))
    gradient = [weights_bar.ravel(), cotangent[0].sum(axis=1)]
    abar = [v.T @ g for g in cotangent]
    for (w, _), record in zip(reversed(hidden), reversed(forward.tape), strict=True):
        a, zbar = record.inputs, _pre_activation_cotangents(record, abar)
        weights_bar = sum(zk @ ak.T for zk, ak in zip(zbar, a, strict=True))
        gradient = [weights_bar.ravel(), zbar[0].sum(axis=1), *gradient]
        abar = [w.T @ zk for zk in zbar]
    return np.concatenate(gradient)


def network_jacobian(
    network: Network, p: np.ndarray, forward: Forward, cotangent: list[np.ndarray]
) -> np.ndarray:
    """(points, parameters): row i is ∂/∂p of Σ_k <cotangent_k[:, i], N^(k)(x_i)>, point by
    point. N at x_i depends on x_i alone, so this is `network_backward` with the sums over the
    points left out: the rows of the Jacobian of a pointwise residual, all in one pass."""
    *hidden, (v, _) = network.layers(p)
    points = cotangent[0].shape[1]

    def outer(rows: list[np.ndarray], columns: list[np.ndarray]) -> np.ndarray:
        total = sum(np.einsum("ri,ci->irc", r, c) for r, c in zip(rows, columns, strict=True))
        return np.reshape(total, (points, -1))

    jacobian = [outer(cotangent, forward.last_hidden), cotangent[0].T]
    abar = [v.T @ g for g in cotangent]
    for (w, _), record in zip(reversed(hidden), reversed(forward.tape), strict=True):
        a, zbar = record.inputs, _pre_activation_cotangents(record, abar)
        jacobian = [outer(zbar, a), zbar[0].T, *jacobian]
        abar = [w.T @ zk for zk in zbar]
    return np.concatenate(jacobian, axis=1)


def _pre_activation_cotangents(record: LayerRecord, abar: list[np.ndarray]) -> list[np.ndarray]:
    """The cotangents of [z, z', z''] from those of the layer's outputs [a, a', a'']: the
    transpose of a = s(z), a' = s'(z) z', a'' = s''(z) z'² + s'(z) z'', point by point."""
    z, (_, ds, d2s, d3s) = record.pre_activations, record.activation
    zbar = [abar[0] * ds]
    if len(z) >= 2:
        zbar[0] = zbar[0] + abar[1] * d2s * z[1]
        zbar.append(abar[1] * ds)
    if len(z) >= 3:
        zbar[0] = zbar[0] + abar[2] * (d3s * z[1] ** 2 + d2s * z[2])
        zbar[1] = zbar[1] + abar[2] * 2.0 * d2s * z[1]
        zbar.append(abar[2] * ds)
    return zbar
