"""The `convolution` plugin: 1-D or 2-D convolution of two inputs, i.e. polynomial products.

solverq submit convolution -p a=[1,2] -p b=[1,3] --wait        # (1 + 2x)(1 + 3x)
solverq submit convolution --data image.npz -p mode=same --wait  # arrays 'a' and 'b'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, Field, WithJsonSchema

from solverq.plugins import Plugin, Progress, RejectedRequest, Result, SolveFailed
from solverq.plugins.builtin.plots.convolution import plot_convolution
from solverq.plugins.parameters import ParameterModel
from solverq.solvers.convolution import convolve, plan_convolution

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INPUT_NAMES = ("a", "b")
MAX_LISTED_OUTPUT = 1000
MAX_LISTED_BITS = 3000
"""Exact integers longer than this (about 900 digits) are left to the output array."""


def _number_array(values: list[Any]) -> list[Any]:
    """Accept a non-empty list of finite numbers, or a list of equal-length such rows."""
    if not values:
        raise ValueError("must be a non-empty list of numbers, or of equal-length rows of numbers")
    rows = [isinstance(v, list) for v in values]
    if any(rows) and not all(rows):
        first_other = rows.index(not rows[0])
        raise ValueError(f"mixes numbers and rows (entry [{first_other}]); give one or the other")
    if all(rows):
        lengths = {len(row) for row in values}
        if len(lengths) > 1 or 0 in lengths:
            raise ValueError(
                "must have non-empty rows of equal length; the rows have "
                f"{', '.join(str(len(row)) for row in values[:10])}"
                f"{', ...' if len(values) > 10 else ''} entries"
            )
        entries = [(f"[{i}][{j}]", v) for i, row in enumerate(values) for j, v in enumerate(row)]
    else:
        entries = [(f"[{i}]", v) for i, v in enumerate(values)]
    for where, value in entries:
        if isinstance(value, list):
            raise ValueError(f"must be 1-D or 2-D; entry {where} is a list (3-D or deeper)")
        if value in ("NaN", "Infinity", "-Infinity"):
            raise ValueError(f"must hold only finite numbers; entry {where} is {value}")
        if type(value) not in (int, float):
            raise ValueError(f"must hold only numbers; entry {where} is {value!r}")
        if type(value) is float and not math.isfinite(value):
            raise ValueError(f"must hold only finite numbers; entry {where} is {value!r}")
    if any(type(v) is float for _, v in entries):
        for where, value in entries:
            try:
                float(value)
            except OverflowError:
                raise ValueError(
                    f"mixes floats with an integer too large for one (entry {where})"
                ) from None
    return values


NumberArray = Annotated[
    list[Any],
    AfterValidator(_number_array),
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {"type": "number"},
                    {"type": "array", "minItems": 1, "items": {"type": "number"}},
                ]
            },
        }
    ),
]


class ConvolutionParameters(ParameterModel):
    a: NumberArray | None = Field(
        None,
        description="First input: a list of numbers (1-D), e.g. [1,2,3], or a list of "
        "equal-length rows (2-D); or array 'a' of a --data file. Integers are convolved exactly.",
    )
    b: NumberArray | None = Field(
        None,
        description="Second input, like a (same number of dimensions); or array 'b' of a --data "
        "file.",
    )
    mode: Literal["full", "same", "valid"] = Field(
        "full",
        description="Output size, as numpy.convolve (1-D) and scipy.signal.convolve2d (2-D): "
        "full (every overlap), same (1-D: the longer input's length; 2-D: the shape of a, "
        "centred), valid (only complete overlaps).",
    )
    method: Literal["auto", "direct", "toeplitz", "fft"] = Field(
        "auto",
        description="auto (the faster of direct and fft, never an inexact integer), direct (the "
        "defining sums), toeplitz (the explicit Toeplitz matrix product T(a) b), fft (the FFT, "
        "by overlap-add blocks when one input is much shorter).",
    )


class ConvolutionPlugin(Plugin[ConvolutionParameters]):
    name = "convolution"
    summary = "Discrete convolution and polynomial products: direct, Toeplitz and FFT"
    Parameters = ConvolutionParameters
    requires = ("scipy",)
    headline = ("method",)

    @classmethod
    def check_inputs(cls, params: ConvolutionParameters, inputs: Mapping[str, np.ndarray]) -> None:
        super().check_inputs(params, inputs)
        for name in inputs:
            if name not in INPUT_NAMES:
                raise RejectedRequest(f"convolution takes input arrays 'a' and 'b', not '{name}'")
        a, b = _input_arrays(params, inputs)
        try:
            plan_convolution(a, b, params.mode, params.method)
        except ValueError as error:
            raise RejectedRequest(f"convolution: {error}") from None

    @classmethod
    def estimated_seconds(
        cls, params: ConvolutionParameters, inputs: Mapping[str, np.ndarray]
    ) -> float:
        """The seconds `solverq.solvers.convolution.cost` expects the planned method to take."""
        a, b = _input_arrays(params, inputs)
        return plan_convolution(a, b, params.mode, params.method).seconds

    def solve(
        self,
        params: ConvolutionParameters,
        inputs: Mapping[str, np.ndarray],
        progress: Progress,
    ) -> Result:
        a, b = _input_arrays(params, inputs)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
            result = convolve(a, b, params.mode, params.method, progress)
        output = result.output
        overflowed = _overflowed(output)
        if overflowed:
            raise SolveFailed(
                f"the convolution overflowed: {overflowed} of {output.size} output values are "
                f"beyond the range of {output.dtype} (about {np.finfo(output.dtype).max:.3g}) "
                "from finite inputs; scale the inputs down",
                arrays={"output": output},
            )
        summary: dict[str, Any] = {
            "method": result.method,
            "mode": params.mode,
            "shape": list(output.shape),
            "a_shape": list(a.shape),
            "b_shape": list(b.shape),
            "dtype": "big integers" if output.dtype == object else str(output.dtype),
        }
        if output.size <= MAX_LISTED_OUTPUT and not _has_long_integers(output):
            summary["output"] = output.tolist()
        return Result(summary, {"output": output})

    def plot(
        self,
        figure: Figure,
        params: ConvolutionParameters,
        inputs: Mapping[str, np.ndarray],
        result: Result,
    ) -> None:
        a, b = _input_arrays(params, inputs)
        plot_convolution(figure, a, b, result.arrays["output"])


def _overflowed(output: np.ndarray) -> int:
    """How many output values are infinite or NaN: the inputs are finite (`check_inputs`), so
    these overflowed (none for integers, exact or refused when they could overflow)."""
    if output.dtype.kind not in "fc":
        return 0
    return int(output.size - np.count_nonzero(np.isfinite(output)))


def _input_arrays(
    params: ConvolutionParameters, inputs: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Each input from its parameter list or its data array, exactly one of the two."""
    arrays = []
    for name in INPUT_NAMES:
        values = getattr(params, name)
        if values is not None and name in inputs:
            raise RejectedRequest(
                f"convolution: '{name}' is given both as a parameter and as a data array"
            )
        if values is None and name not in inputs:
            raise RejectedRequest(
                f"parameter '{name}' of convolution is required: a list (-p {name}=[1,2,3]) "
                f"or array '{name}' of a --data file"
            )
        arrays.append(inputs[name] if values is None else _from_list(values))
    return arrays[0], arrays[1]


def _from_list(values: list[Any]) -> np.ndarray:
    """Integers as int64, or as exact Python integers beyond it; anything else as float64."""
    flat = [v for row in values for v in row] if isinstance(values[0], list) else values
    if all(type(v) is int for v in flat):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            return np.array(values, dtype=object)
    return np.array(values, dtype=np.float64)


def _has_long_integers(output: np.ndarray) -> bool:
    """True when an exact integer of `output` is too long to list in a summary."""
    return output.dtype == object and any(v.bit_length() > MAX_LISTED_BITS for v in output.flat)
