"""The parameters of an ODE problem, shared by the plugins that solve ODEs.

A problem is named (`problem=decay`, `problem=oscillator`) or written out: `rhs` in the
expression language of `solverq.solvers.expressions`, `order`, `y0`, `dy0`, `x0`, `x1`, `constants`
and optionally `exact`. Parameters given explicitly override a named problem's defaults; its
constants merge with the given ones, so `-p problem=decay -p constants.gamma=3` changes gamma
only. Validated parameters hold the whole problem (the named problem's defaults filled in), so
a stored job shows the equation it solved.

Batches: `y0` as a list of numbers for a scalar problem (or a list of lists, one per problem,
for a system), and constants given as lists, describe B problems solved together; every list
must have the same length B.

Plugins subclass `ODEProblemParameters`, add their own fields and turn validated parameters into
an `ODEProblem` with `build_problem`. `check_problem` runs the checks that involve several
fields; a subclass overrides its steps (for instance `check_initial_values`) where its problems
differ.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal, Self

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from solverq.plugins.parameters import ParameterModel
from solverq.solvers.expressions import ExpressionError, Variables, normal_name, parse
from solverq.solvers.ode.equations import (
    RESERVED_NAMES,
    exact_variables,
    expression_problem,
    rhs_variables,
)
from solverq.solvers.ode.named import NAMED_PROBLEMS, NamedProblem
from solverq.solvers.ode.problem import ODEProblem

MAX_COMPONENTS = 20
MAX_CONSTANTS = 50
MAX_NAME_LENGTH = 32
MAX_BATCH = 10_000

Values = float | list[float] | list[list[float]]


class ODEProblemParameters(ParameterModel):
    """An ODE problem: y' = rhs (order 1) or y'' = rhs (order 2) on [x0, x1]."""

    batch_allowed: ClassVar[bool] = True
    """False in a subclass whose plugin cannot solve batches."""

    problem: Literal["decay", "oscillator"] | None = Field(
        None,
        description=(
            "A named problem that supplies the defaults: decay (y' = -gamma y) or oscillator "
            "(m y'' + eta y' + k y = F0 cos(omega x)); other parameters override its values."
        ),
    )
    rhs: str | list[str] | None = Field(
        None,
        description=(
            "The right-hand side: y' (order 1) or y'' (order 2) as an expression in x, y, dy "
            "(order 2) and the constants, e.g. '-gamma * y'; for a system a list, one per "
            "component, using y[0], y[1], dy[0], ... Required unless a problem is named."
        ),
    )
    order: Literal[1, 2] = Field(1, description="The order of the equation: 1 or 2.")
    constants: dict[str, float | list[float]] = Field(
        default_factory=dict,
        description=(
            "Named numbers the expressions may use, e.g. {'gamma': 2}; a list of numbers makes "
            "a batch, one problem per value."
        ),
    )
    y0: Values | None = Field(
        None,
        description=(
            "y(x0): a number, or one per component for a system; a list of numbers for a "
            "scalar problem (a list of lists for a system) is a batch of starting points."
        ),
    )
    dy0: Values | None = Field(None, description="y'(x0) of an order-2 problem, shaped like y0.")
    x0: float = Field(0.0, description="The start of the interval.")
    x1: float | None = Field(None, description="The end of the interval (greater than x0).")
    exact: str | list[str] | None = Field(
        None,
        description=(
            "The exact solution, if known, to report errors: an expression in x, x0, y0, dy0 "
            "and the constants (a list for a system). A named problem supplies its own while "
            "its rhs and order are kept."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def fill_named_problem(cls, data: Any) -> Any:
        """The named problem's values where none are given; its constants under the given.

        The names of the given constants are first read as the expressions' names are
        (`normal_name`): gamma in fullwidth letters is gamma, here and in every later check.
        """
        if isinstance(data, dict) and isinstance(data.get("constants"), dict):
            data = {**data, "constants": _normal_names(data["constants"])}
        if not isinstance(data, dict) or data.get("problem") not in NAMED_PROBLEMS:
            return data
        named = NAMED_PROBLEMS[data["problem"]]
        filled = dict(data)
        defaults = {
            "rhs": named.rhs,
            "order": named.order,
            "y0": named.y0,
            "dy0": named.dy0,
            "x0": named.x0,
            "x1": named.x1,
        }
        for key, value in defaults.items():
            if filled.get(key) is None:
                filled[key] = value
        given = filled.get("constants")
        if given is None or isinstance(given, dict):
            filled["constants"] = {**named.constants, **(given or {})}
        return filled

    @field_validator("rhs", "exact", mode="before")
    @classmethod
    def numbers_as_text(cls, value: Any) -> Any:
        """A bare number is an expression too (`-p rhs=2` means y' = 2)."""
        if isinstance(value, list):
            return [cls.numbers_as_text(item) for item in value]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return repr(value)
        return value

    @field_validator("constants")
    @classmethod
    def check_constant_names(cls, constants: dict[str, Any]) -> dict[str, Any]:
        if len(constants) > MAX_CONSTANTS:
            raise ValueError(f"may name at most {MAX_CONSTANTS} constants")
        for name, value in constants.items():
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"names a constant '{name}', which is not a valid name")
            if name in RESERVED_NAMES:
                raise ValueError(f"names a constant '{name}', which is reserved for the language")
            if len(name) > MAX_NAME_LENGTH:
                raise ValueError(f"names a constant longer than {MAX_NAME_LENGTH} characters")
            if isinstance(value, list) and not value:
                raise ValueError(f"gives constant '{name}' an empty list of values")
        return constants

    @model_validator(mode="after")
    def check_problem(self) -> Self:
        """The checks that involve several parameters, in order."""
        self.check_equations()
        self.check_interval()
        self.check_initial_values()
        self.check_batch()
        self.check_exact()
        return self

    @property
    def components(self) -> int:
        """m: 1 for a single rhs, the length of the list for a system."""
        return 1 if isinstance(self.rhs, str) else len(self.rhs or ())

    def check_equations(self) -> None:
        if self.rhs is None:
            raise parameter_error(
                ("rhs",), "is required unless a problem is named (decay, oscillator)", None
            )
        if isinstance(self.rhs, list) and not 1 <= len(self.rhs) <= MAX_COMPONENTS:
            raise parameter_error(
                ("rhs",), f"must list 1 to {MAX_COMPONENTS} expressions", self.rhs
            )
        variables = rhs_variables(self.components, self.order, list(self.constants))
        self._check_expressions("rhs", self.rhs, variables)

    def check_interval(self) -> None:
        if self.x1 is None:
            raise parameter_error(("x1",), "is required unless a problem is named", None)
        if not self.x1 > self.x0:
            raise parameter_error(("x1",), f"must be greater than x0 = {self.x0}", self.x1)
        if not math.isfinite(self.x1 - self.x0):
            raise parameter_error(
                ("x1",), f"is too far from x0 = {self.x0}: x1 - x0 overflows", self.x1
            )

    def check_initial_values(self) -> None:
        """y0 (and dy0 for order 2) are given, one value per component or a batch of them."""
        needed = ("y0", "dy0") if self.order == 2 else ("y0",)
        for name in needed:
            if getattr(self, name) is None:
                raise parameter_error((name,), f"is required for order {self.order}", None)
        if self.order == 1 and self.dy0 is not None:
            raise parameter_error(("dy0",), "is only for order 2", self.dy0)
        for name in needed:
            self._check_shape(name, getattr(self, name))

    def check_batch(self) -> None:
        """Batch sizes agree, stay within bounds, and batches are allowed at all."""
        sizes = self._batch_sizes()
        if not sizes:
            return
        first, size = next(iter(sizes.items()))
        if not self.batch_allowed:
            raise parameter_error(
                _location(first),
                "must be a single value: batches are not supported here",
                self._value(first),
            )
        for name, other in sizes.items():
            if other != size:
                raise parameter_error(
                    _location(name),
                    f"has {other} values where {first} has {size}: a batch has one size",
                    self._value(name),
                )
        if size > MAX_BATCH:
            raise parameter_error(
                _location(first),
                f"makes a batch of {size} problems; at most {MAX_BATCH} are allowed",
                self._value(first),
            )

    def check_exact(self) -> None:
        if self.exact is None:
            return
        exact = [self.exact] if isinstance(self.exact, str) else self.exact
        if len(exact) != self.components:
            raise parameter_error(
                ("exact",), f"must give one expression per component ({self.components})", exact
            )
        variables = exact_variables(self.components, self.order, list(self.constants))
        self._check_expressions("exact", self.exact, variables)

    @property
    def batch_size(self) -> int | None:
        """B, the number of problems of a batch, or None."""
        return max(self._batch_sizes().values(), default=None)

    def batch_labels(self) -> list[str] | None:
        """One label per problem of a batch, naming the values that set it apart as a user
        types them (`y0=0.5`, `gamma=2, y0=[1,0]`), or None when there is no batch."""
        batched = list(self._batch_sizes())
        if not batched:
            return None
        names = {name: name.removeprefix("constants.") for name in batched}
        return [
            ", ".join(f"{names[name]}={_label(self._value(name)[b])}" for name in batched)
            for b in range(self.batch_size or 0)
        ]

    def _batch_sizes(self) -> dict[str, int]:
        """The batch size each batched parameter gives, by its dotted name."""
        sizes: dict[str, int] = {}
        for name in ("y0", "dy0"):
            value = getattr(self, name)
            if isinstance(value, list) and (
                isinstance(self.rhs, str) or isinstance(value[0], list)
            ):
                sizes[name] = len(value)
        for name, value in self.constants.items():
            if isinstance(value, list):
                sizes[f"constants.{name}"] = len(value)
        return sizes

    def _value(self, name: str) -> Any:
        parent, _, key = name.partition(".")
        return self.constants[key] if key else getattr(self, parent)

    def _check_shape(self, name: str, value: Values) -> None:
        m = self.components
        if isinstance(self.rhs, str):
            if isinstance(value, list) and (not value or isinstance(value[0], list)):
                raise parameter_error(
                    (name,), "must be a number, or a list of numbers for a batch", value
                )
            return
        rows = (
            value if isinstance(value, list) and value and isinstance(value[0], list) else [value]
        )
        for row in rows:
            if not isinstance(row, list) or len(row) != m:
                raise parameter_error(
                    (name,),
                    f"must list {m} numbers, one per component (a list of such lists for a batch)",
                    value,
                )

    def _check_expressions(self, name: str, texts: str | list[str], variables: Variables) -> None:
        items = (
            [((name,), texts)]
            if isinstance(texts, str)
            else [((name, index), text) for index, text in enumerate(texts)]
        )
        for location, text in items:
            try:
                parse(text, variables)
            except ExpressionError as error:
                raise parameter_error(location, str(error), text) from None


def build_problem(
    params: ODEProblemParameters, boundary: tuple[np.ndarray, np.ndarray] | None = None
) -> ODEProblem:
    """The `ODEProblem` that validated parameters describe, with Dirichlet `boundary` values
    (ya, yb) for a boundary value problem (the named problems' closed forms solve initial value
    problems only)."""
    rhs = [params.rhs] if isinstance(params.rhs, str) else list(params.rhs or ())
    constants = {
        name: np.asarray(value, dtype=float) if isinstance(value, list) else float(value)
        for name, value in params.constants.items()
    }
    scalar = isinstance(params.rhs, str)
    y0, dy0 = _initial_values(params.y0, scalar), _initial_values(params.dy0, scalar)
    exact: Sequence[str] | Callable[[np.ndarray], np.ndarray] | None = None
    if params.exact is not None:
        exact = [params.exact] if isinstance(params.exact, str) else params.exact
    elif boundary is None and y0 is not None and (named := _named_solution(params)) is not None:
        exact = named.exact_solution(
            params.x0,
            y0[0],
            None if dy0 is None else dy0[0],
            constants,
            params.batch_size,
        )
    assert params.x1 is not None  # validation requires it
    return expression_problem(
        rhs,
        order=params.order,
        x0=params.x0,
        x1=params.x1,
        y0=y0,
        dy0=dy0,
        constants=constants,
        exact=exact,
        boundary=boundary,
        system=not scalar,
    )


def parameter_error(location: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    """The validation error of the parameter at `location`, as a field validator would raise it:
    `message` continues "parameter 'NAME' of PLUGIN ..."."""
    detail = InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=location, input=value
    )
    return ValidationError.from_exception_data("parameters", [detail])


def _location(name: str) -> tuple[str, ...]:
    return tuple(name.split("."))


def _named_solution(params: ODEProblemParameters) -> NamedProblem | None:
    """The named problem whose closed form solves the problem the parameters describe."""
    named = NAMED_PROBLEMS.get(params.problem or "")
    if named is not None and params.rhs == named.rhs and params.order == named.order:
        return named
    return None


def _initial_values(value: Values | None, scalar: bool) -> np.ndarray | None:
    """(m,) values, or (m, B) for a batch (given as B numbers, or B lists of m numbers)."""
    if value is None:
        return None
    array = np.asarray(value, dtype=float)
    if scalar:
        return array.reshape(1, -1) if array.ndim == 1 else array.reshape(1)
    return array.T if array.ndim == 2 else array


def _label(value: float | list[float]) -> str:
    """A number as short as it reads (0.5, 2), a list of them in brackets."""
    if isinstance(value, list):
        return "[" + ",".join(_label(item) for item in value) + "]"
    return f"{value:g}"


def _normal_names(constants: dict[Any, Any]) -> dict[Any, Any]:
    """`constants` under the normal forms of their names; two names with one normal form are
    refused, since they would be one constant."""
    normal: dict[Any, Any] = {}
    given: dict[Any, Any] = {}
    for name, value in constants.items():
        key = normal_name(name) if isinstance(name, str) else name
        if key in normal:
            raise parameter_error(
                ("constants",),
                f"names the constant '{key}' twice: '{given[key]}' and '{name}' are one name",
                constants,
            )
        normal[key], given[key] = value, name
    return normal
