"""The `nn-ode` plugin: a neural-network trial solution trained on collocation points.

Parameters are those of `ode_problem` (no batches) plus the conditions (`condition`, `ya`,
`yb`), the network (`hidden`, `activation`, `seed`) and its training (`optimizer`, `iterations`,
`learning_rate`, `points`, `tol`, `error_tol`). The arrays are `x` (eval_points points across
[x0, x1]), `y` on them, (eval_points,) for a scalar problem or (eval_points, m) for a system, and
`loss_history` (the loss before training and after each iteration, across rounds). A run that
stops short of its target succeeds with `converged` false and `warnings`; only a diverged run
fails, keeping its `loss_history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
from pydantic import Field, field_validator, model_validator

from solverq.plugins.builtin.nn_ode_warnings import shortfalls
from solverq.plugins.builtin.ode_problem import ODEProblemParameters, build_problem, parameter_error
from solverq.plugins.builtin.plots.ode import plot_solution
from solverq.plugins.contract import Plugin, Progress, Result
from solverq.plugins.errors import SolveFailed
from solverq.solvers.nn_ode import NeuralODEResult, NeuralODESettings, max_abs_error, solve
from solverq.solvers.nn_ode.activations import ACTIVATIONS
from solverq.solvers.nn_ode.evaluation import evaluate_in_chunks
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.sizing import BASE_POINTS, BASE_WIDTH
from solverq.solvers.nn_ode.training import MAX_POINTS as TRAINING_MAX_POINTS
from solverq.solvers.nn_ode.training import MAX_WIDTH as TRAINING_MAX_WIDTH
from solverq.solvers.nn_ode.training import WIDTH_STEP
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.outcome import SolveStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_LAYERS = 10
MAX_WIDTH = 1000
MAX_POINTS = 10_000
MAX_EVAL_POINTS = 1_000_000
MAX_ITERATIONS = 1_000_000
MAX_BFGS_PARAMETERS = 2000
"""BFGS keeps a dense inverse-Hessian estimate: 2000² numbers are 32 MB."""
MAX_PARAMETERS = 1_000_000
MAX_ACTIVATIONS = 2_000_000
"""The most hidden-unit values one pass may hold (hidden widths summed, times points): training
passes are bounded by it, and the solution is evaluated on chunks of eval_points that keep to
it."""
EXTRAPOLATION = 0.1
"""How far past x1, as a fraction of x1 - x0, the extrapolation error is measured."""
PIECEWISE_LINEAR = {"relu", "leaky_relu", "elu", "relu6", "hardtanh"}


class NeuralODEParameters(ODEProblemParameters):
    batch_allowed = False

    condition: Literal["ivp", "bvp"] = Field(
        "ivp",
        description=(
            "ivp: initial values, y0 (and dy0 for order 2) at x0; bvp: Dirichlet values ya at "
            "x0 and yb at x1 of a second-order problem (y0 and dy0 are then not used)."
        ),
    )
    ya: float | list[float] | None = Field(
        None, description="y(x0) of a boundary value problem, one per component for a system."
    )
    yb: float | list[float] | None = Field(
        None, description="y(x1) of a boundary value problem, one per component for a system."
    )
    hidden: list[int] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LAYERS,
        description=(
            "The widths of the hidden layers, e.g. [10] (Lagaris et al.) or [16, 16], kept "
            f"fixed. Unset: one layer of at least {BASE_WIDTH} units, about one per radian the "
            f"solution turns through (rate of the equation times x1 - x0), widened by "
            f"{WIDTH_STEP} (up to {TRAINING_MAX_WIDTH}) after a round where the points resolve "
            "the residual but the error is still above error_tol."
        ),
    )
    activation: Literal["sigmoid", "tanh", "sin", "softplus"] = Field(
        "sigmoid",
        description=(
            "The activation of the hidden layers; it must be smooth (not ReLU: its second "
            "derivative vanishes)."
        ),
    )
    seed: int = Field(0, ge=0, description="The seed of the random initial weights.")
    optimizer: Literal["bfgs", "adam", "gd"] = Field(
        "bfgs",
        description="bfgs (quasi-Newton, exact gradient), adam, or gd (plain gradient descent).",
    )
    iterations: int = Field(
        20_000,
        ge=1,
        le=MAX_ITERATIONS,
        description=(
            "The most iterations of the optimizer, over all rounds of refinement; a run that "
            "ends here keeps its solution, with converged false and a warning."
        ),
    )
    learning_rate: float = Field(
        1e-3, gt=0, le=10, description="The step size of adam and gd (bfgs searches its own)."
    )
    points: int | None = Field(
        None,
        ge=2,
        le=MAX_POINTS,
        description=(
            "The number of collocation points in [x0, x1], kept fixed: Chebyshev-Gauss-Lobatto "
            "points, both ends included, closer together near the ends. Unset: at least "
            f"{BASE_POINTS} such points, about four per radian the solution turns through, and "
            "after a round whose residual between the points is far above the residual on "
            f"them, as many again where it is largest (up to {TRAINING_MAX_POINTS})."
        ),
    )
    tol: float | None = Field(
        None,
        gt=0,
        description=(
            "An optional hard target on the loss (the mean squared residual on the collocation "
            "points): training stops once the loss is at most tol, and the run has converged "
            "only if it got there and meets error_tol (a run that stops at tol short of "
            "error_tol says so in its warnings)."
        ),
    )
    error_tol: float = Field(
        1e-5,
        gt=0,
        description=(
            "The run has converged (summary: converged) when error_estimate, the max |y - y_t| "
            "found by solving the linearised equation driven by the residual on a dense grid, "
            "plus a bound on the rounding error of evaluating y_t (rounding_error), is at most "
            "error_tol times max |y| (error_tol itself when y vanishes). Beside it "
            "the summary holds the loss (mean squared residual on the collocation points) and "
            "validation_residual (RMS), validation_residual_max and validation_residual_relative "
            "(RMS over the equation's scale) on the midpoints of the collocation points and a "
            "uniform grid of 2001 points; warnings says what fell short and what to try."
        ),
    )
    eval_points: int = Field(
        1001,
        ge=2,
        le=MAX_EVAL_POINTS,
        description=(
            "The number of equidistant points in [x0, x1] where y is returned. With an exact "
            "solution the summary holds max_abs_error, the max |y - exact| on these points, "
            "and extrapolation_max_abs_error, the same on 100 equidistant points of "
            f"(x1, x1 + {EXTRAPOLATION:g} (x1 - x0)], past the interval trained on."
        ),
    )

    @field_validator("activation", mode="before")
    @classmethod
    def refuse_piecewise_linear(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() in PIECEWISE_LINEAR:
            raise ValueError(
                f"cannot be {value}: its second derivative vanishes almost everywhere, so the "
                f"trial solution could not follow the equation (use {', '.join(ACTIVATIONS)})"
            )
        return value

    @field_validator("hidden")
    @classmethod
    def check_widths(cls, hidden: list[int] | None) -> list[int] | None:
        if hidden is not None and not all(1 <= width <= MAX_WIDTH for width in hidden):
            raise ValueError(f"must hold layer widths from 1 to {MAX_WIDTH}")
        return hidden

    @model_validator(mode="after")
    def check_network_size(self) -> Self:
        """A network given in full fits the optimizer and memory (the sizes refinement chooses
        stay far within these bounds)."""
        if self.hidden is None:
            return self
        size = Network(tuple(self.hidden), self.components, self.activation, 0.0, 1.0).size
        if self.optimizer == "bfgs" and size > MAX_BFGS_PARAMETERS:
            raise parameter_error(
                ("hidden",),
                f"makes a network of {size} parameters; bfgs handles at most "
                f"{MAX_BFGS_PARAMETERS} (use adam or gd for a larger network)",
                self.hidden,
            )
        if size > MAX_PARAMETERS:
            raise parameter_error(
                ("hidden",),
                f"makes a network of {size} parameters; at most {MAX_PARAMETERS} are allowed",
                self.hidden,
            )
        points = self.points or TRAINING_MAX_POINTS
        if sum(self.hidden) * points > MAX_ACTIVATIONS:
            raise parameter_error(
                ("points",),
                f"times the hidden units makes {sum(self.hidden) * points} values per "
                f"pass; at most {MAX_ACTIVATIONS}: use fewer points or narrower layers",
                self.points,
            )
        return self

    def check_initial_values(self) -> None:
        if self.condition == "ivp":
            for name in ("ya", "yb"):
                if getattr(self, name) is not None:
                    raise parameter_error((name,), "is only for condition=bvp", getattr(self, name))
            super().check_initial_values()
            return
        if self.order != 2:
            raise parameter_error(
                ("condition",),
                "bvp needs a second-order problem (order=2): a first-order equation takes "
                "one condition, y0",
                self.condition,
            )
        for name in ("ya", "yb"):
            value = getattr(self, name)
            if value is None:
                raise parameter_error((name,), "is required for condition=bvp", None)
            if isinstance(self.rhs, str) and isinstance(value, list):
                raise parameter_error((name,), "must be a number for a scalar problem", value)
            if not isinstance(self.rhs, str) and (
                not isinstance(value, list) or len(value) != self.components
            ):
                raise parameter_error(
                    (name,), f"must list {self.components} numbers, one per component", value
                )

    def ode_problem(self) -> ODEProblem:
        """The ODE problem, with its Dirichlet values for condition=bvp."""
        if self.condition == "ivp":
            return build_problem(self)
        ya = np.atleast_1d(np.asarray(self.ya, dtype=float))
        yb = np.atleast_1d(np.asarray(self.yb, dtype=float))
        # A named problem's exact solution and initial values describe its IVP, not this BVP;
        # y0 = y(x0) = ya stays meaningful to an exact solution that refers to it.
        values = {"problem": None, "y0": self.ya, "dy0": None}
        return build_problem(self.model_copy(update=values), boundary=(ya, yb))

    def settings(self) -> NeuralODESettings:
        return NeuralODESettings(
            hidden=None if self.hidden is None else tuple(self.hidden),
            activation=self.activation,
            seed=self.seed,
            optimizer=self.optimizer,
            iterations=self.iterations,
            learning_rate=self.learning_rate,
            points=self.points,
            tol=self.tol,
            error_tol=self.error_tol,
        )


class NeuralODEPlugin(Plugin[NeuralODEParameters]):
    name = "nn-ode"
    summary = "Neural-network trial solutions of ODEs, trained on collocation points (Lagaris)"
    Parameters = NeuralODEParameters
    requires = ("autograd",)
    seed_parameter = "seed"
    headline = ("loss", "max_abs_error")

    def solve(
        self,
        params: NeuralODEParameters,
        inputs: Mapping[str, np.ndarray],
        progress: Progress,
    ) -> Result:
        problem = params.ode_problem()
        result = solve(problem, params.settings(), progress)
        if result.status is SolveStatus.DIVERGED:
            raise SolveFailed(
                f"diverged: the loss became non-finite after {result.iterations} iterations of "
                f"{params.optimizer} (learning_rate = {params.learning_rate:g}); try a smaller "
                "learning_rate",
                arrays={"loss_history": result.loss_history},
            )
        x = np.linspace(problem.x0, problem.x1, params.eval_points)
        y = evaluate_in_chunks(result.solution, x, MAX_ACTIVATIONS // sum(result.network.hidden))
        return Result(
            _summary(params, problem, result, y),
            {"x": x, "y": _as_array(problem, y), "loss_history": result.loss_history},
        )

    def plot(
        self,
        figure: Figure,
        params: NeuralODEParameters,
        inputs: Mapping[str, np.ndarray],
        result: Result,
    ) -> None:
        problem = params.ode_problem()
        x = result.arrays["x"]
        exact = None if problem.exact is None else _as_array(problem, problem.exact(x))
        plot_solution(figure, x, result.arrays["y"], exact, system=problem.system)


def _as_array(problem: ODEProblem, values: np.ndarray) -> np.ndarray:
    """(m, N) values as the `y` array holds them: (N, m) for a system, (N,) otherwise."""
    return values.T if problem.system else values[0]


def _summary(
    params: NeuralODEParameters, problem: ODEProblem, result: NeuralODEResult, y: np.ndarray
) -> dict[str, Any]:
    validation = result.validation
    assert validation is not None  # only a diverged run has none
    summary: dict[str, Any] = {
        "converged": result.status is SolveStatus.CONVERGED,
        "loss": result.loss,
        "validation_residual": validation.rms,
        "validation_residual_max": validation.max,
        "validation_residual_relative": validation.relative,
        "error_estimate": validation.error_estimate,
        "rounding_error": validation.rounding_error,
        "iterations": result.iterations,
        "stop": result.stop.value,
        "rounds": result.rounds,
        "collocation_points": len(result.collocation_points),
        "hidden": list(result.network.hidden),
        "optimizer": params.optimizer,
        "y_end": y[:, -1].tolist() if problem.system else float(y[0, -1]),
    }
    if problem.exact is not None:
        length = problem.x1 - problem.x0
        grid = np.linspace(problem.x0, problem.x1, params.eval_points)
        beyond = np.linspace(problem.x1, problem.x1 + EXTRAPOLATION * length, 101)[1:]
        summary["max_abs_error"] = float(np.max(np.abs(y - np.asarray(problem.exact(grid)))))
        summary["extrapolation_max_abs_error"] = max_abs_error(result, problem.exact, beyond)
    summary["warnings"] = shortfalls(params, result)
    return summary
