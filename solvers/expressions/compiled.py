"""Evaluating an expression at many points x as a compiled C loop, else with numpy.

The loop is generated from the parsed tree (`c_source`), compiled once per expression text and
cached (`solverq.solvers.native`). Every name other than `x` is a parameter with one value per
problem of a batch, passed as an array, so new values need no new compilation.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from typing import Any

import numpy as np

from solverq.solvers.expressions.c_source import c_expression
from solverq.solvers.expressions.parse import Expression
from solverq.solvers.native import VECTOR_MATH_DECLARATIONS, load_library

TEMPLATE = """\
/* Values of one expression at many points, generated from its parsed syntax tree. */
#include <math.h>
#include <stdint.h>
{declarations}
void evaluate(int64_t count, int64_t batch, const double *points, const double *p, double *out)
{{
    for (int64_t b = 0; b < batch; ++b) {{
{parameters}
#pragma omp simd
        for (int64_t i = 0; i < count; ++i) {{
            const double x = points[i];
            out[i * batch + b] = {value};
        }}
    }}
}}
"""
ARGUMENT_TYPES = (ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def grid_values(
    expression: Expression,
    values: Mapping[str, Any],
    x: np.ndarray,
    batch_size: int | None,
    *,
    native: bool = True,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """`expression` at each point of x (N,), with `values` for its other names (numbers, or (B,)
    arrays for a batch): (N,), or (N, B) for a batch; written into `out` (of that shape) and
    returned as `out` when it is given."""
    x = np.ascontiguousarray(x, dtype=float)
    shape = _checked_shape(x, batch_size, out)
    if native:
        compiled = compiled_values(expression, values, x, batch_size, out=out)
        if compiled is not None:
            return compiled
    points = x if batch_size is None else x[:, np.newaxis]
    with np.errstate(all="ignore"):
        result = expression({**values, "x": points})
    if out is None:
        return np.broadcast_to(result, shape)
    out[...] = result
    return out


def compiled_values(
    expression: Expression,
    values: Mapping[str, Any],
    x: np.ndarray,
    batch_size: int | None,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray | None:
    """As `grid_values`, by compiled code; None when it cannot be compiled. The loop writes
    straight into `out` when it is a C-contiguous float64 array, else into a new array."""
    slots = parameter_slots(expression)
    library = load_library(evaluation_source(expression, slots), vector_math=True)
    if library is None:
        return None
    evaluate = library.evaluate
    evaluate.argtypes = ARGUMENT_TYPES
    evaluate.restype = None
    batch = batch_size or 1
    parameters = np.zeros((max(len(slots), 1), batch))
    for row, (name, index) in zip(parameters, slots, strict=False):
        value = values[name]
        if value is None:  # not given, e.g. y0 of a boundary value problem
            row[:] = np.nan
        else:
            row[:] = value if index is None else value[index]
    shape = _checked_shape(x, batch_size, out)
    direct = out is not None and out.flags.c_contiguous and out.flags.writeable
    direct = direct and out is not None and out.dtype == np.float64
    target = out if out is not None and direct else np.empty(shape)
    evaluate(len(x), batch, x.ctypes.data, parameters.ctypes.data, target.ctypes.data)
    if out is not None and not direct:
        out[...] = target
        return out
    return target


def _checked_shape(
    x: np.ndarray, batch_size: int | None, out: np.ndarray | None
) -> tuple[int, ...]:
    """The shape of the values at the points x, which `out` must have when given."""
    shape = x.shape if batch_size is None else (*x.shape, batch_size)
    if out is not None and out.shape != shape:
        raise ValueError(f"out is {out.shape}, not {shape}")
    return shape


def parameter_slots(expression: Expression) -> list[tuple[str, int | None]]:
    """The names other than x, vector components one by one, in the order of the parameters."""
    variables = expression.variables
    slots: list[tuple[str, int | None]] = [(name, None) for name in variables.scalars]
    slots += [(name, k) for name, length in variables.vectors.items() for k in range(length)]
    return [slot for slot in slots if slot[0] != "x"]


def evaluation_source(expression: Expression, slots: list[tuple[str, int | None]]) -> str:
    index = {slot: j for j, slot in enumerate(slots)}

    def c_name(name: str, component: int) -> str:
        if name == "x":
            return "x"
        return f"p_{index[(name, component if name in expression.variables.vectors else None)]}"

    parameters = [f"const double p_{j} = p[{j} * batch + b];" for j in range(len(slots))]
    return TEMPLATE.format(
        declarations=VECTOR_MATH_DECLARATIONS,
        parameters="\n".join(" " * 8 + line for line in parameters),
        value=c_expression(expression.tree, expression.variables, c_name),
    )
