"""Hidden-layer activations f, with f' for backpropagation, written in place into given buffers,
and once more with `autograd.numpy` so that autograd can differentiate the same network.

- sigmoid:     f = 1/(1 + e^-z),                  f' = f (1 - f)
- tanh:        f = tanh z,                        f' = 1 - f^2
- relu:        f = max(z, 0),                     f' = 1 for z > 0, else 0
- leaky_relu:  f = z for z > 0, else alpha z,     f' = 1 for z > 0, else alpha   (alpha = 0.01)
- elu:         f = z for z > 0, else e^z - 1,     f' = 1 for z > 0, else f + 1

References: I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning", MIT Press 2016, section 6.3;
A. L. Maas, A. Y. Hannun, A. Y. Ng, "Rectifier nonlinearities improve neural network acoustic
models", ICML 2013 (leaky ReLU); D.-A. Clevert, T. Unterthiner, S. Hochreiter, "Fast and accurate
deep network learning by exponential linear units", ICLR 2016 (ELU).
"""

from __future__ import annotations

from typing import Protocol

import autograd.numpy as anp
import numpy as np

LEAKY_SLOPE = 0.01


class Activation(Protocol):
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        """f(z) into `out`."""
        ...

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        """f'(z) into `out`, given a = f(z)."""
        ...

    def traced(self, z: np.ndarray) -> np.ndarray:
        """f(z) for autograd."""
        ...


class Sigmoid:
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        # 1/(1 + e^-z): e^-z overflows to inf for z < -709, and then f = 0 as it should be.
        with np.errstate(over="ignore"):
            np.negative(z, out=out)
            np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        np.multiply(a, a, out=out)
        np.subtract(a, out, out=out)

    def traced(self, z: np.ndarray) -> np.ndarray:
        return 0.5 * (anp.tanh(0.5 * z) + 1.0)


class Tanh:
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.tanh(z, out=out)

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)

    def traced(self, z: np.ndarray) -> np.ndarray:
        return anp.tanh(z)


class ReLU:
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.maximum(z, 0.0, out=out)

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        np.greater(z, 0.0, out=out)

    def traced(self, z: np.ndarray) -> np.ndarray:
        return anp.maximum(z, 0.0)


class LeakyReLU:
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.multiply(z, LEAKY_SLOPE, out=out)
        np.maximum(z, out, out=out)

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        np.greater(z, 0.0, out=out)
        out *= 1.0 - LEAKY_SLOPE
        out += LEAKY_SLOPE

    def traced(self, z: np.ndarray) -> np.ndarray:
        return anp.where(z > 0, z, LEAKY_SLOPE * z)


class ELU:
    def forward(self, z: np.ndarray, out: np.ndarray) -> None:
        np.minimum(z, 0.0, out=out)
        np.expm1(out, out=out)
        np.copyto(out, z, where=z > 0)

    def derivative(self, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
        np.add(a, 1.0, out=out)
        np.copyto(out, 1.0, where=z > 0)

    def traced(self, z: np.ndarray) -> np.ndarray:
        return anp.where(z > 0, z, anp.exp(anp.minimum(z, 0.0)) - 1.0)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Sigmoid(),
    "tanh": Tanh(),
    "relu": ReLU(),
    "leaky_relu": LeakyReLU(),
    "elu": ELU(),
}
