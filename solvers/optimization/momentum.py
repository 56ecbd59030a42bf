"""Gradient descent with momentum (the heavy ball):

    v_{k+1} = gamma v_k + eta_k grad C(theta_k),   theta_{k+1} = theta_k - v_{k+1},   v_0 = 0,

with momentum gamma in [0, 1). Reference: B. T. Polyak, "Some methods of speeding up the
convergence of iteration methods", USSR Comput. Math. Math. Phys. 4(5), 1964.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from solverq.solvers.optimization import Shapes, Step, zeros_like_shapes


@dataclass(frozen=True)
class Momentum:
    momentum: float = 0.9
    default_eta: ClassVar[float | None] = None

    def start(self, shapes: Shapes) -> Step:
        velocities = zeros_like_shapes(shapes)
        scratch = zeros_like_shapes(shapes)

        def step(
            parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
        ) -> None:
            for theta, gradient, velocity, change in zip(
                parameters, gradients, velocities, scratch, strict=True
            ):
                velocity *= self.momentum
                np.multiply(gradient, eta, out=change)
                velocity += change
                theta -= velocity

        return step
