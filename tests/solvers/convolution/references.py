"""Independent references and input strategies for the convolution tests."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = (np.int64, np.float64, np.complex128)


def schoolbook(a: list, b: list) -> list:
    """The full 1-D convolution by the double loop, in whatever exact numbers the lists hold
    (Python integers, Fractions)."""
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def exact_sums(a: np.ndarray, b: np.ndarray) -> list[Fraction]:
    """The full convolution of float arrays with every sum exact (no rounding at all)."""
    return schoolbook([Fraction(float(x)) for x in a], [Fraction(float(y)) for y in b])


def numpy_mode(full: list, n: int, m: int, mode: str) -> list:
    """The part of the full convolution numpy.convolve returns: all of it, the max(n, m)
    central entries, or the max - min + 1 entries without zero padding."""
    if mode == "full":
        return full
    if mode == "same":
        start = (min(n, m) - 1) // 2
        return full[start : start + max(n, m)]
    return full[min(n, m) - 1 : max(n, m)]


def elements(dtype: type) -> st.SearchStrategy:
    if dtype is np.int64:
        return st.integers(-1000, 1000)
    floats = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
    if dtype is np.complex128:
        return st.builds(complex, floats, floats)
    return floats


@st.composite
def arrays(draw: st.DrawFn, ndim: int, max_side: int) -> np.ndarray:
    """A random array of int64, float64 or complex128 with 1..max_side entries per axis."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.tuples(*[st.integers(1, max_side)] * ndim))
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype)))
