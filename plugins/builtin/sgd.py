"""The `sgd` plugin: linear regression by gradient descent, from plain GD to Adam, reported beside
the closed-form solution on the same design matrix."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from solverq.plugins.builtin.plots.sgd import plot_mse_history
from solverq.plugins.builtin.regression_data import (
    Observations,
    generated_observations,
    read_observations,
)
from solverq.plugins.contract import Plugin, Progress, Result
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.plugins.parameters import ParameterModel
from solverq.solvers.optimization import UpdateRule
from solverq.solvers.optimization.adagrad import Adagrad
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.optimization.gd import GradientDescent
from solverq.solvers.optimization.momentum import Momentum
from solverq.solvers.optimization.rmsprop import RMSprop
from solverq.solvers.optimization.schedules import Constant, Inverse
from solverq.solvers.outcome import SolveStatus
from solverq.solvers.regression.autodiff import autograd_gradient
from solverq.solvers.regression.cost import analytic_gradient
from solverq.solvers.regression.design import design_width, polynomial_design
from solverq.solvers.regression.fit import FitResult, FitSettings, fit
from solverq.solvers.regression.problem import (
    RegressionProblem,
    closed_form,
    mean_squared_error,
    r2_score,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_DESIGN_ENTRIES = 50_000_000
MAX_MAGNITUDE_EXPONENT = 100

Fraction = Annotated[float, Field(ge=0, lt=1)]


class RegressionParameters(ParameterModel):
    data: Literal["polynomial", "franke"] | None = Field(
        None,
        description="A built-in data generator; leave unset to fit a --data file (.npz with x (n) "
        "or X (n x p) and y (n), or .csv whose last column is y).",
    )
    n: int = Field(100, ge=2, le=10_000_000, description="Samples to generate (data=...).")
    coefficients: list[Annotated[float, Field(ge=-1e6, le=1e6)]] = Field(
        [1.0, 2.0, 3.0],
        min_length=1,
        max_length=31,
        description="Coefficients c_0, c_1, ... of the polynomial of data=polynomial.",
    )
    noise: float = Field(
        0.1, ge=0, description="Standard deviation of the Gaussian noise added (data=...)."
    )
    seed: int = Field(
        0, ge=0, description="Seed of the generated data and of the mini-batch shuffling."
    )
    degree: int | None = Field(
        None,
        ge=0,
        le=30,
        description="Total degree of the polynomial design matrix built from the inputs (1, x, "
        "..., x^degree; all monomials for several inputs). Default: the degree of "
        "`coefficients` for data=polynomial, else 1 (the inputs as they are).",
    )
    intercept: bool = Field(True, description="Begin the design matrix with a column of ones.")
    model: Literal["ols", "ridge"] = Field(
        "ols",
        description="Cost: ols (1/n)||y - X theta||^2, or ridge, which adds lambda||theta||^2.",
    )
    lam: float = Field(
        0.0, alias="lambda", ge=0, description="Ridge penalty lambda (> 0 with model=ridge)."
    )
    optimizer: Literal["gd", "momentum", "sgd", "adagrad", "rmsprop", "adam"] = Field(
        "gd",
        description="gd: full-batch gradient descent; the others step on shuffled mini-batches.",
    )
    batch_size: int = Field(
        32, ge=1, description="Rows per mini-batch (all optimizers but gd; n or more: full batch)."
    )
    momentum: Fraction = Field(0.9, description="Momentum gamma of optimizer=momentum.")
    rho: Fraction = Field(0.9, description="Decay of the squared-gradient average of rmsprop.")
    beta1: Fraction = Field(0.9, description="Decay of adam's gradient average.")
    beta2: Fraction = Field(0.999, description="Decay of adam's squared-gradient average.")
    epsilon: float = Field(
        1e-8, gt=0, description="Added to the denominators of adagrad, rmsprop and adam."
    )
    eta: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto",
        description="Learning rate, or auto: 1/lambda_max of the Hessian (2/n) X^T X "
        "(+ 2 lambda I).",
    )
    schedule: Literal["constant", "inverse"] = Field(
        "constant",
        description="constant: eta throughout; inverse: t0/(t + t1) with t0 = eta t1, "
        "t counting updates.",
    )
    t1: float = Field(50.0, gt=0, description="t1 of the inverse schedule.")
    epochs: int = Field(1000, ge=1, le=1_000_000, description="Most epochs to run.")
    tol: float = Field(
        1e-8, ge=0, description="Stop when the norm of the full gradient is at most tol."
    )
    gradient: Literal["analytic", "autograd"] = Field(
        "analytic", description="Gradient by the hand-derived formula or by autograd."
    )

    @field_validator("lam")
    @classmethod
    def _penalty_matches_model(cls, lam: float, info: ValidationInfo) -> float:
        model = info.data.get("model")
        if model == "ridge" and lam == 0:
            raise ValueError("must be > 0 with model=ridge")
        if model == "ols" and lam > 0:
            raise ValueError("applies to model=ridge only; with model=ols it must be 0")
        return lam


class RegressionPlugin(Plugin):
    name = "sgd"
    summary = "Linear regression by gradient descent (GD, momentum, SGD, Adagrad, RMSprop, Adam)"
    Parameters = RegressionParameters

    @classmethod
    def check_inputs(cls, params: Any, inputs: Mapping[str, np.ndarray]) -> None:
        super().check_inputs(params, inputs)
        if params.data is not None and inputs:
            raise RejectedRequest(
                f"data={params.data} generates the data: give either it or a --data file, not both"
            )
        if params.data is None:
            if not inputs:
                raise RejectedRequest(
                    "sgd needs data: a --data file (.npz with x or X and y, or .csv whose last "
                    "column is y), or data=polynomial or data=franke"
                )
            observations = read_observations(inputs)
            samples, input_columns = len(observations.response), len(observations.names)
        else:
            samples, input_columns = params.n, 1 if params.data == "polynomial" else 2
        width = design_width(input_columns, _degree(params), params.intercept)
        if width == 0:
            raise RejectedRequest("the design matrix has no columns: degree 0 needs intercept=true")
        if samples < width:
            raise RejectedRequest(
                f"{samples} samples are too few for the {width} columns of the design matrix"
            )
        if samples * width > MAX_DESIGN_ENTRIES:
            raise RejectedRequest(
                f"the design matrix would have {samples} x {width} entries, more than "
                f"{MAX_DESIGN_ENTRIES:,}"
            )
        if params.data is None:
            _refuse_overflow(observations, _degree(params))

    def solve(self, params: Any, inputs: Mapping[str, np.ndarray], progress: Progress) -> Result:
        data_seed, shuffle_seed = np.random.SeedSequence(params.seed).spawn(2)
        observations = (
            read_observations(inputs)
            if params.data is None
            else generated_observations(
                params.data, params.n, params.coefficients, params.noise, data_seed
            )
        )
        design, columns = polynomial_design(
            observations.inputs, _degree(params), params.intercept, observations.names
        )
        problem = RegressionProblem(design, observations.response, params.lam)
        outcome = fit(problem, _settings(params, shuffle_seed), progress)
        if outcome.status is SolveStatus.DIVERGED:
            raise SolveFailed(outcome.reason)
        progress(1.0, outcome.reason)
        return _result(problem, outcome, columns)

    def plot(
        self, figure: Figure, params: Any, inputs: Mapping[str, np.ndarray], result: Result
    ) -> None:
        plot_mse_history(
            figure,
            result.arrays["mse_history"],
            result.summary["mse_closed_form"],
            params.optimizer,
        )


def _refuse_overflow(observations: Observations, degree: int) -> None:
    """Refuse data whose design entries or responses are so large that their squares overflow."""
    largest_input = float(np.abs(observations.inputs).max())
    largest_response = float(np.abs(observations.response).max())
    exponent = max(
        degree * math.log10(max(largest_input, 1.0)), math.log10(max(largest_response, 1.0))
    )
    if exponent > MAX_MAGNITUDE_EXPONENT:
        raise RejectedRequest(
            f"the data reach about 1e{exponent:.0f} (the inputs to the power {degree} included), "
            f"beyond 1e{MAX_MAGNITUDE_EXPONENT}, where their squares overflow; rescale them"
        )


def _degree(params: RegressionParameters) -> int:
    if params.degree is not None:
        return params.degree
    return len(params.coefficients) - 1 if params.data == "polynomial" else 1


def _settings(params: RegressionParameters, seed: np.random.SeedSequence) -> FitSettings:
    return FitSettings(
        rule=_update_rule(params),
        batch_size=None if params.optimizer == "gd" else params.batch_size,
        eta=None if params.eta == "auto" else params.eta,
        schedule=Constant() if params.schedule == "constant" else Inverse(params.t1),
        epochs=params.epochs,
        tol=params.tol,
        gradient=analytic_gradient if params.gradient == "analytic" else autograd_gradient,
        seed=seed,
    )


def _update_rule(params: RegressionParameters) -> UpdateRule:
    rules: dict[str, UpdateRule] = {
        "gd": GradientDescent(),
        "sgd": GradientDescent(),
        "momentum": Momentum(params.momentum),
        "adagrad": Adagrad(params.epsilon),
        "rmsprop": RMSprop(params.rho, params.epsilon),
        "adam": Adam(params.beta1, params.beta2, params.epsilon),
    }
    return rules[params.optimizer]


def _result(problem: RegressionProblem, outcome: FitResult, columns: list[str]) -> Result:
    theta_closed_form = closed_form(problem)
    mse_closed_form = mean_squared_error(problem, theta_closed_form)
    summary = {
        "theta": outcome.theta.tolist(),
        "theta_closed_form": theta_closed_form.tolist(),
        "columns": columns,
        "mse": outcome.mse,
        "r2": r2_score(problem, outcome.mse),
        "mse_closed_form": mse_closed_form,
        "r2_closed_form": r2_score(problem, mse_closed_form),
        "eta": outcome.eta,
        "lambda_max": outcome.lambda_max,
        "epochs": outcome.epochs,
        "converged": outcome.status is SolveStatus.CONVERGED,
        "status": outcome.status.value,
        "gradient_norm": outcome.gradient_norm,
    }
    return Result(summary, {"mse_history": outcome.mse_history, "theta": outcome.theta})
