"""What each method costs: estimated seconds, to pick the fastest, and bytes, to refuse early.

Time. scipy's `choose_conv_method` compares the direct multiply-add count with 3 N log N for the
FFT, each weighted by a constant fitted on one machine. We do the same with the costs of what we
run: numpy.convolve's compiled loop (a dot product per output entry), our Python loop of direct
summation (an overhead per step), and FFTs whole or by overlap-add blocks (an overhead per
transform, the butterflies, the pointwise work). The rates are seconds per unit, set from the
fits `bench/convolution_calibration.py` prints on a 2-core x86-64 machine; only their ratios
matter.

Memory. A convolution may use at most `MEMORY_LIMIT` bytes of working memory (output, converted
inputs, scratch, spectra or Toeplitz matrix); a request needing more is refused before anything
is allocated.

Both depend only on the shapes, the mode's window and the arithmetic, so the ranking of the
options is cached: repeated convolutions of one shape are planned once.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from solverq.solvers.convolution.arithmetic import BIG_INTEGER, Arithmetic
from solverq.solvers.convolution.fft import transform_length
from solverq.solvers.convolution.windows import Window, multiply_adds

MEMORY_LIMIT = 4 * 2**30
COMPILED_LOOP_SECONDS = 1.0

# Seconds per unit of each count below, by arithmetic.
COMPILED_LOOP_RATES = {  # per call, per output entry, per multiply-add
    "int64": (2e-6, 5e-9, 1.1e-9),
    "float64": (2e-6, 2e-9, 0.2e-9),
    "complex128": (2e-6, 25e-9, 0.5e-9),
}
DIRECT_LOOP_RATES = {  # per call, per step, per multiply-add
    "int64": (10e-6, 5e-6, 2e-9),
    "float64": (5e-6, 4.6e-6, 2.5e-9),
    "complex128": (10e-6, 5.2e-6, 3.6e-9),
    "big integers": (10e-6, 10e-6, 290e-9),
}
FFT_RATES = {  # per call, per transform, per transformed entry, per entry and level (log2 length)
    "float64": (30e-6, 0.5e-6, 1e-9, 0.9e-9),
    "complex128": (30e-6, 0.5e-6, 2e-9, 1.6e-9),
}


def compiled_loop_counts(outputs: int, multiply_adds: int) -> tuple[float, ...]:
    """numpy.convolve's compiled 1-D loop: a dot product per output entry."""
    return (1, outputs, multiply_adds)


def direct_loop_counts(steps: int, multiply_adds: int) -> tuple[float, ...]:
    """Our direct summation: one vector step per entry of the smaller input."""
    return (1, steps, multiply_adds)


def fft_counts(lengths: tuple[int, ...], blocks: int = 1) -> tuple[float, ...]:
    """`blocks` transforms of shape `lengths` and their inverses, and the kernel's transform."""
    size = math.prod(lengths)
    transforms = 2 * blocks + 1
    return (1, transforms, transforms * size, transforms * size * math.log2(max(size, 2)))


def seconds(rates: tuple[float, ...], counts: tuple[float, ...]) -> float:
    return sum(rate * count for rate, count in zip(rates, counts, strict=True))


class Option(NamedTuple):
    """One way to run a convolution, with its estimated seconds and working bytes.

    `compiled_loop`: direct sums by numpy.convolve's compiled 1-D loop, offered to `auto` where
    it takes at most `COMPILED_LOOP_SECONDS` (so that a job goes without progress reports no
    longer than that); else direct sums run our own loop. `fft_length`: the transform length of
    1-D overlap-add blocks (None: whole transforms).
    """

    seconds: float
    working_bytes: int
    method: str
    compiled_loop: bool = False
    fft_length: int | None = None


@functools.lru_cache(maxsize=1024)
def ranked_options(
    shape_a: tuple[int, ...], shape_b: tuple[int, ...], window: Window, arithmetic: str, entry: int
) -> tuple[Option, ...]:
    """The options `auto` chooses from, fastest first: direct sums (compiled loop or ours) and,
    unless the arithmetic is big integers, the FFT. `entry`: bytes of one output entry."""
    size_a, size_b = math.prod(shape_a), math.prod(shape_b)
    terms = multiply_adds(shape_a, shape_b, window)
    direct = direct_bytes(window.size, size_a + size_b, entry)
    options = [
        Option(
            seconds(DIRECT_LOOP_RATES[arithmetic], direct_loop_counts(min(size_a, size_b), terms)),
            direct,
            "direct",
        )
    ]
    if arithmetic != "big integers":
        if len(shape_a) == 1:
            compiled = seconds(
                COMPILED_LOOP_RATES[arithmetic], compiled_loop_counts(window.size, terms)
            )
            if compiled <= COMPILED_LOOP_SECONDS:
                options.append(Option(compiled, direct, "direct", compiled_loop=True))
        options.append(_fft_option(shape_a, shape_b, arithmetic != "complex128"))
    return tuple(sorted(options))


def _fft_option(shape_a: tuple[int, ...], shape_b: tuple[int, ...], real: bool) -> Option:
    """The FFT: in 1-D by overlap-add blocks of the fastest length."""
    rates = FFT_RATES["float64" if real else "complex128"]
    inputs = math.prod(shape_a) + math.prod(shape_b)
    whole = transform_shape(shape_a, shape_b, real)
    options = [Option(seconds(rates, fft_counts(whole)), fft_bytes(whole, 1, inputs, real), "fft")]
    if len(shape_a) == 1:
        n, m = max(shape_a[0], shape_b[0]), min(shape_a[0], shape_b[0])
        for length in overlap_add_lengths(n, m, real):
            blocks = -(-n // (length - m + 1))
            options.append(
                Option(
                    seconds(rates, fft_counts((length,), blocks)),
                    fft_bytes((length,), blocks, inputs, real),
                    "fft",
                    fft_length=length,
                )
            )
    return min(options)


def transform_shape(
    shape_a: tuple[int, ...], shape_b: tuple[int, ...], real: bool
) -> tuple[int, ...]:
    """The transform lengths that hold the full convolution along each axis."""
    return tuple(transform_length(n + m - 1, real) for n, m in zip(shape_a, shape_b, strict=True))


def overlap_add_lengths(n: int, m: int, real: bool) -> list[int]:
    """Transform lengths of overlap-add blocks for a 1-D convolution of lengths n >= m: blocks
    of about 4 m, 8 m, 16 m, ... entries, each shorter than one transform of the whole inputs."""
    whole = transform_length(n + m - 1, real)
    lengths = []
    target = 4 * m
    while target < whole:
        lengths.append(transform_length(target, real))
        target *= 2
    return [length for length in lengths if length < whole]


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
    entry = 8 if real else 16
    return (4 * blocks * math.prod(lengths) + input_entries) * entry


def gigabytes(count: int) -> str:
    return f"{count / 1e9:.3g} GB"
