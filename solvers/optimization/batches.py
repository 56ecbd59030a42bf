"""Mini-batches of stochastic gradient descent: theta <- theta - eta_t grad C_B(theta), where C_B
is the cost on the batch B of M rows.

At the start of every epoch the n rows are shuffled (a permutation drawn from a generator seeded
once, so a seed reproduces every epoch) and cut into m = ceil(n / M) consecutive batches, the
last one shorter when M does not divide n. Any update rule becomes stochastic on these batches;
plain SGD is the rule of `gd` on them. Source: FYS-STK3155/4155, University of Oslo, lecture of
October 21 (project 2).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class MiniBatches:
    """The row indices of the batches of each epoch, for n rows in batches of `size`."""

    def __init__(self, samples: int, size: int, seed: int | np.random.SeedSequence) -> None:
        self.size = min(size, samples)
        self.count = -(-samples // self.size)
        self._order = np.arange(samples)
        self._rng = np.random.default_rng(seed)

    def epoch(self) -> Iterator[np.ndarray]:
        """Shuffle the rows, then yield the indices of each batch in turn."""
        self._rng.shuffle(self._order)
        for start in range(0, len(self._order), self.size):
            yield self._order[start : start + self.size]
