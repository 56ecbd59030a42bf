"""Output layers with their costs, on a batch of m rows with pre-activations z (m x K) and
targets Y (m x K: values, 0/1 labels, or one-hot rows):

- identity + mean squared error:  p = z,  C = (1/m) sum_i ||p_i - y_i||^2
- sigmoid + binary cross-entropy: p = 1/(1 + e^-z), C = -(1/m) sum_i [y log p + (1 - y) log(1 - p)],
                                  computed as (1/m) sum_i [log(1 + e^z) - y z]
- softmax + cross-entropy:        p_k = e^z_k / sum_j e^z_j,  C = -(1/m) sum_i log p_{i, y_i},
                                  computed as (1/m) sum_i [logsumexp(z_i) - z_{i, y_i}]

Each output's error at the last layer is dC/dz = c (p - Y)/m, with c = 2 for the squared error
and c = 1 for the cross-entropies, whose pairing with the sigmoid and softmax cancels f'(z). The
log-sum-exp forms never take the log of an underflowed probability. Reference: C. M. Bishop,
"Pattern Recognition and Machine Learning", Springer 2006, sections 4.3.2-4.3.4 and 5.2.
"""

from __future__ import annotations

from typing import Protocol

import autograd.numpy as anp
import numpy as np
from autograd.scipy.special import logsumexp as traced_logsumexp
from scipy.special import expit


class Output(Protocol):
    error_factor: float

    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        """The outputs p of the pre-activations z, into `out`."""
        ...

    def loss(self, z: np.ndarray, p: np.ndarray, targets: np.ndarray) -> float:
        """The cost C of outputs p (from z) against the targets, averaged over the rows."""
        ...

    def traced_loss(self, z: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """C from z, for autograd."""
        ...


class SquaredError:
    error_factor = 2.0

    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.copyto(out, z)

    def loss(self, z: np.ndarray, p: np.ndarray, targets: np.ndarray) -> float:
        residual = p - targets
        return float(np.vdot(residual, residual)) / len(z)

    def traced_loss(self, z: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return anp.sum((z - targets) ** 2) / z.shape[0]


class BinaryCrossEntropy:
    error_factor = 1.0

    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        expit(z, out=out)

    def loss(self, z: np.ndarray, p: np.ndarray, targets: np.ndarray) -> float:
        return float(np.sum(np.logaddexp(0.0, z) - targets * z)) / len(z)

    def traced_loss(self, z: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return anp.sum(anp.logaddexp(0.0, z) - targets * z) / z.shape[0]


class CrossEntropy:
    error_factor = 1.0

    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)

    def loss(self, z: np.ndarray, p: np.ndarray, targets: np.ndarray) -> float:
        # logsumexp(z_i) = max_k z_ik - log max_k p_ik: the largest p_ik >= 1/K never underflows.
        log_normalisers = z.max(axis=1) - np.log(p.max(axis=1))
        return float(log_normalisers.sum() - np.vdot(z, targets)) / len(z)

    def traced_loss(self, z: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return (anp.sum(traced_logsumexp(z, axis=1)) - anp.sum(z * targets)) / z.shape[0]
