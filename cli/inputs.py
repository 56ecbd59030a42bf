"""Reading a request from the command line: parameters and data files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import MAX_NESTING, assign, check_nesting, parse_assignment
from solverq.worker.input_files import InputBudget, read_npy, read_npz


def read_parameters(params_file: Path | None, assignments: list[str]) -> dict[str, Any]:
    """Parameters from a JSON file, then `KEY=VALUE` assignments on top of them."""
    params: dict[str, Any] = {}
    if params_file is not None:
        try:
            loaded = json.loads(params_file.read_text())
        except OSError as error:
            raise RejectedRequest(f"cannot read {params_file}: {error.strerror}") from None
        except ValueError as error:
            raise RejectedRequest(f"{params_file} is not valid JSON: {error}") from None
        except RecursionError:
            raise RejectedRequest(f"{params_file} nests lists deeper than {MAX_NESTING}") from None
        if not isinstance(loaded, dict):
            raise RejectedRequest(f"{params_file} must hold a JSON object of parameters")
        check_nesting(loaded, str(params_file))
        params.update(loaded)
    for text in assignments:
        key, value = parse_assignment(text)
        assign(params, key, value)
    return params


def read_data(paths: list[Path], max_bytes: int) -> dict[str, np.ndarray]:
    """Named arrays from `.npz` (its names), `.npy` (the file's stem) and `.csv` (the header:
    numbers, or text for a column without any number), together at most `max_bytes` (a `.csv`
    file counts by its size on disk)."""
    budget = InputBudget(max_bytes)
    arrays: dict[str, np.ndarray] = {}
    for path in paths:
        for name, array in _read_data_file(path, budget).items():
            if name in arrays:
                raise RejectedRequest(f"array '{name}' is given by more than one data file")
            arrays[name] = array
    return arrays


def _read_data_file(path: Path, budget: InputBudget) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise RejectedRequest(f"data file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return read_npz(path, budget)
    if suffix == ".npy":
        return read_npy(path, budget)
    if suffix == ".csv":
        budget.take_bytes(f"data file {path}", path.stat().st_size, "as text")
        try:
            return _read_csv(path)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise RejectedRequest(f"cannot read data file {path}: {error}") from None
    raise RejectedRequest(f"data file {path} must be .npz, .npy or .csv")


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV file with a header row, as arrays named by the header.

    A column is numbers (float) unless none of its cells is a number: then it is text (labels).
    A first column without a name is the index pandas writes with `to_csv` and is left out.
    """

    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise RejectedRequest(f"data file {path} is empty")
    header = [name.strip() for name in rows[0]]
    index_column = bool(header) and header[0] in ("", "Unnamed: 0")
    names = header[1:] if index_column else header
    if len(set(names)) != len(names) or not all(names):
        raise RejectedRequest(f"data file {path}: the header must name every column once")
    cells: list[list[str]] = [[] for _ in names]
    lines: list[int] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RejectedRequest(
                f"data file {path}, line {line}: {len(row)} values for {len(header)} columns"
            )
        for column, cell in enumerate(row[1:] if index_column else row):
            cells[column].append(cell.strip())
        lines.append(line)
    return {
        name: _column(column, path, name, lines) for name, column in zip(names, cells, strict=True)
    }


def _column(cells: list[str], path: Path, name: str, lines: list[int]) -> np.ndarray:
    """The cells of one column as numbers, or as text when none of them is a number."""
    import numpy as np

    values: list[float] = []
    for cell, line in zip(cells, lines, strict=True):
        try:
            values.append(float(cell))
        except ValueError:
            if values or any(_is_number(other) for other in cells):
                where = f"data file {path}, line {line}, column '{name}'"
                raise RejectedRequest(f"{where}: {cell!r} is not a number") from None
            return np.array(cells)
    return np.array(values)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
