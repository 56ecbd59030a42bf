"""Learning-rate schedules: the rate eta(t) of update t = epoch * m + i (m batches per epoch,
i the batch within the epoch; m = 1 for full-batch gradient descent), from the initial rate eta.

- constant:     eta(t) = eta.
- inverse:      eta(t) = t0 / (t + t1) with t0 = eta t1, so that eta(0) = eta and the rate halves
                after t1 updates (FYS-STK3155/4155, University of Oslo, lecture of October 21).
- exponential:  eta(t) = eta drop^(t / t1): the rate falls by the factor `drop` every t1 updates,
                smoothly.
- step:         eta(t) = eta drop^floor(t / t1): the same fall, in steps (piecewise constant).
- cosine:       eta(t) = eta (1 + cos(pi t / T)) / 2 over T updates, then 0 (I. Loshchilov,
                F. Hutter, "SGDR: stochastic gradient descent with warm restarts", ICLR 2017,
                without the restarts).

The exponential and step decays are those of I. Goodfellow, Y. Bengio, A. Courville, "Deep
Learning", MIT Press 2016, section 8.3.1, and of Keras' `ExponentialDecay`.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class Exponential:
    t1: float
    drop: float

    def rate(self, eta: float, t: int) -> float:
        return eta * self.drop ** (t / self.t1)


@dataclass(frozen=True)
class StepDecay:
    t1: float
    drop: float

    def rate(self, eta: float, t: int) -> float:
        return eta * self.drop ** math.floor(t / self.t1)


@dataclass(frozen=True)
class Cosine:
    updates: int

    def rate(self, eta: float, t: int) -> float:
        if t >= self.updates:
            return 0.0
        return 0.5 * eta * (1.0 + math.cos(math.pi * t / self.updates))
