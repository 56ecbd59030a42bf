"""Evaluating a trained network on many points in chunks, so that memory stays bounded.

A forward pass holds every hidden unit's value at every point: for widths w_1..w_L and N
points, N * (w_1 + ... + w_L) numbers. Evaluated on chunks of at most C points, it holds
C * (w_1 + ... + w_L) at a time, whatever N is, and gives the same values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def evaluate_in_chunks(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, chunk: int
) -> np.ndarray:
    """`function(x)` for values along the last axis, computed on at most `chunk` points of `x`
    at a time and joined along that axis."""
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    parts = [function(x[start : start + chunk]) for start in range(0, len(x), chunk)]
    return np.concatenate(parts, axis=-1)
