"""Direct convolution: the defining sums, one term index at a time.

s_t = Σ_i k_i x_{t-i}, with k the input with fewer entries and x the other (convolution
commutes). For each index i of k the shifted copy k_i x_{· - i} is added to the output window at
once, so the loop runs over the entries of the smaller input and each step is one vector
operation over the larger: the schoolbook product of polynomials. Work: one multiply-add per term
of the window's sums, O(n m) for the full convolution (Goodfellow, Bengio and Courville, Deep
Learning, section 9.1). Exact in integer arithmetic; in floating point each sum is accumulated in
index order, like numpy.convolve.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

from solverq.solvers.convolution.windows import Window

PROGRESS_WORK = {"numbers": 2**22, "big integers": 2**16}


def direct_convolve(
    a: np.ndarray,
    b: np.ndarray,
    window: Window,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """The window of the convolution of `a` and `b` (same dtype), by direct summation.

    `progress` is told the fraction of the shifted copies added after each block of about
    `PROGRESS_WORK` multiply-adds (fewer for Python integers, whose arithmetic is slower).
    """
    kernel, signal = (a, b) if a.size <= b.size else (b, a)
    output = np.zeros(window.shape, dtype=a.dtype)
    scaled = np.empty(window.shape, dtype=a.dtype)
    axes = [
        _shifts(*sizes)
        for sizes in zip(kernel.shape, window.start, window.shape, signal.shape, strict=True)
    ]
    steps = math.prod(len(shifts) for shifts in axes)
    work = PROGRESS_WORK["big integers" if a.dtype == object else "numbers"]
    report_every = max(1, work // signal.size)
    for count, parts in enumerate(itertools.product(*axes), start=1):
        index, target, source, scratch = zip(*parts, strict=True)
        part, destination = scaled[scratch], output[target]
        np.multiply(signal[source], kernel[index], out=part)
        np.add(destination, part, out=destination)
        if progress is not None and count % report_every == 0 and count < steps:
            progress(count / steps, f"direct: {count} of {steps} shifted copies added")
    return output


def _shifts(taps: int, start: int, length: int, n: int) -> list[tuple[int, slice, slice, slice]]:
    """Along one axis, for each index i of the kernel whose shifted signal x_{t - i} meets the
    window: i, where it lands in the window, which part of x it is, and a scratch slice as long."""
    shifts = []
    for i in range(taps):
        low, high = max(start, i), min(start + length, i + n)
        if low < high:
            shifts.append(
                (
                    i,
                    slice(low - start, high - start),
                    slice(low - i, high - i),
                    slice(0, high - low),
                )
            )
    return shifts
