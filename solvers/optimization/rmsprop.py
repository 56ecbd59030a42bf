"""RMSprop: Adagrad with a decaying average of the squared gradient,

    r_{k+1} = rho r_k + (1 - rho) g_k^2,
    theta_{k+1} = theta_k - eta_k g_k / (epsilon + sqrt(r_{k+1})),

elementwise, with r_0 = 0 and decay rho in [0, 1). The recommended initial rate is
eta = 0.001. Reference: G. Hinton, N. Srivastava, K. Swersky, "Neural networks for machine
learning", lecture 6e, 2012.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from solverq.solvers.optimization import Shapes, Step, descend_by_root, zeros_like_shapes


@dataclass(frozen=True)
class RMSprop:
    rho: float = 0.9
    epsilon: float = 1e-8
    default_eta: ClassVar[float | None] = 0.001

    def start(self, shapes: Shapes) -> Step:
        averages = zeros_like_shapes(shapes)
        scratch = zeros_like_shapes(shapes)

        def step(
            parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
        ) -> None:
            for theta, gradient, average, change in zip(
                parameters, gradients, averages, scratch, strict=True
            ):
                np.multiply(gradient, gradient, out=change)
                change *= 1.0 - self.rho
                average *= self.rho
                average += change
                descend_by_root(theta, gradient, average, change, eta, self.epsilon)

        return step
