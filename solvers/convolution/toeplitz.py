"""Convolution as a Toeplitz matrix product: s = T(a) b.

T(a) has one row per output entry t and one column per entry j of b, with T(a)[t, j] = a_{t-j}
(zero where t - j falls outside a): a runs down each column, shifted one row per column, so the
matrix is constant along its diagonals. In 2-D the entries of b and of the output are taken in
row-major order and T(a) is doubly block Toeplitz. The matrix is built explicitly (only the rows
of the mode's window) and multiplied: O(n m) memory and work for the full 1-D convolution, the
form the lecture writes down rather than a fast one (Goodfellow, Bengio and Courville, Deep
Learning, section 9.1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from solverq.solvers.convolution.windows import Window


def toeplitz_matrix(a: np.ndarray, shape_b: tuple[int, ...], window: Window) -> np.ndarray:
    """The rows of T(a) for the window's entries: shape (window.size, prod(shape_b))."""
    padded = np.zeros([n + 2 * (m - 1) for n, m in zip(a.shape, shape_b, strict=True)], a.dtype)
    padded[tuple(slice(m - 1, m - 1 + n) for n, m in zip(a.shape, shape_b, strict=True))] = a
    # windows[t][u] = padded[t + u] = a[t + u - (m - 1)]; with u = m - 1 - j that is a[t - j].
    windows = sliding_window_view(padded, shape_b)[window.slices]
    reversed_columns = np.flip(windows, axis=tuple(range(-len(shape_b), 0)))
    return np.ascontiguousarray(reversed_columns).reshape(window.size, -1)


def toeplitz_convolve(
    a: np.ndarray,
    b: np.ndarray,
    window: Window,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """The window of the convolution of `a` and `b` (same dtype), as T(a) b."""
    matrix = toeplitz_matrix(a, b.shape, window)
    if progress is not None:
        progress(0.5, f"toeplitz: built the {matrix.shape[0]} x {matrix.shape[1]} matrix")
    return (matrix @ b.ravel()).reshape(window.shape)
