"""Reading a request from the command line: parameters and data files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from solverq.cli.array_files import InputBudget, read_npy, read_npz
from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import MAX_NESTING, assign, check_nesting, parse_assignment


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
    """Named arrays from `.npz` (its names), `.npy` (the file's stem) and `.csv` (the header),
    together at most `max_bytes` (a `.csv` file counts by its size on disk)."""
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
    """Columns of a CSV file with a header row, as float arrays named by the header."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise RejectedRequest(f"data file {path} is empty")
    header = [name.strip() for name in rows[0]]
    if len(set(header)) != len(header) or not all(header):
        raise RejectedRequest(f"data file {path}: the header must name every column once")
    columns: list[list[float]] = [[] for _ in header]
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RejectedRequest(
                f"data file {path}, line {line}: {len(row)} values for {len(header)} columns"
            )
        for column, (name, cell) in enumerate(zip(header, row, strict=True)):
            try:
                columns[column].append(float(cell))
            except ValueError:
                where = f"data file {path}, line {line}, column '{name}'"
                raise RejectedRequest(f"{where}: {cell.strip()!r} is not a number") from None
    return {name: np.array(values) for name, values in zip(header, columns, strict=True)}
