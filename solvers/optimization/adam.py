"""Adam: decaying averages of the gradient and of its square, corrected for their start at zero,

    m_t = beta1 m_{t-1} + (1 - beta1) g_t,      s_t = beta2 s_{t-1} + (1 - beta2) g_t^2,
    theta_t = theta_{t-1} - eta_t (m_t / (1 - beta1^t)) / (epsilon + sqrt(s_t / (1 - beta2^t))),

elementwise, with m_0 = s_0 = 0 and t = 1, 2, ... counting updates. The step is computed in the
equivalent form eta_t c2/c1 m_t / (sqrt(s_t) + epsilon c2) with c1 = 1 - beta1^t and
c2 = sqrt(1 - beta2^t), which needs one scratch array. The recommended initial rate is
eta = 0.001. Reference: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization",
ICLR 2015.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from solverq.solvers.optimization import Shapes, Step, descend_by_root, zeros_like_shapes


@dataclass(frozen=True)
class Adam:
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    default_eta: ClassVar[float | None] = 0.001

    def start(self, shapes: Shapes) -> Step:
        firsts = zeros_like_shapes(shapes)
        seconds = zeros_like_shapes(shapes)
        scratch = zeros_like_shapes(shapes)
        updates = 0

        def step(
            parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
        ) -> None:
            nonlocal updates
            updates += 1
            c1 = 1.0 - self.beta1**updates
            c2 = np.sqrt(1.0 - self.beta2**updates)
            for theta, gradient, first, second, change in zip(
                parameters, gradients, firsts, seconds, scratch, strict=True
            ):
                first *= self.beta1
                np.multiply(gradient, 1.0 - self.beta1, out=change)
                first += change
                second *= self.beta2
                np.multiply(gradient, gradient, out=change)
                change *= 1.0 - self.beta2
                second += change
                descend_by_root(theta, first, second, change, eta * c2 / c1, self.epsilon * c2)

        return step
