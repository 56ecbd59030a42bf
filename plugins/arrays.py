"""Lossless, pickle-free encoding of named arrays (a `.npz` archive in bytes).

Numeric, boolean and string arrays are stored as they are. Object arrays are accepted only when
every entry is a Python integer (exact results beyond int64): they are stored as hexadecimal
strings and restored as object arrays of `int`, so nothing is rounded and nothing needs pickle.
Hexadecimal, unlike decimal, converts in linear time and has no digit limit (Python refuses
decimal conversions beyond ``sys.get_int_max_str_digits()``, 4300 digits by default); arrays
stored as decimal strings by earlier versions are still read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import numpy as np

BIG_INTEGER_NAMES = "__big_integers__"
"""Lists the arrays stored as decimal strings (written by earlier versions)."""
HEX_INTEGER_NAMES = "__big_integers_hex__"
"""Lists the arrays stored as hexadecimal strings."""
DECIMAL_CHUNK_DIGITS = 600
"""Numbers up to this many digits are converted by `str` (whose limit is at least 640)."""


def encode_arrays(arrays: Mapping[str, np.ndarray]) -> bytes:
    """The arrays as the bytes of an uncompressed `.npz` archive."""
    stored: dict[str, np.ndarray] = {}
    big_integers: list[str] = []
    for name, array in arrays.items():
        problem = array_problem(name, array)
        if problem:
            raise ValueError(problem)
        array = np.asarray(array)
        if array.dtype == object:
            big_integers.append(name)
            array = np.vectorize(_hex, otypes=[str])(array) if array.size else array.astype(str)
        stored[name] = array
    if big_integers:
        stored[HEX_INTEGER_NAMES] = np.array(big_integers)
    buffer = io.BytesIO()
    # The stubs type **kwds as if a name could be `allow_pickle` (a flag since numpy 2.1).
    np.savez(buffer, **stored)  # type: ignore[arg-type]
    return buffer.getvalue()


def decode_arrays(data: bytes) -> dict[str, np.ndarray]:
    """The arrays `encode_arrays` stored, under their names."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for marker, base in ((BIG_INTEGER_NAMES, 10), (HEX_INTEGER_NAMES, 16)):
        for name in arrays.pop(marker, np.array([], dtype=str)).tolist():
            strings = arrays[name]
            integers = [int(s, base) for s in strings.ravel()]
            arrays[name] = np.array(integers or [], dtype=object).reshape(strings.shape)
    return arrays


def decimal_text(number: int) -> str:
    """`number` in decimal, however many digits it has.

    Splits it at a power of ten with half its digits, recursively, until the pieces are short
    enough for `str`: n = q 10^k + r with r < 10^k, written as q then r padded to k digits.
    """
    if abs(number) < 10**DECIMAL_CHUNK_DIGITS:
        return str(number)
    if number < 0:
        return "-" + decimal_text(-number)
    half = int(number.bit_length() * math.log10(2)) // 2
    high, low = divmod(number, 10**half)
    return decimal_text(high) + decimal_text(low).rjust(half, "0")


def _hex(number: int) -> str:
    return format(number, "x")


def array_problem(name: object, array: object) -> str | None:
    """Why an array cannot be stored under `name`, or None when it can."""
    if not isinstance(name, str) or not name or name.startswith("__"):
        return f"array name {name!r} must be a non-empty string not starting with '__'"
    if not isinstance(array, np.ndarray):
        return f"array '{name}' is a {type(array).__name__}, not a numpy array"
    if array.dtype == object:
        if not all(type(v) is int for v in array.flat):
            return f"array '{name}' has dtype object; only Python integers are storable"
    elif array.dtype.kind not in "biufcUS":
        return f"array '{name}' has unsupported dtype {array.dtype}"
    return None


def exported(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays as any `.npz` reader loads them: exact big integers as decimal strings, so
    that no pickle is needed."""
    return {
        name: _decimal_strings(array) if array.dtype == object else array
        for name, array in arrays.items()
    }


def _decimal_strings(integers: np.ndarray) -> np.ndarray:
    """An object array of Python integers as decimal strings of any length."""
    strings = [decimal_text(number) for number in integers.flat]
    return np.array(strings, dtype=str).reshape(integers.shape)
