"""Plain gradient descent: theta_{k+1} = theta_k - eta_k grad C(theta_k).

On the full batch it converges on the quadratic cost for eta < 2/lambda_max(H), linearly with
rate max |1 - eta lambda_i(H)|. Source: FYS-STK3155/4155, University of Oslo, lecture of
October 21 (project 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.regression.optimizers import Step


@dataclass(frozen=True)
class GradientDescent:
    def start(self, size: int) -> Step:
        def step(theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
            theta -= eta * gradient

        return step
