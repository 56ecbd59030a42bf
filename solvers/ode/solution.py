"""What a step-by-step ODE method returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solverq.solvers.outcome import SolveStatus


@dataclass(frozen=True, eq=False)
class ODESolution:
    """The grid x_i = x0 + i dx (n + 1 points) and the solution on it.

    `y` is (n + 1, m, B) and, for order 2, `dy` (y') too; B = 1 without a batch. After a
    failure the rows past `failed_at` are not meaningful.
    """

    x: np.ndarray
    dx: float
    y: np.ndarray
    dy: np.ndarray | None
    status: SolveStatus
    failed_at: float | None = None
    engine: str = "numpy"
    """What ran the steps: "numpy" (a loop over steps, vectorised over a batch) or "C"."""
    warnings: tuple[str, ...] = ()

    @property
    def steps(self) -> int:
        return len(self.x) - 1
