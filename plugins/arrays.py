"""Lossless, pickle-free encoding of named arrays: raw bytes behind a small header.

The layout: the 8 bytes `MAGIC`, the header's length (8 bytes, little-endian), the header (JSON:
each array's name, dtype, shape and offset), then each array's bytes in C order, each starting
at a multiple of `ALIGNMENT` bytes. Decoding makes no copy: every array is a view of the
encoded bytes, writable when they are (a `bytearray`, a writable memory map). Encoding copies
each array's bytes once, into the buffer it returns or straight to a file.

The format follows numpy's `.npy` in spirit (a magic string, a header, the raw data; NEP 1,
https://numpy.org/neps/nep-0001-npy-format.html) with several arrays in one buffer and no zip
archive around them.

Numeric, boolean and string arrays are stored as they are. Object arrays are accepted only when
every entry is a Python integer (exact results beyond int64): they are stored as hexadecimal
strings and restored as object arrays of `int`, so nothing is rounded and nothing needs pickle.
Hexadecimal, unlike decimal, converts in linear time and has no digit limit (Python refuses
decimal conversions beyond ``sys.get_int_max_str_digits()``, 4300 digits by default).

A 1-D float64 array of equally spaced values, as `np.linspace` or a grid x_i = x0 + i dx makes
them, is not stored: the header keeps its first value, step, length and last value, and decoding
recomputes it as start + i step (last value as stored), which is checked to reproduce the array
bit for bit before its bytes are left out.

Data written by earlier versions, an uncompressed `.npz` archive (big integers as decimal or
hexadecimal strings), still decodes.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy as np

BIG_INTEGER_NAMES = "__big_integers__"
"""In an `.npz` of an earlier version: the arrays stored as decimal strings."""
HEX_INTEGER_NAMES = "__big_integers_hex__"
"""In an `.npz` of an earlier version: the arrays stored as hexadecimal strings."""
DECIMAL_CHUNK_DIGITS = 600
"""Numbers up to this many digits are converted by `str` (whose limit is at least 640)."""
MAGIC = b"\x93SQARR1\n"
ALIGNMENT = 64
BLOCK_BYTES = 1 << 18
"""Bytes handled at a time where an array is compared, copied or written in blocks. Written to a
file in such blocks, which stay in the processor's cache, a large array goes about twice as fast
as in one call."""
MIN_EQUALLY_SPACED = 64
"""Shorter arrays are stored as they are: recomputing them saves nothing worth a check."""


def encode_arrays(arrays: Mapping[str, np.ndarray]) -> bytearray:
    """The arrays in the layout above, each copied once into one buffer."""
    header, placed = array_layout(arrays)
    size = max((offset + array.nbytes for offset, array in placed), default=len(header))
    encoded = bytearray(size)
    encoded[: len(header)] = header
    for offset, array in placed:
        np.frombuffer(encoded, array.dtype, array.size, offset).reshape(array.shape)[...] = array
    return encoded


def write_arrays(file: BinaryIO, arrays: Mapping[str, np.ndarray]) -> None:
    """The arrays in the layout above, written to `file` block by block: from their own memory,
    or through a small buffer for an array that is not C-contiguous."""
    header, placed = array_layout(arrays)
    file.write(header)
    position = len(header)
    for offset, array in placed:
        file.write(bytes(offset - position))
        if array.flags.c_contiguous:
            data = array.reshape(-1).view(np.uint8).data
            for first in range(0, len(data), BLOCK_BYTES):
                file.write(data[first : first + BLOCK_BYTES])
        else:
            rows = max(1, BLOCK_BYTES // max(1, array[:1].nbytes))
            for first in range(0, len(array), rows):
                file.write(np.ascontiguousarray(array[first : first + rows]).data)
        position = offset + array.nbytes


def array_layout(arrays: Mapping[str, np.ndarray]) -> tuple[bytes, list[tuple[int, np.ndarray]]]:
    """The header block (padded to `ALIGNMENT`), and the arrays whose bytes follow it, each
    with its offset from the start."""
    entries: list[dict[str, Any]] = []
    payloads: list[np.ndarray] = []
    size = 0
    for name, array in arrays.items():
        problem = array_problem(name, array)
        if problem:
            raise ValueError(problem)
        entry: dict[str, Any] = {"name": name, "shape": list(array.shape)}
        if array.dtype == object:
            entry["big_integers"] = True
            array = np.vectorize(_hex, otypes=[str])(array) if array.size else array.astype(str)
        entry["dtype"] = array.dtype.str
        spacing = equal_spacing(array)
        if spacing is not None:
            entry["equally_spaced"] = spacing
        else:
            size = _aligned(size)
            entry["offset"] = size
            payloads.append(array if array.ndim else array.reshape(1))
            size += array.nbytes
        entries.append(entry)
    text = json.dumps({"arrays": entries}).encode()
    prefix = MAGIC + len(text).to_bytes(8, "little") + text
    header = prefix + bytes(_aligned(len(prefix)) - len(prefix))
    offsets = [entry["offset"] + len(header) for entry in entries if "offset" in entry]
    return header, list(zip(offsets, payloads, strict=True))


def decode_arrays(data: bytes | bytearray | memoryview) -> dict[str, np.ndarray]:
    """The arrays `encode_arrays` stored (or an earlier version's `.npz`), under their names."""
    if bytes(data[: len(MAGIC)]) != MAGIC:
        return _decode_npz(data)
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
    header = json.loads(bytes(data[len(MAGIC) + 8 : len(MAGIC) + 8 + length]))
    start = _aligned(len(MAGIC) + 8 + length)
    arrays = {}
    for entry in header["arrays"]:
        dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
        if "equally_spaced" in entry:
            array = equally_spaced(*entry["equally_spaced"])
        else:
            count = int(np.prod(shape, dtype=np.int64))
            array = np.frombuffer(data, dtype, count, start + entry["offset"]).reshape(shape)
        if entry.get("big_integers"):
            array = _big_integers(array, 16)
        arrays[entry["name"]] = array
    return arrays


def equal_spacing(array: np.ndarray) -> list[float] | None:
    """[start, step, count, last] when the 1-D float64 `array` is exactly
    `equally_spaced(start, step, count, last)`, else None.

    The steps tried: q = (last - start) / (count - 1), array[1] - array[0], then the neighbours
    of q one unit in the last place either side. For a grid x0 + i dx with x0 != 0 the first
    two are often not dx (x0 + dx and x0 + n dx are rounded), while dx, or a step that gives
    the same values, is q or a neighbour of q in every grid tested; an array that none of them
    reproduces is stored in full.
    """
    if array.ndim != 1 or array.dtype != np.float64 or array.size < MIN_EQUALLY_SPACED:
        return None
    start, last, count = float(array[0]), float(array[-1]), array.size
    if not (math.isfinite(start) and math.isfinite(last)):
        return None
    quotient = (last - start) / (count - 1)
    if not math.isfinite(quotient):
        return None
    steps = [quotient, float(array[1] - array[0])]
    steps += [float(np.nextafter(quotient, direction)) for direction in (-np.inf, np.inf)]
    for step in dict.fromkeys(steps):
        if _spaced_by(array[:-1], start, step):
            return [start, step, count, last]
    return None


def _spaced_by(values: np.ndarray, start: float, step: float) -> bool:
    """Whether values[i] == start + i step bit for bit, with the arithmetic of
    `equally_spaced`; compared block by block, so that values that are not stop early and
    values that are need no copy of their size."""
    rows = BLOCK_BYTES // values.itemsize
    for first in range(0, values.size, rows):
        block = values[first : first + rows]
        expected = np.arange(first, first + block.size, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow does not compare equal
            expected *= step
            expected += start
        if not np.array_equal(expected, block):
            return False
    return True


def equally_spaced(start: float, step: float, count: int, last: float) -> np.ndarray:
    """start + i step for i < count - 1, then `last`: the arithmetic of `np.linspace`."""
    values = np.arange(count, dtype=np.float64)
    values *= step
    values += start
    values[-1] = last
    return values


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


def _aligned(size: int) -> int:
    return -(-size // ALIGNMENT) * ALIGNMENT


def _hex(number: int) -> str:
    return format(number, "x")


def _big_integers(strings: np.ndarray, base: int) -> np.ndarray:
    values = [int(s, base) for s in strings.ravel()]
    return np.array(values or [], dtype=object).reshape(strings.shape)


def _decode_npz(data: bytes | bytearray | memoryview) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for marker, base in ((BIG_INTEGER_NAMES, 10), (HEX_INTEGER_NAMES, 16)):
        for name in arrays.pop(marker, np.array([], dtype=str)).tolist():
            arrays[name] = _big_integers(arrays[name], base)
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
