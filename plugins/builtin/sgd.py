"""The `sgd` plugin: linear regression by gradient descent, from plain GD to Adam, reported beside
the closed-form solution on the same design matrix, on a training set and a held-out test set."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from solverq.plugins.builtin.data_preparation import (
    DataParameters,
    Dataset,
    check_data,
    check_training_rows,
    data_shape,
    input_matrix,
    load_dataset,
    split_dataset,
)
from solverq.plugins.builtin.optimizer_parameters import (
    OptimizerParameters,
    batch_size,
    schedule,
    update_rule,
    updates_per_epoch,
)
from solverq.plugins.builtin.plots.sgd import plot_mse_history
from solverq.plugins.contract import Plugin, Progress, Result
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.solvers.outcome import SolveStatus
from solverq.solvers.preparation.scaling import Scaler, Scaling, fit_scaler
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
ILL_CONDITIONED = 1e6


class RegressionParameters(OptimizerParameters, DataParameters):
    seed: int = Field(
        0, ge=0, description="Seed of the generated data, the test split and the mini-batches."
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
    scale: Scaling = Field(
        "none",
        description="Scale the inputs before the design matrix is built, fitted on the training "
        "set: standard (mean 0, variance 1), minmax ([0, 1]) or none. standard makes the "
        "monomials far less collinear, and gradient descent far faster.",
    )
    model: Literal["ols", "ridge"] = Field(
        "ols",
        description="Cost: ols (1/n)||y - X theta||^2, or ridge, which adds lambda||theta||^2.",
    )
    lam: float = Field(
        0.0, alias="lambda", ge=0, description="Ridge penalty lambda (> 0 with model=ridge)."
    )
    penalize_intercept: bool = Field(
        False,
        description="Ridge penalises the intercept too (false: it is left free, as scikit-learn's "
        "Ridge does).",
    )
    eta: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto",
        description="Initial learning rate. auto: 1/lambda_max of the Hessian (2/n) X^T X "
        "(+ 2 lambda I) for gd, momentum and sgd; 0.01 for adagrad; 0.001 for rmsprop and adam.",
    )
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


class RegressionPlugin(Plugin[RegressionParameters]):
    name = "sgd"
    summary = "Linear regression by gradient descent (GD, momentum, SGD, Adagrad, RMSprop, Adam)"
    Parameters = RegressionParameters
    requires = ("autograd",)
    seed_parameter = "seed"
    headline = ("mse", "r2")

    @classmethod
    def check_inputs(cls, params: RegressionParameters, inputs: Mapping[str, np.ndarray]) -> None:
        super().check_inputs(params, inputs)
        dataset = check_data(params, inputs, cls.name)
        samples, input_columns = data_shape(params, dataset)
        width = design_width(input_columns, _degree(params), params.intercept)
        if width == 0:
            raise RejectedRequest("the design matrix has no columns: degree 0 needs intercept=true")
        check_training_rows(params, dataset, width, f"the {width} columns of the design matrix")
        if samples * width > MAX_DESIGN_ENTRIES:
            raise RejectedRequest(
                f"the design matrix would have {samples} x {width} entries, more than "
                f"{MAX_DESIGN_ENTRIES:,}"
            )
        if dataset is not None:
            _refuse_overflow(dataset, _degree(params))

    def solve(
        self, params: RegressionParameters, inputs: Mapping[str, np.ndarray], progress: Progress
    ) -> Result:
        data_seed, shuffle_seed, split_seed = np.random.SeedSequence(params.seed).spawn(3)
        dataset = load_dataset(params, inputs, data_seed, labels=False)
        split = split_dataset(dataset, params.test_size, split_seed, stratify=False)
        scaler = fit_scaler(split.train_inputs, params.scale)
        design, columns = polynomial_design(
            scaler.apply(split.train_inputs), _degree(params), params.intercept, split.names
        )
        unpenalized = (0,) if params.intercept and not params.penalize_intercept else ()
        problem = RegressionProblem(design, split.train_targets, params.lam, unpenalized)
        outcome = fit(problem, _settings(params, problem.samples, shuffle_seed), progress)
        if outcome.status is SolveStatus.DIVERGED:
            raise SolveFailed(outcome.reason)
        progress(1.0, outcome.reason)
        test_design = _scaled_design(params, scaler, split.test_inputs, split.names)
        test = RegressionProblem(test_design, split.test_targets)
        result = _result(params, problem, test, outcome, columns)
        result.summary["inputs"] = split.names
        result.arrays.update(scaler_offset=scaler.offset, scaler_scale=scaler.scale)
        if params.keep_data:
            result.arrays.update(split.kept())
        return result

    def predict(
        self, params: RegressionParameters, result: Result, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """X theta on new inputs, through the same scaling and design matrix."""
        names = result.summary["inputs"]
        scaler = Scaler(result.arrays["scaler_offset"], result.arrays["scaler_scale"])
        design = _scaled_design(params, scaler, input_matrix(inputs, names), names)
        return {"predictions": design @ result.arrays["theta"]}

    def plot(
        self,
        figure: Figure,
        params: RegressionParameters,
        inputs: Mapping[str, np.ndarray],
        result: Result,
    ) -> None:
        plot_mse_history(
            figure,
            result.arrays["mse_history"],
            result.summary["mse_closed_form"],
            params.optimizer,
        )


def _scaled_design(
    params: RegressionParameters, scaler: Scaler, values: np.ndarray, names: list[str]
) -> np.ndarray:
    """The design matrix of the inputs after the scaling fitted on the training set."""
    return polynomial_design(scaler.apply(values), _degree(params), params.intercept, names)[0]


def _refuse_overflow(dataset: Dataset, degree: int) -> None:
    """Refuse data whose design entries or responses are so large that their squares overflow."""
    largest_input = float(np.abs(dataset.inputs).max(initial=0.0))
    largest_response = float(np.abs(dataset.targets).max(initial=0.0))
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


def _settings(
    params: RegressionParameters, samples: int, seed: np.random.SeedSequence
) -> FitSettings:
    batch = batch_size(params)
    return FitSettings(
        rule=update_rule(params),
        batch_size=batch,
        eta=None if params.eta == "auto" else params.eta,
        schedule=schedule(params, params.epochs * updates_per_epoch(samples, batch)),
        epochs=params.epochs,
        tol=params.tol,
        gradient=analytic_gradient if params.gradient == "analytic" else autograd_gradient,
        seed=seed,
    )


def _result(
    params: RegressionParameters,
    problem: RegressionProblem,
    test: RegressionProblem,
    outcome: FitResult,
    columns: list[str],
) -> Result:
    theta_closed_form = closed_form(problem)
    mse_closed_form = mean_squared_error(problem, theta_closed_form)
    tested = test.samples > 0
    test_mse = mean_squared_error(test, outcome.theta) if tested else None
    summary = {
        "theta": outcome.theta.tolist(),
        "theta_closed_form": theta_closed_form.tolist(),
        "columns": columns,
        "mse": outcome.mse,
        "r2": r2_score(problem, outcome.mse),
        "train_mse": outcome.mse,
        "test_mse": test_mse,
        "train_r2": r2_score(problem, outcome.mse),
        "test_r2": r2_score(test, test_mse) if test_mse is not None else None,
        "mse_closed_form": mse_closed_form,
        "r2_closed_form": r2_score(problem, mse_closed_form),
        "test_mse_closed_form": mean_squared_error(test, theta_closed_form) if tested else None,
        "eta": outcome.eta,
        "batch_size": min(batch_size(params) or problem.samples, problem.samples),
        "lambda_max": outcome.lambda_max,
        "condition_number": outcome.condition_number,
        "intercept_penalized": bool(
            params.intercept and params.lam > 0 and params.penalize_intercept
        ),
        "epochs": outcome.epochs,
        "converged": outcome.status is SolveStatus.CONVERGED,
        "status": outcome.status.value,
        "gradient_norm": outcome.gradient_norm,
        "warnings": _warnings(params, outcome),
    }
    return Result(summary, {"mse_history": outcome.mse_history, "theta": outcome.theta})


def _warnings(params: RegressionParameters, outcome: FitResult) -> list[str]:
    """What the user should know about the run: an ill-conditioned Hessian slows descent."""
    if outcome.condition_number <= ILL_CONDITIONED:
        return []
    remedy = (
        "scale=standard centres the inputs and usually fixes it"
        if params.scale != "standard"
        else "even with scale=standard; a lower degree or a ridge penalty improves it"
    )
    return [
        f"the Hessian is ill-conditioned: cond = {outcome.condition_number:.3g} > "
        f"{ILL_CONDITIONED:.0e}, so gradient descent converges slowly; {remedy}"
    ]
