"""Tables of many rows (jobs, sweep points) that fit the terminal: every row one line, every
heading whole.

Columns start at their natural width, the widest of their heading and cells (a long list of
values cut). While the table is wider than the terminal, the note column (an error, a progress
message) gives up width first, then the value columns with the most to spare, each cell cut with
an ellipsis, never narrower than its heading. Columns that still do not fit are left out from
the right (the note column last), and named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from rich.text import Text

GAP = 2
"""Spaces between two columns."""
MIN_NOTE = 12
MIN_VALUE = 8
MAX_VALUE = 24


@dataclass(frozen=True)
class Column:
    """A heading and one cell per row; `cut=False` keeps every cell whole (ids, states)."""

    header: str
    cells: Sequence[Text]
    cut: bool = True
    note: bool = False


@dataclass(frozen=True)
class FittedTable:
    """The table, the headings of the columns left out, and those of the columns cut."""

    table: Table
    left_out: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)


def print_fitted(console: Console, fitted: FittedTable, note: str) -> None:
    """The table, then what it left out, and where a `note` cell cut short is read in full."""
    console.print(fitted.table)
    if fitted.left_out:
        console.print(Text(f"too wide to show: {', '.join(fitted.left_out)} (see --csv)"))
    if note in fitted.cut:
        console.print(Text(f"an {note} in full: solverq status JOB"))


def one_line(text: str) -> Text:
    """`text` up to its first line break, with an ellipsis when there is more."""
    first, newline, _ = text.strip().partition("\n")
    return Text(first.rstrip() + (" …" if newline else ""))


def fitted_table(columns: Sequence[Column], width: int) -> FittedTable:
    """The columns as a table at most `width` characters wide, as the module describes."""
    kept = list(range(len(columns)))
    widths = _widths([columns[i] for i in kept], width)
    while widths is None and any(columns[i].cut for i in kept):
        kept.remove(max(kept, key=lambda i: (columns[i].cut, not columns[i].note, i)))
        widths = _widths([columns[i] for i in kept], width)
    if widths is None:
        widths = [_natural(columns[i]) for i in kept]
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
    for index, column_width in zip(kept, widths, strict=True):
        table.add_column(
            Text(columns[index].header), width=column_width, no_wrap=True, overflow="ellipsis"
        )
    for row in range(len(columns[0].cells) if columns else 0):
        table.add_row(*(columns[i].cells[row] for i in kept))
    return FittedTable(
        table,
        left_out=[column.header for i, column in enumerate(columns) if i not in kept],
        cut=[
            columns[i].header
            for i, column_width in zip(kept, widths, strict=True)
            if column_width < _widest(columns[i])
        ],
    )


def _widths(columns: Sequence[Column], width: int) -> list[int] | None:
    """The width of each column so that the table fits `width`, or None when it cannot: the
    note columns give up width first, then the value column with the most to spare."""
    widths = [_natural(column) for column in columns]
    spare = [widths[i] - _least(column) for i, column in enumerate(columns)]
    excess = sum(widths) + GAP * (len(columns) - 1) - width
    for i, column in enumerate(columns):
        if column.note and excess > 0:
            given = min(excess, spare[i])
            widths[i] -= given
            spare[i] -= given
            excess -= given
    while excess > 0:
        widest = max(range(len(columns)), key=lambda i: (spare[i], widths[i]), default=None)
        if widest is None or spare[widest] <= 0:
            return None
        widths[widest] -= 1
        spare[widest] -= 1
        excess -= 1
    return widths


def _widest(column: Column) -> int:
    return max([len(column.header), *(cell.cell_len for cell in column.cells)])


def _natural(column: Column) -> int:
    """The widest of the heading and the cells; a long value (a list) is cut at MAX_VALUE."""
    widest = _widest(column)
    if column.cut and not column.note:
        return min(widest, max(len(column.header), MAX_VALUE))
    return widest


def _least(column: Column) -> int:
    """How narrow the column may become: its heading, and a few characters of each cell."""
    if not column.cut:
        return _natural(column)
    return min(_natural(column), max(len(column.header), MIN_NOTE if column.note else MIN_VALUE))
