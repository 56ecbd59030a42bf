"""Learning-rate schedules: the rate eta(t) of update t = epoch * m + i (m batches per epoch,
i the batch within the epoch; m = 1 for full-batch gradient descent).

- constant: eta(t) = eta.
- inverse:  eta(t) = t0 / (t + t1) with t0 = eta * t1, so that eta(0) = eta and the rate halves
  after t1 updates.

Source: FYS-STK3155/4155, University of Oslo, lecture of October 21 (project 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Schedule(Protocol):
    def rate(self, eta: float, t: int) -> float:
        """The learning rate of update t when the initial rate is eta."""
        ...


@dataclass(frozen=True)
class Constant:
    def rate(self, eta: float, t: int) -> float:
        return eta


@dataclass(frozen=True)
class Inverse:
    t1: float

    def rate(self, eta: float, t: int) -> float:
        return eta * self.t1 / (t + self.t1)
