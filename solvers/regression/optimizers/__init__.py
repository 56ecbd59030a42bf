"""Update rules of gradient descent, one per module, sharing one small interface.

A rule is a frozen dataclass of its hyperparameters; `rule.start(p)` returns a `Step` holding the
rule's state for p parameters, and `step(theta, gradient, eta)` moves theta in place.
Mini-batches (`sgd.MiniBatches`) make any rule stochastic.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Step(Protocol):
    def __call__(self, theta: np.ndarray, gradient: np.ndarray, eta: float) -> None:
        """Move theta in place, given the gradient at theta and the learning rate eta."""
        ...


class UpdateRule(Protocol):
    def start(self, size: int) -> Step:
        """A step function with fresh state for `size` parameters."""
        ...
