"""How a solver's run ended and how it reports progress on the way: one vocabulary for every
method, so that a plugin reads the outcome of an ODE stepper, a network's training and a gradient
descent alike."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class SolveStatus(StrEnum):
    """How a run ended."""

    CONVERGED = "converged"
    """It reached its target: its tolerance, or the last step of a stepping method."""
    NOT_CONVERGED = "not_converged"
    """It stopped short of its target: the iteration or epoch budget ran out, or the Newton
    iteration of an implicit step did not converge."""
    DIVERGED = "diverged"
    """The iterate overflowed or became NaN."""


class Progress(Protocol):
    """Reports how far a run has come: `fraction` in [0, 1] and a short message.

    It may raise `JobCancelled`, which a solver and a plugin let propagate.
    """

    def __call__(self, fraction: float, message: str = "") -> None: ...


def no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores what it is told."""
