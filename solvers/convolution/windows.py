"""Output sizes of the modes, as windows into the full convolution.

The full convolution of `a` (shape n) and `b` (shape m) has n_k + m_k - 1 entries along each
axis k; `same` and `valid` keep a window of it, with exactly the sizes and centring of
`numpy.convolve` (1-D) and `scipy.signal.convolve2d` (2-D):

- 1-D `same`: max(n, m) entries starting at (min(n, m) - 1) // 2 (numpy's rule: the longer input's
  length, whichever input it is).
- 2-D `same`: the shape of `a`, starting at (m_k - 1) // 2 along each axis (scipy's rule).
- `valid`: |n_k - m_k| + 1 entries starting at min(n_k, m_k) - 1: only sums that never reach past
  either input. In 2-D one input must be at least as large as the other along every axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MODES = ("full", "same", "valid")


@dataclass(frozen=True)
class Window:
    """The entries of the full convolution a mode keeps: per axis, the first index and the count."""

    start: tuple[int, ...]
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def slices(self) -> tuple[slice, ...]:
        """The window as slices of the full convolution."""
        return tuple(slice(s, s + n) for s, n in zip(self.start, self.shape, strict=True))


def output_window(shape_a: tuple[int, ...], shape_b: tuple[int, ...], mode: str) -> Window:
    """The window `mode` keeps of the full convolution of inputs shaped `shape_a` and `shape_b`."""
    pairs = list(zip(shape_a, shape_b, strict=True))
    if mode == "full":
        return Window((0,) * len(pairs), tuple(n + m - 1 for n, m in pairs))
    if mode == "valid":
        if len(pairs) > 1 and not (all(n >= m for n, m in pairs) or all(m >= n for n, m in pairs)):
            raise ValueError(
                f"mode 'valid' needs one input at least as large as the other along every axis; "
                f"'a' has shape {shape_a} and 'b' {shape_b}"
            )
        return Window(
            tuple(min(n, m) - 1 for n, m in pairs), tuple(abs(n - m) + 1 for n, m in pairs)
        )
    if mode == "same":
        if len(pairs) == 1:
            ((n, m),) = pairs
            return Window(((min(n, m) - 1) // 2,), (max(n, m),))
        return Window(tuple((m - 1) // 2 for _, m in pairs), tuple(shape_a))
    raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")


def multiply_adds(shape_a: tuple[int, ...], shape_b: tuple[int, ...], window: Window) -> int:
    """How many products a_i b_{t-i} the sums over the window's entries t hold.

    The count separates over the axes; along one axis the number of terms of entry t rises
    1, 2, ..., p, stays at p, then falls p - 1, ..., 1 (p, q the shorter and longer lengths).
    """
    count = 1
    for n, m, start, length in zip(shape_a, shape_b, window.start, window.shape, strict=True):
        count *= _terms_before(start + length, n, m) - _terms_before(start, n, m)
    return count


def _terms_before(t: int, n: int, m: int) -> int:
    """The number of terms in the entries 0, ..., t - 1 of the full 1-D convolution."""
    p, q = min(n, m), max(n, m)
    rising = min(t, p)
    flat = min(max(t - p, 0), q - p)
    falling = min(max(t - q, 0), p - 1)
    return rising * (rising + 1) // 2 + flat * p + falling * (p - 1) - falling * (falling - 1) // 2
