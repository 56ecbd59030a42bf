"""The optimiser parameters shared by `sgd` and `ffnn`, and the update rule and schedule they
describe (`solverq.solvers.optimization`).

Each optimiser starts from the rate its reference recommends unless `eta` is given: Adam and
RMSprop 0.001, Adagrad 0.01; plain and momentum descent take their rate from the model (sgd:
1/lambda_max of the Hessian). gd and momentum descend on the full batch, as in the textbook,
unless `batch_size` is set for momentum; sgd and the adaptive rules take mini-batches of 32.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from solverq.plugins.parameters import ParameterModel
from solverq.solvers.optimization import UpdateRule
from solverq.solvers.optimization.adagrad import Adagrad
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.optimization.gd import GradientDescent
from solverq.solvers.optimization.momentum import Momentum
from solverq.solvers.optimization.rmsprop import RMSprop
from solverq.solvers.optimization.schedules import (
    Constant,
    Cosine,
    Exponential,
    Inverse,
    Schedule,
    StepDecay,
)

DEFAULT_BATCH_SIZE = 32
FULL_BATCH_OPTIMIZERS = ("gd", "momentum")

Fraction = Annotated[float, Field(ge=0, lt=1)]
Optimizer = Literal["gd", "momentum", "sgd", "adagrad", "rmsprop", "adam"]


OPTIMIZER_HELP = (
    "gd: full-batch gradient descent; momentum: with momentum, full batch unless batch_size is "
    "set; sgd: plain steps on shuffled mini-batches; adagrad, rmsprop, adam: adaptive rates on "
    "mini-batches."
)


class OptimizerParameters(ParameterModel):
    """How a model is trained: the update rule, its hyperparameters, batches and schedule."""

    optimizer: Optimizer = Field("gd", description=OPTIMIZER_HELP)
    batch_size: int | None = Field(
        None,
        ge=1,
        description=f"Rows per mini-batch. Default: the full batch for gd (always) and momentum, "
        f"{DEFAULT_BATCH_SIZE} for sgd, adagrad, rmsprop and adam; n or more: the full batch.",
    )
    momentum: Fraction = Field(0.9, description="Momentum gamma of optimizer=momentum.")
    rho: Fraction = Field(0.9, description="Decay of the squared-gradient average of rmsprop.")
    beta1: Fraction = Field(0.9, description="Decay of adam's gradient average.")
    beta2: Fraction = Field(0.999, description="Decay of adam's squared-gradient average.")
    epsilon: float = Field(
        1e-8, gt=0, description="Added to the denominators of adagrad, rmsprop and adam."
    )
    schedule: Literal["constant", "inverse", "exponential", "step", "cosine"] = Field(
        "constant",
        description="Learning rate at update t: constant eta; inverse eta t1/(t + t1); "
        "exponential eta drop^(t/t1); step eta drop^floor(t/t1); cosine "
        "eta (1 + cos(pi t/T))/2 over all T updates.",
    )
    t1: float = Field(
        50.0, gt=0, description="Updates t1 of the inverse, exponential and step schedules."
    )
    drop: float = Field(
        0.5, gt=0, lt=1, description="Factor of the exponential and step schedules per t1 updates."
    )


def batch_size(params: Any) -> int | None:
    """The rows per mini-batch the parameters ask for; None for the full batch."""
    if params.optimizer == "gd":
        return None
    if params.batch_size is not None:
        return params.batch_size
    return None if params.optimizer in FULL_BATCH_OPTIMIZERS else DEFAULT_BATCH_SIZE


def update_rule(params: Any) -> UpdateRule:
    """The update rule of `params.optimizer` with its hyperparameters."""
    if params.optimizer in ("gd", "sgd"):
        return GradientDescent()
    if params.optimizer == "momentum":
        return Momentum(params.momentum)
    if params.optimizer == "adagrad":
        return Adagrad(params.epsilon)
    if params.optimizer == "rmsprop":
        return RMSprop(params.rho, params.epsilon)
    return Adam(params.beta1, params.beta2, params.epsilon)


def schedule(params: Any, updates: int) -> Schedule:
    """The learning-rate schedule of the parameters, for a run of `updates` updates in all."""
    if params.schedule == "inverse":
        return Inverse(params.t1)
    if params.schedule == "exponential":
        return Exponential(params.t1, params.drop)
    if params.schedule == "step":
        return StepDecay(params.t1, params.drop)
    if params.schedule == "cosine":
        return Cosine(updates)
    return Constant()


def updates_per_epoch(samples: int, batch: int | None) -> int:
    """m = ceil(n / M) mini-batches, or 1 for the full batch."""
    return 1 if batch is None or batch >= samples else -(-samples // batch)
