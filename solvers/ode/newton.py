"""The Newton iteration of the implicit methods: its limits and its stopping rule, shared by the
numpy path and the compiled loop.

The iteration on G(w) = 0 stops when |G(w)| is at rounding level relative to the size of the
terms of G: max |G| <= TOLERANCE (max |w| + max |z| + max |dx F|), the maxima over the
components, for every problem of a batch.
"""

from __future__ import annotations

import numpy as np

NEWTON_ITERATIONS = 30
STALE_ITERATIONS = 2
"""Newton iterations with the Jacobian of an earlier step before it is computed afresh."""
TOLERANCE = 1e-12
"""|G(w)| relative to the size of the terms of G at which the iterations stop (per problem of a
batch)."""


def converged(residual: np.ndarray, w: np.ndarray, z: np.ndarray, increment: np.ndarray) -> bool:
    """|G(w)| at rounding level in every problem of the batch (the columns)."""
    scale = np.abs(w).max(axis=0) + np.abs(z).max(axis=0) + np.abs(increment).max(axis=0)
    return bool((np.abs(residual).max(axis=0) <= TOLERANCE * scale).all())
