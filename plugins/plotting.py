"""Figures of results (matplotlib, imported only when a figure is drawn).

A job's figure is drawn by its plugin's `Plugin.plot`; the default, `plot_arrays`, draws each
1-D array of numbers against its index. A sweep's figure plots a summary metric over the swept
values: lines for one swept parameter, a heat map for two.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from solverq.plugins.errors import RejectedRequest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = (".png", ".svg")
MAX_DEFAULT_PANELS = 6
MAX_ANNOTATED_CELLS = 144
DECADES = 2.0


def new_figure(width: float = 7.0, height: float = 4.5) -> Figure:
    """An empty figure that belongs to no window (it renders with Agg, or as SVG)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_figure(figure: Figure, path: Path) -> None:
    """Write the figure as PNG or SVG, by the file's suffix."""
    if path.suffix.lower() not in FORMATS:
        raise RejectedRequest(f"a figure is written as .png or .svg, not '{path.name}'")
    try:
        figure.savefig(path, dpi=150)
    except OSError as error:
        raise RejectedRequest(f"cannot write {path}: {error.strerror}") from None


def plot_arrays(figure: Figure, arrays: Mapping[str, np.ndarray]) -> None:
    """Each 1-D array of real numbers against its index, one panel per array."""
    plotted = {
        name: array
        for name, array in arrays.items()
        if array.ndim == 1 and array.size and array.dtype.kind in "biuf"
    }
    if not plotted:
        raise RejectedRequest("the result has no 1-D array of numbers to plot")
    names = list(plotted)[:MAX_DEFAULT_PANELS]
    for axes, name in zip(figure.subplots(len(names), 1, squeeze=False)[:, 0], names, strict=True):
        axes.plot(
            np.arange(plotted[name].size),
            plotted[name],
            marker="." if plotted[name].size <= 50 else "",
        )
        axes.set_ylabel(name)
        if spans_decades(plotted[name]):
            axes.set_yscale("log")
    axes.set_xlabel("index")


@dataclass(frozen=True)
class Line:
    """One line of `plot_lines`: its label and its points."""

    label: str
    x: np.ndarray
    y: np.ndarray


def plot_lines(figure: Figure, lines: Sequence[Line], x_label: str, y_label: str) -> None:
    """Labelled lines on one axes, each axis on a log scale when its values span decades."""
    axes = figure.subplots()
    for line in lines:
        axes.plot(line.x, line.y, marker="." if line.y.size <= 50 else "", label=line.label)
    axes.legend()
    if spans_decades(np.concatenate([line.x for line in lines])):
        axes.set_xscale("log")
    if spans_decades(np.concatenate([line.y for line in lines])):
        axes.set_yscale("log")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)


def plot_sweep_lines(
    figure: Figure, rows: Sequence[Mapping[str, Any]], x: str, metric: str, series: Sequence[str]
) -> None:
    """`metric` over the values of `x`, one line per combination of the `series` values."""
    numeric_x = all(_is_number(row[x]) for row in rows)
    positions, labels = _axis([row[x] for row in rows])
    lines: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for row in rows:
        key = tuple(f"{name}={_label(row[name])}" for name in series)
        points = lines.setdefault(key, [])
        if _is_number(row[metric]):
            points.append((row[x] if numeric_x else positions[_key(row[x])], row[metric]))
    axes = figure.subplots()
    for key, points in lines.items():
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=", ".join(key))
    if series:
        axes.legend()
    if not numeric_x:
        axes.set_xticks(range(len(labels)), labels)
    elif spans_decades([row[x] for row in rows]):
        axes.set_xscale("log")
    if spans_decades([row[metric] for row in rows if _is_number(row[metric])]):
        axes.set_yscale("log")
    axes.set_xlabel(x)
    axes.set_ylabel(metric)


def plot_sweep_heatmap(
    figure: Figure, rows: Sequence[Mapping[str, Any]], x: str, y: str, metric: str
) -> None:
    """`metric` as colours over the grid of `x` (columns) and `y` (rows), with a colour bar,
    the values written in the cells when the grid is small, and missing values left blank."""
    from matplotlib.colors import LogNorm

    columns, column_labels = _axis([row[x] for row in rows])
    lines, line_labels = _axis([row[y] for row in rows])
    values = np.full((len(lines), len(columns)), np.nan)
    for row in rows:
        if _is_number(row[metric]):
            values[lines[_key(row[y])], columns[_key(row[x])]] = row[metric]
    finite = values[np.isfinite(values)]
    axes = figure.subplots()
    image = axes.imshow(
        np.ma.masked_invalid(values),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        norm=LogNorm() if spans_decades(finite) else None,
    )
    axes.set_xticks(range(len(columns)), column_labels)
    axes.set_yticks(range(len(lines)), line_labels)
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    figure.colorbar(image, ax=axes, label=metric)
    if values.size <= MAX_ANNOTATED_CELLS:
        middle = np.sqrt(finite.min() * finite.max()) if spans_decades(finite) else finite.mean()
        for (line, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                colour = "black" if value > middle else "white"
                axes.text(column, line, f"{value:.3g}", ha="center", va="center", color=colour)


def spans_decades(values: Sequence[float] | np.ndarray) -> bool:
    """Whether positive values spread over two decades or more: a log scale shows them better."""
    numbers = np.asarray(values, dtype=float)
    finite = numbers[np.isfinite(numbers)]
    return (
        bool(finite.size)
        and finite.min() > 0
        and math.log10(finite.max() / finite.min()) >= DECADES
    )


def _axis(values: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    """The distinct values in order of first appearance: their positions, and their labels."""
    positions: dict[str, int] = {}
    labels: list[str] = []
    for value in values:
        if _key(value) not in positions:
            positions[_key(value)] = len(labels)
            labels.append(_label(value))
    return positions, labels


def _key(value: Any) -> str:
    return json.dumps(value)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
