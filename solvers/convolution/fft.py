"""FFT convolution, whole or by overlap-add.

Zero-padded to a length F >= n + m - 1 along each axis, the cyclic convolution equals the linear
one, and the DFT turns it into a pointwise product: s = IDFT(DFT(a) * DFT(b)). Three transforms of
O(F log F) replace O(n m) multiply-adds. When one 1-D input is much shorter (m << n), overlap-add
splits the longer into blocks of F - m + 1 entries, convolves each with one transform of a short
length F, and adds the overlapping tails: O(n log F) work that stays in cache (Oppenheim and
Schafer, Discrete-Time Signal Processing, 3rd ed., sections 8.7 and 8.7.3).

Rounding: for power-of-two lengths F = 2^k, Percival (Math. Comp. 72 (2003) 387-395, Theorem 5.1)
bounds every entry's error by ||a||_2 ||b||_2 ((1+e)^(3k) (1+e sqrt 5)^(3k+1) (1+beta)^(3k) - 1),
with e = 2^-53 and beta the error of the twiddle factors. Integer results are rounded to the
nearest integer, which is exact when that bound is below 1/2; we ask for 1/4, a margin for the
real-input and mixed-radix transforms the theorem does not cover.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from solverq.solvers.convolution.windows import Window

UNIT_ROUNDOFF = 2.0**-53
TWIDDLE_ERROR = 4 * UNIT_ROUNDOFF
EXACT_ROUNDING_BOUND = 0.25
SMOOTH_PRIMES = {True: (3, 5), False: (3, 5, 7, 11)}


@functools.lru_cache(maxsize=256)
def transform_length(target: int, real: bool) -> int:
    """The smallest length >= `target` with small prime factors, the fast FFT sizes: no prime
    above 5 for a real transform, above 11 for a complex one (`scipy.fft.next_fast_len`'s
    definition, computed here so that planning a convolution does not import scipy).

    Every candidate is m 2^k with m odd and smooth; for each such m below the power of two
    >= `target`, the smallest k that reaches `target` is the bit length of ceil(target / m) - 1.
    """
    best = 1 << (max(target, 1) - 1).bit_length()
    odd_products = [1]
    for prime in SMOOTH_PRIMES[real]:
        odd_products += [
            product * prime**power
            for product in odd_products
            for power in range(1, int(math.log(best / product, prime)) + 1)
        ]
    for product in odd_products:
        best = min(best, product << (-(-target // product) - 1).bit_length())
    return best


def rounding_error_bound(norm_a: float, norm_b: float, length: int) -> float:
    """Percival's bound on any entry's error, for inputs of 2-norms `norm_a`, `norm_b` and
    transforms of `length` entries (rounded up to a power of two)."""
    levels = max(1, math.ceil(math.log2(length)))
    growth = math.expm1(
        3 * levels * math.log1p(UNIT_ROUNDOFF)
        + (3 * levels + 1) * math.log1p(UNIT_ROUNDOFF * math.sqrt(5))
        + 3 * levels * math.log1p(TWIDDLE_ERROR)
    )
    return norm_a * norm_b * growth


def fft_convolve(
    a: np.ndarray,
    b: np.ndarray,
    window: Window,
    length: int | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """The window of the convolution of `a` and `b` (both float64 or both complex128) by the FFT.

    `length`, for 1-D inputs only, is the transform length of overlap-add blocks (at least twice
    the shorter input's length); None transforms the whole inputs.
    """
    real = a.dtype.kind != "c"
    if length is None:
        full = _whole(a, b, real, progress)
    else:
        signal, kernel = (a, b) if a.size >= b.size else (b, a)
        full = _overlap_add(signal, kernel, length, real, progress)
    return full[window.slices]


def _overlap_add(
    signal: np.ndarray,
    kernel: np.ndarray,
    length: int,
    real: bool,
    progress: Callable[[float, str], None] | None,
) -> np.ndarray:
    """The full 1-D convolution from blocks of `length - m + 1` entries of the longer input."""
    import scipy.fft

    forward, inverse = (
        (scipy.fft.rfft, scipy.fft.irfft) if real else (scipy.fft.fft, scipy.fft.ifft)
    )
    n, m = signal.size, kernel.size
    block = length - m + 1
    count = -(-n // block)
    blocks = np.zeros(count * block, dtype=signal.dtype)
    blocks[:n] = signal
    spectra = forward(blocks.reshape(count, block), length, axis=-1)
    spectra *= forward(kernel, length)
    if progress is not None:
        progress(0.5, f"fft: {count} block(s) of length {length} transformed")
    pieces = inverse(spectra, length, axis=-1, overwrite_x=True)
    output = np.empty((count + 1) * block, dtype=pieces.dtype)
    output[: count * block].reshape(count, block)[...] = pieces[:, :block]
    output[count * block :] = 0
    output[block:].reshape(count, block)[:, : m - 1] += pieces[:, block:]
    return output[: n + m - 1]


def _whole(
    a: np.ndarray, b: np.ndarray, real: bool, progress: Callable[[float, str], None] | None
) -> np.ndarray:
    """The full N-D convolution from one transform of each whole input."""
    import scipy.fft

    forward, inverse = (
        (scipy.fft.rfftn, scipy.fft.irfftn) if real else (scipy.fft.fftn, scipy.fft.ifftn)
    )
    full_shape = [n + m - 1 for n, m in zip(a.shape, b.shape, strict=True)]
    lengths = [transform_length(n, real) for n in full_shape]
    spectrum = forward(a, lengths)
    spectrum *= forward(b, lengths)
    if progress is not None:
        progress(0.5, f"fft: inputs transformed at shape {tuple(lengths)}")
    full = inverse(spectrum, lengths, overwrite_x=True)
    return full[tuple(slice(0, n) for n in full_shape)]
