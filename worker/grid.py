"""Parameter grids: the points of a sweep.

A grid maps parameter names (dotted for an entry of a mapping: `constants.gamma`) to the values
each one takes; its points are the cartesian product, the last name varying fastest. Every point
starts from the parameters the points share and sets its own values on top of them.

On the command line the values of one name are written `KEY=V1,V2,...`, split at the commas
outside brackets and quotes (`y0=[1,0],[0,1]` is two lists) and each read like a `-p` value, or
`KEY=linspace(a,b,n)` / `KEY=logspace(a,b,n)` with numpy's meaning (logspace runs from 10**a to
10**b). Those two forms are matched by a strict pattern, never evaluated.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import assign, parse_value

MAX_POINTS = 10_000

Grid = dict[str, list[Any]]

_NUMBER = r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_SPACING = re.compile(rf"(linspace|logspace)\({_NUMBER},{_NUMBER},\s*(\d+)\s*\)")
_OPENING = {"[": "]", "{": "}", "(": ")"}


def parse_grid_options(texts: Sequence[str]) -> dict[str, list[Any]]:
    """The `--grid` options of a command as names and their values, each name given once."""
    grid: dict[str, list[Any]] = {}
    for text in texts:
        key, values = parse_grid_option(text)
        if key in grid:
            raise RejectedRequest(f"'{key}' is given more than one grid")
        grid[key] = values
    return grid


def parse_grid_option(text: str) -> tuple[str, list[Any]]:
    """`KEY=V1,V2,...` (or `KEY=linspace(a,b,n)`) as the key and its list of values."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip():
        raise RejectedRequest(f"expected KEY=V1,V2,... for a grid, got '{text}'")
    key = key.strip()
    return key, parse_values(values, key)


def parse_values(text: str, key: str) -> list[Any]:
    """The values `text` lists for `key`: comma-separated, or a linspace/logspace."""
    spacing = _SPACING.fullmatch(text.strip())
    if spacing:
        return _spaced(key, *spacing.groups())
    if text.strip().startswith(("linspace", "logspace")):
        raise RejectedRequest(
            f"grid of '{key}': expected {text.strip()[:8]}(start,stop,count) with numbers, "
            f"got '{text.strip()}'"
        )
    return [parse_value(item) for item in _split_top_level(text, key)]


def build_grid(grid: Mapping[str, Sequence[Any] | str]) -> Grid:
    """A grid from names and their values (a list, or a string as `--grid` takes it), checked:
    every name well formed, with at least one value, and no more than `MAX_POINTS` points."""
    built: Grid = {}
    for key, values in grid.items():
        if not re.fullmatch(r"[^.\s]+(\.[^.\s]+)*", key):
            raise RejectedRequest(f"malformed parameter name '{key}' in the grid")
        listed = parse_values(values, key) if isinstance(values, str) else list(values)
        if not listed:
            raise RejectedRequest(f"grid of '{key}' has no values")
        built[key] = listed
    if not built:
        raise RejectedRequest("a sweep needs a grid: at least one --grid KEY=V1,V2,...")
    size = math.prod(len(values) for values in built.values())
    if size > MAX_POINTS:
        shape = " x ".join(str(len(values)) for values in built.values())
        raise RejectedRequest(f"the grid has {size} points ({shape}); the limit is {MAX_POINTS}")
    return built


def grid_points(grid: Grid) -> list[dict[str, Any]]:
    """The points of the grid in order, each a mapping of the swept names to their values."""
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def point_parameters(shared: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of one point: the shared ones with the point's values set on top."""
    params = copy.deepcopy(dict(shared))
    for key, value in point.items():
        assign(params, key, value)
    return params


def describe_point(point: Mapping[str, Any]) -> str:
    """`eta=0.1, batch_size=10`: a point as a user would type it."""
    return ", ".join(f"{key}={shown(value)}" for key, value in point.items())


def shown(value: Any) -> str:
    """A parameter value as typed on the command line: strings bare, the rest as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _spaced(key: str, kind: str, start: str, stop: str, count: str) -> list[float]:
    import numpy as np

    n = int(count)
    if not 1 <= n <= MAX_POINTS:
        raise RejectedRequest(
            f"grid of '{key}': {kind} needs between 1 and {MAX_POINTS} values, got {n}"
        )
    with np.errstate(over="ignore"):
        values = (np.linspace if kind == "linspace" else np.logspace)(float(start), float(stop), n)
    if not np.isfinite(values).all():
        raise RejectedRequest(f"grid of '{key}': {kind}({start},{stop},{n}) overflows")
    return values.tolist()


def _split_top_level(text: str, key: str) -> list[str]:
    """`text` split at the commas outside brackets and JSON strings."""
    items: list[str] = []
    closing: list[str] = []
    start = 0
    in_string = escaped = False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENING:
            closing.append(_OPENING[char])
        elif char in _OPENING.values():
            if not closing or closing.pop() != char:
                raise RejectedRequest(f"grid of '{key}': unbalanced '{char}' in '{text}'")
        elif char == "," and not closing:
            items.append(text[start:position])
            start = position + 1
    if closing or in_string:
        raise RejectedRequest(f"grid of '{key}': unclosed bracket or quote in '{text}'")
    items.append(text[start:])
    if any(not item.strip() for item in items):
        raise RejectedRequest(f"grid of '{key}': empty value in '{text}'")
    return [item.strip() for item in items]
