"""RMSprop: Adagrad with a decaying average of the squared gradient,

    r_{k+1} = rho r_k + (1 - rho) g_k^2,
    theta_{k+1} = theta_k - eta_k g_k / (epsilon + sqrt(r_{k+1})),

elementwise, with r_0 = 0 and decay rho in [0, 1). Reference: G. Hinton, N. Srivastava,
K. Swersky, "Neural networks for machine learning", lecture 6e, 2012.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.regression.optimizers import Step


@dataclass(frozen=True)
class RMSprop:
    rho: float = 0.9
    epsilon: float = 1e-8

    def start(self, size: int) -> Step:
        average = np.zeros(size)

        def step(theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
            average[:] = self.rho * average + (1.0 - self.rho) * gradient * gradient
            theta -= eta * gradient / (self.epsilon + np.sqrt(average))

        return step
