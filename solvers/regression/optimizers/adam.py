"""Adam: decaying averages of the gradient and of its square, corrected for their start at zero,

    m_t = beta1 m_{t-1} + (1 - beta1) g_t,      s_t = beta2 s_{t-1} + (1 - beta2) g_t^2,
    theta_t = theta_{t-1} - eta_t (m_t / (1 - beta1^t)) / (epsilon + sqrt(s_t / (1 - beta2^t))),

elementwise, with m_0 = s_0 = 0 and t = 1, 2, ... counting updates. Reference: D. P. Kingma,
J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.regression.optimizers import Step


@dataclass(frozen=True)
class Adam:
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def start(self, size: int) -> Step:
        first = np.zeros(size)
        second = np.zeros(size)
        updates = 0

        def step(theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
            nonlocal updates
            updates += 1
            first[:] = self.beta1 * first + (1.0 - self.beta1) * gradient
            second[:] = self.beta2 * second + (1.0 - self.beta2) * gradient * gradient
            mean = first / (1.0 - self.beta1**updates)
            spread = np.sqrt(second / (1.0 - self.beta2**updates))
            theta -= eta * mean / (self.epsilon + spread)

        return step
