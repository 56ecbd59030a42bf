"""What each method costs: estimated seconds, to pick the fastest, and bytes, to refuse early.

Time. scipy's `choose_conv_method` compares the direct multiply-add count with 3 N log N for the
FFT, each weighted by a constant fitted on one machine. We do the same with the costs of our own
implementations: a per-call overhead, the per-step overhead of the Python loop of direct summation,
the transforms of overlap-add blocks, and the pointwise work around them. The constants are
seconds per unit, fitted on a 2-core x86-64 machine with `bench/convolution_calibration.py`; only
their ratios matter for the choice.

Memory. A convolution may use at most `MEMORY_LIMIT` bytes of working memory (output, converted
inputs, scratch, spectra or Toeplitz matrix); a request needing more is refused before anything
is allocated.
"""

from __future__ import annotations

import math

import numpy as np

from solvers.convolution.arithmetic import BIG_INTEGER, Arithmetic
from solvers.convolution.fft import transform_length

MEMORY_LIMIT = 4 * 2**30

COMPILED_CALL = 2.0e-6
COMPILED_MULTIPLY_ADD = {"int64": 0.9e-9, "float64": 0.55e-9, "complex128": 1.6e-9}
LOOP_CALL = 10e-6
LOOP_STEP = 3.0e-6
LOOP_MULTIPLY_ADD = {"int64": 1.5e-9, "float64": 1.2e-9, "complex128": 3.0e-9, "object": 60e-9}
FFT_CALL = 30e-6
FFT_BUTTERFLY = {"float64": 0.9e-9, "complex128": 1.8e-9}
FFT_POINTWISE = {"float64": 2.0e-9, "complex128": 4.0e-9}


def compiled_direct_seconds(arithmetic: Arithmetic, multiply_adds: int) -> float:
    """numpy.convolve's compiled 1-D loop."""
    return COMPILED_CALL + COMPILED_MULTIPLY_ADD[arithmetic.name] * multiply_adds


def loop_direct_seconds(arithmetic: Arithmetic, steps: int, multiply_adds: int) -> float:
    """Our direct summation: one vector step per entry of the smaller input."""
    per_term = LOOP_MULTIPLY_ADD["object" if arithmetic.dtype == BIG_INTEGER else arithmetic.name]
    return LOOP_CALL + LOOP_STEP * steps + per_term * multiply_adds


def fft_seconds(kind: str, lengths: tuple[int, ...], blocks: int = 1) -> float:
    """`blocks` products of transforms of shape `lengths` (kind float64 or complex128), plus the
    kernel's transform: 2 blocks + 1 transforms in all."""
    size = math.prod(lengths)
    transforms = 2 * blocks + 1
    return (
        FFT_CALL
        + FFT_BUTTERFLY[kind] * transforms * size * math.log2(max(size, 2))
        + FFT_POINTWISE[kind] * transforms * size
    )


def overlap_add_lengths(n: int, m: int, real: bool) -> list[int]:
    """Candidate transform lengths for a 1-D convolution of lengths n >= m: blocks of 2^k m
    entries, and last the length that transforms the whole inputs at once."""
    whole = transform_length(n + m - 1, real)
    lengths = []
    target = 4 * m
    while target < whole:
        lengths.append(transform_length(target, real))
        target *= 2
    return [*lengths, whole]


def entry_bytes(arithmetic: Arithmetic, terms: int) -> int:
    """Bytes of one output entry; a Python integer takes 24 bytes plus 4 per 30 bits."""
    if arithmetic.dtype != BIG_INTEGER:
        return arithmetic.dtype.itemsize
    bits = (arithmetic.max_abs_a * arithmetic.max_abs_b * terms).bit_length()
    return 8 + 24 + 4 * max(1, math.ceil(bits / 30))


def direct_bytes(output_entries: int, input_entries: int, entry: int) -> int:
    """Output and one scratch vector as large, plus the inputs converted."""
    return (2 * output_entries + input_entries) * entry


def toeplitz_bytes(output_entries: int, b_entries: int, input_entries: int, entry: int) -> int:
    """The matrix (a row per output entry, a column per entry of b), output and inputs."""
    return (output_entries * b_entries + output_entries + input_entries) * entry


def fft_bytes(lengths: tuple[int, ...], blocks: int, input_entries: int, real: bool) -> int:
    """Padded blocks, spectra, inverse transforms and output: about four arrays of the
    transformed size, of float64 (real) or complex128 entries."""
    entry = np.dtype(np.float64 if real else np.complex128).itemsize
    return (4 * blocks * math.prod(lengths) + input_entries) * entry


def gigabytes(count: int) -> str:
    return f"{count / 1e9:.3g} GB"
