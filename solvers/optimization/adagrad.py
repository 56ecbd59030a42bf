"""Adagrad: every parameter gets its own rate, shrinking with its accumulated squared gradient,

    r_{k+1} = r_k + g_k^2,   theta_{k+1} = theta_k - eta_k g_k / (epsilon + sqrt(r_{k+1})),

elementwise, with r_0 = 0. The recommended initial rate is eta = 0.01. Reference: J. Duchi,
E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning and stochastic
optimization", JMLR 12, 2011; I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning", MIT
Press 2016, section 8.5.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from solverq.solvers.optimization import Shapes, Step, descend_by_root, zeros_like_shapes


@dataclass(frozen=True)
class Adagrad:
    epsilon: float = 1e-8
    default_eta: ClassVar[float | None] = 0.01

    def start(self, shapes: Shapes) -> Step:
        accumulated = zeros_like_shapes(shapes)
        scratch = zeros_like_shapes(shapes)

        def step(
            parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
        ) -> None:
            for theta, gradient, total, change in zip(
                parameters, gradients, accumulated, scratch, strict=True
            ):
                np.multiply(gradient, gradient, out=change)
                total += change
                descend_by_root(theta, gradient, total, change, eta, self.epsilon)

        return step
