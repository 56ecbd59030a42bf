"""Synthetic regression data: a noisy polynomial in one input and the Franke function in two.

- polynomial: x_i uniform in [0, 1], y_i = sum_k c_k x_i^k + noise * N(0, 1).
- Franke: (x1_i, x2_i) uniform in [0, 1]^2, y_i = f(x1_i, x2_i) + noise * N(0, 1), where

      f(x1, x2) = 3/4 exp(-(9 x1 - 2)^2 / 4 - (9 x2 - 2)^2 / 4)
                + 3/4 exp(-(9 x1 + 1)^2 / 49 - (9 x2 + 1) / 10)
                + 1/2 exp(-(9 x1 - 7)^2 / 4 - (9 x2 - 3)^2 / 4)
                - 1/5 exp(-(9 x1 - 4)^2 - (9 x2 - 7)^2).

Reference: R. Franke, "A critical comparison of some methods for interpolation of scattered
data", Naval Postgraduate School report NPS-53-79-003, 1979.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Seed = int | np.random.SeedSequence


def polynomial_data(
    n: int, coefficients: Sequence[float], noise: float, seed: Seed
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x (n) and responses y (n) of the polynomial with `coefficients` c_0, c_1, ..."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, n)
    y = np.polynomial.polynomial.polyval(x, coefficients) + noise * rng.standard_normal(n)
    return x, y


def franke(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """The Franke function f(x1, x2)."""
    return (
        0.75 * np.exp(-((9 * x1 - 2) ** 2) / 4 - (9 * x2 - 2) ** 2 / 4)
        + 0.75 * np.exp(-((9 * x1 + 1) ** 2) / 49 - (9 * x2 + 1) / 10)
        + 0.5 * np.exp(-((9 * x1 - 7) ** 2) / 4 - (9 * x2 - 3) ** 2 / 4)
        - 0.2 * np.exp(-((9 * x1 - 4) ** 2) - (9 * x2 - 7) ** 2)
    )


def franke_data(n: int, noise: float, seed: Seed) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n x 2) uniform in [0, 1]^2 and responses y (n) of the noisy Franke function."""
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(0.0, 1.0, (n, 2))
    y = franke(inputs[:, 0], inputs[:, 1]) + noise * rng.standard_normal(n)
    return inputs, y
