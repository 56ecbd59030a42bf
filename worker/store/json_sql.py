"""Comparisons inside JSON columns, written once for SQLite and PostgreSQL.

The two backends name JSON types differently (`json_type` gives `integer`, `real`, `text`, `true`;
`jsonb_typeof` gives `number`, `string`, `boolean`), and PostgreSQL raises where SQLite returns
NULL (casting a string to a number, the length of a non-array). Every expression here checks the
type of an element before it reads it, so a key that holds a number in one row and a string in
another never breaks a query: it just does not match.

Numbers compare within a relative 1e-9, so that `eta=0.3` finds the 0.30000000000000004 of a
`linspace`. Lists compare entry by entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Text, and_, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from solverq.plugins.errors import RejectedRequest

RELATIVE_TOLERANCE = 1e-9
MAX_LIST_ENTRIES = 100
KEY_PATTERN = re.compile(r"[A-Za-z_][\w-]*")

Path = tuple[str | int, ...]


def key_path(key: str) -> Path:
    """The path of a dotted key: `constants.gamma` is ('constants', 'gamma')."""
    parts = key.split(".")
    if not all(KEY_PATTERN.fullmatch(part) for part in parts):
        raise RejectedRequest(f"malformed key '{key}': use names like eta or constants.gamma")
    return tuple(parts)


class JsonColumn:
    """Typed reads of the elements of a JSON column, for one SQL dialect."""

    def __init__(self, column: SQLCoreOperations[Any], dialect: str) -> None:
        self.column = column
        self.postgresql = dialect == "postgresql"
        if self.postgresql:
            from sqlalchemy.dialects.postgresql import JSONB

            self._jsonb = JSONB

    def number(self, path: Path) -> ColumnElement[float]:
        """The number at `path`, or NULL when there is none."""
        if self.postgresql:
            value = cast(self.column.op("#>>", return_type=Text)(self._pg_path(path)), Float)
            return case((self._is(path, "number"), value))
        return case((self._is(path, "number"), func.json_extract(self.column, self._path(path))))

    def equals(self, path: Path, value: Any) -> ColumnElement[bool]:
        """True where the element at `path` equals the JSON value `value`."""
        if isinstance(value, bool):
            return self._is(path, "true" if value else "false")
        if value is None:
            return self._is(path, "null")
        if isinstance(value, int | float):
            tolerance = abs(value) * RELATIVE_TOLERANCE
            return self.number(path).between(value - tolerance, value + tolerance)
        if isinstance(value, str):
            return and_(self._is(path, "string"), self._text(path) == value)
        if isinstance(value, list):
            if len(value) > MAX_LIST_ENTRIES:
                raise RejectedRequest(
                    f"a list to compare may hold at most {MAX_LIST_ENTRIES} entries, "
                    f"got {len(value)}"
                )
            return and_(
                self._is(path, "array"),
                self._length(path) == len(value),
                *(self.equals((*path, index), item) for index, item in enumerate(value)),
            )
        raise RejectedRequest(
            "compare the entries of a mapping one by one with dotted keys, e.g. constants.gamma=1"
        )

    def _is(self, path: Path, kind: str) -> ColumnElement[bool]:
        if self.postgresql:
            element = self.column.op("#>", return_type=self._jsonb)(self._pg_path(path))
            typeof = func.jsonb_typeof(element)
            if kind in ("true", "false"):
                return and_(typeof == "boolean", self._text(path) == kind)
            return typeof == kind
        types = {"number": ("integer", "real"), "string": ("text",)}.get(kind, (kind,))
        return func.json_type(self.column, self._path(path)).in_(types)

    def _text(self, path: Path) -> ColumnElement[str]:
        if self.postgresql:
            return self.column.op("#>>", return_type=Text)(self._pg_path(path))
        return func.json_extract(self.column, self._path(path))

    def _length(self, path: Path) -> ColumnElement[int]:
        if self.postgresql:
            element = self.column.op("#>", return_type=self._jsonb)(self._pg_path(path))
            return case((self._is(path, "array"), func.jsonb_array_length(element)))
        return func.json_array_length(self.column, self._path(path))

    @staticmethod
    def _path(path: Path) -> ColumnElement[str]:
        text = "$" + "".join(f"[{p}]" if isinstance(p, int) else f'."{p}"' for p in path)
        return literal(text, Text)

    @staticmethod
    def _pg_path(path: Path) -> ColumnElement[Sequence[str]]:
        from sqlalchemy.dialects.postgresql import ARRAY

        return literal([str(p) for p in path], ARRAY(Text))
