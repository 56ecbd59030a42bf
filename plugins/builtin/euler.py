"""The `euler` plugin: forward, backward and Euler-Cromer steps on an ODE problem.

Parameters are those of `ode_problem` plus `method`, and `n` or `dx`. The arrays are `x`
(n + 1) and `y`: (n + 1) for a scalar problem, (n + 1, m) for a system of m components, with a
last axis of size B for a batch of B problems: (n + 1, B) or (n + 1, m, B). Order-2 problems
also give `dy` (y'), shaped like `y`. The summary's `y_end` is shaped like one row of `y`;
`max_abs_error` (over all points) and `final_error` (at x_end) compare y with the exact solution,
taking the largest over the components and the problems of a batch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator

from solverq.plugins.builtin.ode_problem import ODEProblemParameters, build_problem, parameter_error
from solverq.plugins.builtin.plots.ode import plot_solution
from solverq.plugins.contract import Plugin, Progress, Result
from solverq.plugins.errors import SolveFailed
from solverq.solvers.ode.euler_backward import backward_euler
from solverq.solvers.ode.euler_cromer import euler_cromer
from solverq.solvers.ode.euler_forward import forward_euler
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.solution import ODESolution
from solverq.solvers.outcome import SolveStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_STEPS = 1000
MAX_STEPS = 10_000_000
MAX_VALUES = 20_000_000
"""The most numbers the arrays of one result may hold (160 MB)."""
ERROR_BLOCK = 1 << 15
"""Values compared at a time with the exact solution."""

METHODS = {"forward": forward_euler, "backward": backward_euler, "cromer": euler_cromer}
METHOD_NAMES = {"forward": "forward Euler", "backward": "backward Euler", "cromer": "Euler-Cromer"}


class EulerParameters(ODEProblemParameters):
    method: Literal["forward", "backward", "cromer"] = Field(
        "forward",
        description=(
            "forward (explicit Euler), backward (implicit Euler, Newton iterations) or cromer "
            "(semi-implicit Euler-Cromer, for order 2)."
        ),
    )
    n: int | None = Field(
        None,
        ge=1,
        le=MAX_STEPS,
        description=f"The number of steps over [x0, x1] (default {DEFAULT_STEPS} without dx).",
    )
    dx: float | None = Field(
        None,
        gt=0,
        description=(
            "The step size, instead of n: ceil((x1 - x0) / dx) steps of exactly dx, so the last "
            "point x_end may lie a little past x1."
        ),
    )

    @model_validator(mode="after")
    def check_steps(self) -> Self:
        if self.n is not None and self.dx is not None:
            raise parameter_error(("dx",), "cannot be given together with n", self.dx)
        if self.method == "cromer" and self.order != 2:
            raise parameter_error(
                ("method",), "cromer needs a second-order problem (order=2)", self.method
            )
        assert self.x1 is not None  # checked by the problem's own validator, which runs first
        implied = self.steps if self.dx is None else (self.x1 - self.x0) / self.dx
        if not implied <= MAX_STEPS:
            count = f"{self.steps}" if implied < 1e15 else f"{implied:.3g}"
            raise parameter_error(
                ("dx",), f"makes {count} steps; at most {MAX_STEPS} are allowed", self.dx
            )
        values = (self.steps + 1) * (1 + self.components * self.order * (self.batch_size or 1))
        if values > MAX_VALUES:
            where = ("n",) if self.dx is None else ("dx",)
            raise parameter_error(
                where,
                f"makes a result of {values} numbers; at most {MAX_VALUES} are stored: take "
                "fewer steps or a smaller batch",
                self.n if self.dx is None else self.dx,
            )
        return self

    @property
    def steps(self) -> int:
        """n, given or implied by dx."""
        if self.dx is None:
            return self.n or DEFAULT_STEPS
        assert self.x1 is not None  # checked before the steps
        return max(1, math.ceil((self.x1 - self.x0) / self.dx * (1 - 1e-12)))


class EulerPlugin(Plugin[EulerParameters]):
    name = "euler"
    summary = "Forward, backward and Euler-Cromer steps for ODEs and systems"
    Parameters = EulerParameters
    requires = ("autograd",)
    headline = ("max_abs_error",)

    def solve(
        self, params: EulerParameters, inputs: Mapping[str, np.ndarray], progress: Progress
    ) -> Result:
        problem = build_problem(params)
        steps = params.steps

        def report(fraction: float, message: str = "") -> None:
            progress(fraction, f"step {round(fraction * steps)} of {steps}")

        solution = METHODS[params.method](problem, steps, params.dx, progress=report)
        method = METHOD_NAMES[params.method]
        if solution.status is SolveStatus.DIVERGED:
            reasons = "; ".join(solution.warnings)
            raise SolveFailed(
                f"diverged at x = {solution.failed_at:.6g} ({method}, dx = {solution.dx:.6g})"
                + (f": {reasons}" if reasons else "")
            )
        if solution.status is SolveStatus.NOT_CONVERGED:
            raise SolveFailed(
                f"the Newton iterations of {method} did not converge at x = "
                f"{solution.failed_at:.6g}; try a smaller step"
            )
        progress(1.0, "done")
        return Result(_summary(params, problem, solution), _arrays(problem, solution))

    def plot(
        self,
        figure: Figure,
        params: EulerParameters,
        inputs: Mapping[str, np.ndarray],
        result: Result,
    ) -> None:
        problem = build_problem(params)
        x = result.arrays["x"]
        exact = _exact_values(problem, x)
        plot_solution(
            figure,
            x,
            result.arrays["y"],
            None if exact is None else _shaped(problem, exact),
            system=problem.system,
            batch=params.batch_labels(),
        )


def _summary(params: EulerParameters, problem: ODEProblem, solution: ODESolution) -> dict[str, Any]:
    y = _shaped(problem, solution.y)
    summary: dict[str, Any] = {
        "method": params.method,
        "steps": solution.steps,
        "dx": solution.dx,
        "x_end": float(solution.x[-1]),
        "y_end": y[-1].tolist(),
    }
    exact = _exact_values(problem, solution.x)
    if exact is not None:
        summary["max_abs_error"] = _max_abs_difference(exact, solution.y)
        summary["final_error"] = _max_abs_difference(exact[-1:], solution.y[-1:])
    summary["warnings"] = list(solution.warnings)
    summary["engine"] = solution.engine
    return summary


def _exact_values(problem: ODEProblem, x: np.ndarray) -> np.ndarray | None:
    """The exact solution at `x`, shaped (n + 1, m, B) like a solution's values, or None."""
    if problem.exact is None:
        return None
    shape = (x.size, problem.components, problem.batch_size or 1)
    return np.moveaxis(problem.exact(x), 0, 1).reshape(shape)


def _max_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| over arrays of one shape (nan if any difference is), computed block by
    block along the first axis, so that no temporary array of their size is made."""
    rows = max(1, ERROR_BLOCK // max(1, a[:1].size))
    block = np.empty((min(rows, len(a)), *a.shape[1:]))
    maxima = []
    for first in range(0, len(a), rows):
        difference = block[: len(a[first : first + rows])]
        np.subtract(a[first : first + rows], b[first : first + rows], out=difference)
        np.abs(difference, out=difference)
        maxima.append(difference.max())
    return float(np.max(maxima))


def _arrays(problem: ODEProblem, solution: ODESolution) -> dict[str, np.ndarray]:
    arrays = {"x": solution.x, "y": _shaped(problem, solution.y)}
    if solution.dy is not None:
        arrays["dy"] = _shaped(problem, solution.dy)
    return arrays


def _shaped(problem: ODEProblem, values: np.ndarray) -> np.ndarray:
    """(n + 1, m, B) values without the component axis of a scalar problem and without the
    batch axis when there is no batch."""
    if problem.batch_size is None:
        values = values[..., 0]
    if not problem.system:
        values = values[:, 0]
    return values
