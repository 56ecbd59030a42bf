"""Plain gradient descent: theta_{k+1} = theta_k - eta_k grad C(theta_k).

On the full batch it converges on a quadratic cost for eta < 2/lambda_max(H), linearly with
rate max |1 - eta lambda_i(H)|; on mini-batches it is stochastic gradient descent. Source:
FYS-STK3155/4155, University of Oslo, lecture of October 21 (project 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from solverq.solvers.optimization import Shapes, Step, zeros_like_shapes


@dataclass(frozen=True)
class GradientDescent:
    default_eta: ClassVar[float | None] = None

    def start(self, shapes: Shapes) -> Step:
        scratch = zeros_like_shapes(shapes)

        def step(
            parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
        ) -> None:
            for theta, gradient, change in zip(parameters, gradients, scratch, strict=True):
                np.multiply(gradient, eta, out=change)
                theta -= change

        return step
