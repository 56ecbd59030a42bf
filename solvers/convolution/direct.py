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

from collections.abc import Callable

import numpy as np

from solvers.convolution.windows import Window

PROGRESS_WORK = 2**22


def direct_convolve(
    a: np.ndarray,
    b: np.ndarray,
    window: Window,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """The window of the convolution of `a` and `b` (same dtype), by direct summation.

    `progress` is told the fraction of terms done after each block of about `PROGRESS_WORK`
    multiply-adds.
    """
    kernel, signal = (a, b) if a.size <= b.size else (b, a)
    output = np.zeros(window.shape, dtype=a.dtype)
    scaled = np.empty(window.shape, dtype=a.dtype)
    taps = kernel.size
    report_every = max(1, PROGRESS_WORK // signal.size)
    for count, index in enumerate(np.ndindex(kernel.shape), start=1):
        shifted = _shifted_parts(index, window, signal.shape)
        if shifted is not None:
            target, source = shifted
            part = scaled[tuple(slice(0, s.stop - s.start) for s in target)]
            np.multiply(signal[source], kernel[index], out=part)
            output[target] += part
        if progress is not None and count % report_every == 0 and count < taps:
            progress(count / taps, f"direct: {count} of {taps} terms")
    return output


def _shifted_parts(
    index: tuple[int, ...], window: Window, signal_shape: tuple[int, ...]
) -> tuple[tuple[slice, ...], tuple[slice, ...]] | None:
    """Where x_{t - index} lands in the window (target) and which part of x it is (source);
    None when the shifted signal misses the window."""
    target, source = [], []
    for i, start, length, n in zip(index, window.start, window.shape, signal_shape, strict=True):
        low, high = max(start, i), min(start + length, i + n)
        if low >= high:
            return None
        target.append(slice(low - start, high - start))
        source.append(slice(low - i, high - i))
    return tuple(target), tuple(source)
