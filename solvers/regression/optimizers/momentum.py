"""Gradient descent with momentum (the heavy ball):

    v_{k+1} = gamma v_k + eta_k grad C(theta_k),   theta_{k+1} = theta_k - v_{k+1},   v_0 = 0,

with momentum gamma in [0, 1). Reference: B. T. Polyak, "Some methods of speeding up the
convergence of iteration methods", USSR Comput. Math. Math. Phys. 4(5), 1964.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.regression.optimizers import Step


@dataclass(frozen=True)
class Momentum:
    momentum: float = 0.9

    def start(self, size: int) -> Step:
        velocity = np.zeros(size)

        def step(theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
            velocity[:] = self.momentum * velocity + eta * gradient
            theta -= velocity

        return step
