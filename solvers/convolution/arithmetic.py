"""The numbers a convolution is computed in.

- Integers (and booleans, as 0 and 1) are convolved exactly: in int64 when no sum can leave it,
  that is when max|a| max|b| k < 2^63 with k the most terms one entry sums (the product over the
  axes of min(n, m)); otherwise in Python integers (numpy object arrays), which never overflow.
- Anything with a float is computed in float64, anything complex in complex128.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

INT64 = np.dtype(np.int64)
BIG_INTEGER = np.dtype(object)
FLOAT64 = np.dtype(np.float64)
COMPLEX128 = np.dtype(np.complex128)
INT64_LIMIT = 2**63
NAMES = {INT64: "int64", BIG_INTEGER: "big integers", FLOAT64: "float64", COMPLEX128: "complex128"}


@dataclass(frozen=True)
class Arithmetic:
    """The dtype both inputs are converted to, and for integers the largest magnitudes."""

    dtype: np.dtype
    max_abs_a: int = 0
    max_abs_b: int = 0

    @property
    def is_integer(self) -> bool:
        return self.dtype in (INT64, BIG_INTEGER)

    @property
    def name(self) -> str:
        """How a user reads the arithmetic: int64, big integers, float64 or complex128."""
        return NAMES[self.dtype]


def choose_arithmetic(a: np.ndarray, b: np.ndarray) -> Arithmetic:
    """The arithmetic that convolves `a` and `b` exactly (integers) or in double precision."""
    for name, array in (("a", a), ("b", b)):
        if array.dtype.kind not in "biufcO":
            raise ValueError(f"input '{name}' has dtype {array.dtype}; numbers are needed")
        if array.dtype.kind == "O" and not all(type(v) is int for v in array.flat):
            raise ValueError(f"input '{name}' is an object array; only Python integers are allowed")
    kinds = a.dtype.kind + b.dtype.kind
    if "c" in kinds or "f" in kinds:
        for name, array in (("a", a), ("b", b)):
            if array.dtype == BIG_INTEGER and _max_abs(array) > sys.float_info.max:
                raise ValueError(f"input '{name}' holds an integer too large for a float")
        return Arithmetic(COMPLEX128 if "c" in kinds else FLOAT64)
    max_abs_a, max_abs_b = _max_abs(a), _max_abs(b)
    terms = math.prod(min(n, m) for n, m in zip(a.shape, b.shape, strict=True))
    fits = max(max_abs_a, max_abs_b) < INT64_LIMIT and max_abs_a * max_abs_b * terms < INT64_LIMIT
    return Arithmetic(INT64 if fits else BIG_INTEGER, max_abs_a, max_abs_b)


def convert(array: np.ndarray, arithmetic: Arithmetic) -> np.ndarray:
    """`array` in the arithmetic's dtype (itself when it already is)."""
    if array.dtype == arithmetic.dtype:
        return array
    if arithmetic.dtype == BIG_INTEGER:
        return np.array([int(v) for v in array.flat], dtype=object).reshape(array.shape)
    if array.dtype == BIG_INTEGER:
        floats = np.array([float(v) for v in array.flat]).reshape(array.shape)
        return floats.astype(arithmetic.dtype, copy=False)
    return array.astype(arithmetic.dtype)


def _max_abs(array: np.ndarray) -> int:
    """The largest magnitude of an integer array, as an exact Python integer."""
    if array.dtype == BIG_INTEGER:
        return max(abs(v) for v in array.flat)
    return max(int(array.max()), -int(array.min()))
