"""Adagrad: every parameter gets its own rate, shrinking with its accumulated squared gradient,

    r_{k+1} = r_k + g_k^2,   theta_{k+1} = theta_k - eta_k g_k / (epsilon + sqrt(r_{k+1})),

elementwise, with r_0 = 0. Reference: J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient
methods for online learning and stochastic optimization", JMLR 12, 2011.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.regression.optimizers import Step


@dataclass(frozen=True)
class Adagrad:
    epsilon: float = 1e-8

    def start(self, size: int) -> Step:
        accumulated = np.zeros(size)

        def step(theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
            accumulated[:] = accumulated + gradient * gradient
            theta -= eta * gradient / (self.epsilon + np.sqrt(accumulated))

        return step
