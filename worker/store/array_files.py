"""Where a job's arrays are kept: in its row, or in a file beside an SQLite database.

An SQLite database is a file on the machine that uses it, so arrays of `FILE_THRESHOLD` bytes
or more go to files in the folder `<database>-arrays` beside it, written straight from the
arrays' memory in the layout of `solverq.plugins.arrays`, and the row keeps a reference:
`REFERENCE` and the file's name. Storing them costs what writing their bytes to a file costs
(SQLite would copy them page by page into its write-ahead log, and from there into the
database), and reading them maps the file into memory, copy-on-write, without reading it all.
A file is complete and on disk before a row refers to it (written under a temporary name,
flushed and renamed); a file whose row was never committed is left unreferenced.

A server database (PostgreSQL) keeps the encoded arrays in the row, where workers on other
machines read them.
"""

from __future__ import annotations

import mmap
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from solverq.plugins.arrays import decode_arrays, encode_arrays, write_arrays
from solverq.plugins.errors import SolverqError

FILE_THRESHOLD = 1 << 20
"""Arrays of fewer bytes in all stay in the row, where they cost no file of their own."""
REFERENCE = b"\x93SQFILE\n"
REFERENCE_LENGTH = len(REFERENCE) + len(f"{uuid.UUID(int=0).hex}.arrays")
"""The length of what a row that refers to a file holds."""


class ArrayFiles:
    """Encodes arrays for a row of one database, and decodes what a row holds."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def beside(cls, database_url: str) -> ArrayFiles:
        """Files in `<database>-arrays` for an SQLite database file; none for other databases."""
        url = make_url(database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return cls(None)
        database = Path(url.database).expanduser()
        return cls(database.with_name(database.name + "-arrays"))

    def store(self, arrays: Mapping[str, np.ndarray]) -> bytes | bytearray:
        """What the row keeps for `arrays`: their encoding, or a reference to a new file."""
        size = sum(array.nbytes for array in arrays.values() if array.dtype != object)
        if self.folder is None or size < FILE_THRESHOLD:
            return encode_arrays(arrays)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.arrays"
        partial = self.folder / f".{name}.partial"
        with partial.open("wb") as file:
            write_arrays(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.folder / name)
        return REFERENCE + name.encode()

    def load(self, data: bytes | memoryview) -> dict[str, np.ndarray]:
        """The arrays a row holds, writable: those of a file are mapped copy-on-write, so that
        writing to them changes neither the file nor anything until a page is written."""
        if bytes(data[: len(REFERENCE)]) != REFERENCE:
            return decode_arrays(bytearray(data))
        name = bytes(data[len(REFERENCE) :]).decode()
        if self.folder is None:
            raise SolverqError(f"the arrays are in a file ({name}) beside an SQLite database")
        try:
            with (self.folder / name).open("rb") as file:
                mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
        except OSError as error:
            raise SolverqError(f"cannot read stored arrays {self.folder / name}: {error}") from None
        return decode_arrays(memoryview(mapped))

    @staticmethod
    def is_reference(data: bytes | bytearray | memoryview) -> bool:
        """Whether a row holds a reference to a file rather than the arrays themselves."""
        return bytes(data[: len(REFERENCE)]) == REFERENCE

    def file_size(self, data: bytes | bytearray) -> int:
        """The bytes of the file `data` refers to; 0 when it refers to none (or it is gone)."""
        if self.folder is None or not self.is_reference(data):
            return 0
        try:
            return (self.folder / bytes(data[len(REFERENCE) :]).decode()).stat().st_size
        except OSError:
            return 0

    def discard(self, data: bytes | bytearray) -> None:
        """Remove the file `data` refers to, if any (its row was not stored)."""
        if self.folder is not None and bytes(data[: len(REFERENCE)]) == REFERENCE:
            (self.folder / bytes(data[len(REFERENCE) :]).decode()).unlink(missing_ok=True)
