"""Gradient-based optimisation shared by every trained model: update rules, learning-rate
schedules and mini-batches.

A rule is a frozen dataclass of its hyperparameters. `rule.start(shapes)` returns a `Step` that
holds the rule's state (and its scratch buffers) for parameters of those shapes, and
`step(parameters, gradients, eta)` moves every parameter array in place. A linear model passes
one array, theta; a network passes its weights and biases, layer by layer. The rules are written
with in-place numpy operations, so a step allocates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

import numpy as np

Shapes = Sequence[tuple[int, ...]]


class Step(Protocol):
    def __call__(
        self, parameters: Sequence[np.ndarray], gradients: Sequence[np.ndarray], eta: float
    ) -> None:
        """Move each parameter array in place, given its gradient and the learning rate eta."""
        ...


class UpdateRule(Protocol):
    default_eta: ClassVar[float | None]
    """The initial learning rate the rule's reference recommends; None when the caller chooses."""

    def start(self, shapes: Shapes) -> Step:
        """A step function with fresh state for parameters of these shapes."""
        ...


def zeros_like_shapes(shapes: Shapes) -> list[np.ndarray]:
    """One array of zeros per shape: the state of a rule."""
    return [np.zeros(shape) for shape in shapes]


def descend_by_root(
    theta: np.ndarray,
    direction: np.ndarray,
    second_moment: np.ndarray,
    scratch: np.ndarray,
    rate: float,
    epsilon: float,
) -> None:
    """theta -= rate * direction / (epsilon + sqrt(second_moment)), elementwise and in place,
    through `scratch`: the step that Adagrad, RMSprop and Adam share."""
    np.sqrt(second_moment, out=scratch)
    scratch += epsilon
    np.divide(direction, scratch, out=scratch)
    scratch *= rate
    theta -= scratch
