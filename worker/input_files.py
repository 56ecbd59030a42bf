"""Reading `.npy` and `.npz` files, their sizes checked from their headers before loading.

A `.npy` file is a header stating the array's dtype and shape, then its bytes (numpy's format,
https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html); a `.npz` file is a zip
archive of `.npy` files. The size of each array, the product of its shape times its item size,
is read from its header, so that an array beyond the input limit, or one whose file holds less
data than its header promises, is refused before any memory is set aside for it. The command
line reads files by path; the HTTP API and the dashboard read an uploaded archive from the file
the upload is spooled to.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy_format

from solverq.plugins.errors import RejectedRequest

READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError)
"""What numpy and zipfile raise for a file that is not what its name says."""


@dataclass
class InputBudget:
    """What the arrays read so far take, against `limit` bytes (``SOLVERQ_MAX_INPUT_BYTES``)."""

    limit: int
    used: int = 0

    def take(self, name: str, source: str, dtype: np.dtype, shape: tuple[int, ...]) -> int:
        """Count an array of `dtype` and `shape` from `source` (a file, as a user reads its
        name); its size in bytes, or `RejectedRequest`."""
        size = math.prod(shape) * dtype.itemsize
        self.take_bytes(f"array '{name}' of {source}", size, f"{_shape(shape)} {dtype}")
        return size

    def take_bytes(self, what: str, size: int, detail: str) -> None:
        """Count `size` bytes of `what`, or raise `RejectedRequest`."""
        if self.used + size > self.limit:
            raise RejectedRequest(
                f"{what} is {size:,} bytes ({detail}); the inputs of a job may take at most "
                f"{self.limit:,} bytes (SOLVERQ_MAX_INPUT_BYTES)"
            )
        self.used += size


def read_npy(path: Path, budget: InputBudget) -> dict[str, np.ndarray]:
    """The array of a `.npy` file, named by the file's stem."""
    name = path.stem
    try:
        with path.open("rb") as handle:
            dtype, shape = _header(handle, f"data file {path}")
            size = budget.take(name, str(path), dtype, shape)
            _check_holds(f"data file {path}", name, path.stat().st_size - handle.tell(), size)
            handle.seek(0)
            return {name: npy_format.read_array(handle, allow_pickle=False)}
    except READ_ERRORS as error:
        raise RejectedRequest(f"cannot read data file {path}: {_reason(error)}") from None


def read_npz(
    source: Path | IO[bytes], budget: InputBudget, upload: str | None = None
) -> dict[str, np.ndarray]:
    """The arrays of a `.npz` file under their names in the archive: a path, or a seekable
    binary file uploaded under the file name `upload`."""
    origin = f"the uploaded {upload}" if upload is not None else str(source)
    what = origin if upload is not None else f"data file {source}"
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            for member in members:
                name = member.filename.removesuffix(".npy")
                if not member.filename.endswith(".npy"):
                    raise RejectedRequest(
                        f"{what} holds '{member.filename}', which is not a .npy array"
                    )
                with archive.open(member) as handle:
                    dtype, shape = _header(handle, f"array '{name}' of {what}")
                    size = budget.take(name, origin, dtype, shape)
                    _check_holds(what, name, member.file_size - handle.tell(), size)
            if not members:
                raise RejectedRequest(f"{what} holds no arrays")
            arrays = {}
            for member in members:
                with archive.open(member) as handle:
                    arrays[member.filename.removesuffix(".npy")] = npy_format.read_array(
                        handle, allow_pickle=False
                    )
            return arrays
    except READ_ERRORS as error:
        raise RejectedRequest(f"cannot read {what}: {_reason(error)}") from None


def _header(handle: IO[bytes], what: str) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape a `.npy` header states; the handle is left at the data."""
    version = npy_format.read_magic(handle)
    readers = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
    if version not in readers:
        raise RejectedRequest(f"cannot read {what}: .npy format version {version} is not supported")
    shape, _, dtype = readers[version](handle)
    if dtype.hasobject:
        raise RejectedRequest(
            f"cannot read {what}: it holds Python objects, which are never unpickled"
        )
    return dtype, shape


def _check_holds(what: str, name: str, available: int, size: int) -> None:
    if available < size:
        raise RejectedRequest(
            f"{what} is truncated: array '{name}' needs {size:,} bytes, the file holds "
            f"{max(available, 0):,}"
        )


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape) or "scalar"


def _reason(error: BaseException) -> str:
    if isinstance(error, EOFError | zipfile.BadZipFile) or not str(error):
        return "not a valid .npy or .npz file"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
