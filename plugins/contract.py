"""The plugin contract.

A plugin is a class with class-level metadata, one method that solves and, optionally, one
that draws a result and one that applies a trained model to new inputs:

    class Convolution(Plugin):
        name = "convolution"
        summary = "Discrete convolution: direct, Toeplitz and FFT"
        Parameters = ConvolutionParameters      # a pydantic model, see solverq.plugins.parameters

        def solve(self, params, inputs, progress):
            ...
            return Result(summary={...}, arrays={"output": out})

        def plot(self, figure, params, inputs, result):     # optional: `solverq plot JOB`
            ...

        def predict(self, params, result, inputs):          # optional: `solverq predict JOB`
            ...
            return {"predictions": values}

It is registered in the entry-point group ``solverq.solvers`` of its distribution, under its name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import validate_parameters
from solverq.solvers.outcome import Progress

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class Result:
    """What a solve produced: a JSON-able summary of scalars and short lists, and named arrays."""

    summary: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


class Plugin:
    """Base class of solver plugins; subclasses set the class attributes and implement `solve`."""

    name: ClassVar[str]
    summary: ClassVar[str]
    Parameters: ClassVar[type[BaseModel]]

    @classmethod
    def validate(
        cls, params: Mapping[str, Any], inputs: Mapping[str, np.ndarray] | None = None
    ) -> BaseModel:
        """Validate raw parameters (and the input arrays) or raise `RejectedRequest`."""
        validated = validate_parameters(cls.Parameters, params, owner=cls.name)
        cls.check_inputs(validated, inputs or {})
        return validated

    @classmethod
    def check_inputs(cls, params: BaseModel, inputs: Mapping[str, np.ndarray]) -> None:
        """Refuse inputs that cannot work with these parameters (raise `RejectedRequest`).

        Called before a job is stored and again before it runs. The default refuses numeric
        arrays that hold NaN or infinity.
        """
        refuse_non_finite(inputs, cls.name)

    def solve(
        self,
        params: BaseModel,
        inputs: Mapping[str, np.ndarray],
        progress: Progress,
    ) -> Result:
        """Solve the problem the validated parameters describe."""
        raise NotImplementedError

    def plot(
        self,
        figure: Figure,
        params: BaseModel,
        inputs: Mapping[str, np.ndarray],
        result: Result,
    ) -> None:
        """Draw what a result of this plugin is about on `figure` (an empty matplotlib figure).

        The default draws each 1-D array of numbers against its index; a plugin overrides it
        to show more (an error on a log scale, a reference solution).
        """
        from solverq.plugins.plotting import plot_arrays

        plot_arrays(figure, result.arrays)

    def predict(
        self, params: BaseModel, result: Result, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Apply the model that `result` stores to new `inputs` (arrays read as for a job) and
        return named arrays, or raise `RejectedRequest`. The default: this plugin trains no model.
        """
        raise RejectedRequest(f"plugin {self.name} trains no model that can predict")


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: numpy scalars and arrays become numbers and lists, tuples
    lists, and non-finite floats None. Anything else that JSON cannot hold raises `TypeError`."""
    if isinstance(value, np.generic):
        value = value.item()
    # Numbers before containers: summaries are mostly lists of floats.
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(item) for item in value]
    if isinstance(value, complex):
        return [jsonable(value.real), jsonable(value.imag)]
    raise TypeError(f"{type(value).__name__} is not JSON data")


def refuse_non_finite(inputs: Mapping[str, np.ndarray], owner: str) -> None:
    """Raise `RejectedRequest` naming the first input array with a NaN or infinite entry."""
    for name, array in inputs.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            where = f" at index {index[0] if len(index) == 1 else index}" if index else ""
            raise RejectedRequest(
                f"input array '{name}' of {owner} holds {array[index]}{where}; "
                "numbers must be finite"
            )
