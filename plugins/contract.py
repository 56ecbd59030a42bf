"""The plugin contract.

A plugin is a class with class-level metadata, one method that solves and, optionally, one
that draws a result and one that applies a trained model to new inputs. `Plugin` is generic over
its parameter model, so that a type checker knows the type of the validated parameters `solve`
and `plot` are given:

    class Convolution(Plugin[ConvolutionParameters]):
        name = "convolution"
        summary = "Discrete convolution: direct, Toeplitz and FFT"
        Parameters = ConvolutionParameters      # a pydantic model, see solverq.plugins.parameters
        requires = ("scipy",)                   # optional: versions recorded with each job
        seed_parameter = None                   # optional: the parameter that seeds randomness
        headline = ("method",)                  # the summary values tables show by default

        def solve(
            self, params: ConvolutionParameters, inputs: Inputs, progress: Progress
        ) -> Result:
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
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import validate_parameters
from solverq.solvers.outcome import Progress

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Inputs", "Params", "Plugin", "Progress", "Result", "jsonable", "refuse_non_finite"]

Params = TypeVar("Params", bound=BaseModel)
"""The parameter model of a plugin."""

Inputs = Mapping[str, np.ndarray]
"""A job's input arrays, by name."""


@dataclass
class Result:
    """What a solve produced: a JSON-able summary of scalars and short lists, and named arrays."""

    summary: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


class Plugin(Generic[Params]):
    """Base class of solver plugins; subclasses set the class attributes and implement `solve`.

    `Plugin[MyParameters]` with ``Parameters = MyParameters``: `validate` returns, and `solve`,
    `check_inputs` and `plot` take, an instance of that model.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    Parameters: type[Params]
    requires: ClassVar[tuple[str, ...]] = ()
    """Distributions the plugin's results depend on (beyond numpy): each job's provenance
    records the versions of those installed where it ran."""
    seed_parameter: ClassVar[str | None] = None
    """The parameter that seeds the plugin's randomness, if it has any: each job's provenance
    records its value."""
    headline: ClassVar[tuple[str, ...]] = ()
    """The keys of the summary values that tell how a run went (`mse`, `max_abs_error`), in
    the order tables show them; empty: tables show every number, flag and string."""

    @classmethod
    def validate(cls, params: Mapping[str, Any], inputs: Inputs | None = None) -> Params:
        """Validate raw parameters (and the input arrays) or raise `RejectedRequest`."""
        validated = validate_parameters(cls.Parameters, params, owner=cls.name)
        cls.check_inputs(validated, inputs or {})
        return validated

    @classmethod
    def check_inputs(cls, params: Params, inputs: Inputs) -> None:
        """Refuse inputs that cannot work with these parameters (raise `RejectedRequest`).

        Called before a job is stored and again before it runs. The default refuses numeric
        arrays that hold NaN or infinity.
        """
        refuse_non_finite(inputs, cls.name)

    @classmethod
    def estimated_seconds(cls, params: Params, inputs: Inputs) -> float:
        """How long solving is expected to take, by the plugin's cost model; a request expected
        to take longer than its job's time limit is refused. The default, 0, refuses nothing."""
        return 0.0

    def solve(self, params: Params, inputs: Inputs, progress: Progress) -> Result:
        """Solve the problem the validated parameters describe."""
        raise NotImplementedError

    def plot(self, figure: Figure, params: Params, inputs: Inputs, result: Result) -> None:
        """Draw what a result of this plugin is about on `figure` (an empty matplotlib figure).

        The default draws each 1-D array of numbers against its index; a plugin overrides it
        to show more (an error on a log scale, a reference solution).
        """
        from solverq.plugins.plotting import plot_arrays

        plot_arrays(figure, result.arrays)

    def predict(self, params: Params, result: Result, inputs: Inputs) -> dict[str, np.ndarray]:
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
