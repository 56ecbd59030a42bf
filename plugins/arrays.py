"""Lossless, pickle-free encoding of named arrays (a `.npz` archive in bytes).

Numeric, boolean and string arrays are stored as they are. Object arrays are accepted only when
every entry is a Python integer (exact results beyond int64): they are stored as decimal strings
and restored as object arrays of `int`, so nothing is rounded and nothing needs pickle.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np

BIG_INTEGER_NAMES = "__big_integers__"


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
            array = np.vectorize(str, otypes=[str])(array) if array.size else array.astype(str)
        stored[name] = array
    if big_integers:
        stored[BIG_INTEGER_NAMES] = np.array(big_integers)
    buffer = io.BytesIO()
    # The stubs type **kwds as if a name could be `allow_pickle` (a flag since numpy 2.1).
    np.savez(buffer, **stored)  # type: ignore[arg-type]
    return buffer.getvalue()


def decode_arrays(data: bytes) -> dict[str, np.ndarray]:
    """The arrays `encode_arrays` stored, under their names."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name in arrays.pop(BIG_INTEGER_NAMES, np.array([], dtype=str)).tolist():
        strings = arrays[name]
        arrays[name] = np.array([int(s) for s in strings.ravel()] or [], dtype=object).reshape(
            strings.shape
        )
    return arrays


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
        name: array.astype(str) if array.dtype == object else array
        for name, array in arrays.items()
    }
