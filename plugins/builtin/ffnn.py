"""The `ffnn` plugin: a feed-forward neural network trained by backpropagation, for regression
(identity output, mean squared error) or classification (sigmoid and binary cross-entropy for two
classes, softmax and cross-entropy for more), on a training set and a held-out test set."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from solverq.plugins.builtin.data_preparation import (
    DATASET_CLASSES,
    DATASETS,
    GENERATORS,
    DataParameters,
    Dataset,
    Split,
    check_data,
    check_training_rows,
    data_shape,
    input_matrix,
    load_dataset,
    split_dataset,
)
from solverq.plugins.builtin.ffnn_results import (
    class_probabilities,
    classification_summary,
    data_loss,
    encode_labels,
    network_arrays,
    regression_summary,
    stored_network,
)
from solverq.plugins.builtin.optimizer_parameters import (
    OPTIMIZER_HELP,
    Optimizer,
    OptimizerParameters,
    batch_size,
    schedule,
    update_rule,
    updates_per_epoch,
)
from solverq.plugins.contract import Plugin, Progress, Result
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.solvers.ffnn.network import OutputKind, initial_network
from solverq.solvers.ffnn.training import TrainingResult, TrainingSettings, train
from solverq.solvers.outcome import SolveStatus
from solverq.solvers.preparation.scaling import Scaler, Scaling, fit_scaler

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_PARAMETERS = 10_000_000
MAX_CLASSES = 1000
PLAIN_RATE = 0.01
Activation = Literal["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
RELU_FAMILY = ("relu", "leaky_relu", "elu")


class NetworkParameters(OptimizerParameters, DataParameters):
    task: Literal["regression", "classification"] | None = Field(
        None,
        description="regression (identity output, mean squared error) or classification "
        "(sigmoid and cross-entropy for two classes, softmax for more). Default: "
        "classification for data=breast_cancer and digits, else regression.",
    )
    hidden: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(
        [50],
        max_length=20,
        description="Widths of the hidden layers; [] is linear or logistic regression.",
    )
    activation: Activation = Field("sigmoid", description="Activation of the hidden layers.")
    init: Literal["xavier", "he", "normal"] | None = Field(
        None,
        description="Initial weights: xavier (uniform, variance 2/(n_in + n_out)), he (normal, "
        "variance 2/n_in) or normal (standard normal). Default: xavier for sigmoid and tanh, he "
        "for relu, leaky_relu and elu.",
    )
    seed: int = Field(
        0,
        ge=0,
        description="Seed of the generated data, the test split, the initial weights and the "
        "mini-batches.",
    )
    scale: Scaling = Field(
        "standard",
        description="Scale the inputs, fitted on the training set: standard (mean 0, variance "
        "1), minmax ([0, 1]) or none.",
    )
    optimizer: Optimizer = Field("adam", description=OPTIMIZER_HELP)
    eta: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto",
        description=f"Initial learning rate. auto: 0.001 for adam and rmsprop, 0.01 for adagrad, "
        f"{PLAIN_RATE} for gd, momentum and sgd.",
    )
    epochs: int = Field(200, ge=1, le=1_000_000, description="Most epochs to run.")
    lam: float = Field(
        0.0, alias="lambda", ge=0, description="L2 penalty lambda sum ||W||^2 on the weights."
    )
    validation_fraction: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Share of the training rows held out for early stopping; 0: no early stopping.",
    )
    patience: int = Field(
        10, ge=1, description="Epochs without a better validation loss before stopping early."
    )
    gradient: Literal["analytic", "autograd"] = Field(
        "analytic", description="Gradient by backpropagation written in numpy, or by autograd."
    )

    @field_validator("task")
    @classmethod
    def _task_of_the_data(cls, task: str | None, info: ValidationInfo) -> str:
        if task is not None:
            return task
        return "classification" if info.data.get("data") in DATASETS else "regression"

    @field_validator("init")
    @classmethod
    def _init_of_the_activation(cls, init: str | None, info: ValidationInfo) -> str:
        if init is not None:
            return init
        return "he" if info.data.get("activation") in RELU_FAMILY else "xavier"


class NetworkPlugin(Plugin[NetworkParameters]):
    name = "ffnn"
    summary = "Feed-forward neural network for regression and classification (backpropagation)"
    Parameters = NetworkParameters
    requires = ("autograd", "scipy", "scikit-learn")
    seed_parameter = "seed"
    headline = ("test_mse", "test_r2", "test_accuracy")

    @classmethod
    def check_inputs(cls, params: Any, inputs: Mapping[str, np.ndarray]) -> None:
        super().check_inputs(params, inputs)
        classifying = params.task == "classification"
        dataset = check_data(params, inputs, cls.name, labels=classifying)
        width = data_shape(params, dataset)[1]
        classes = _class_count(params, dataset) if classifying else 0
        needed, purpose = (classes, f"the {classes} classes") if classes else (1, "a network")
        training = check_training_rows(params, dataset, needed, purpose)
        _check_validation_rows(params, training, needed, purpose)
        widths = [width, *params.hidden, 1]
        size = sum((a + 1) * b for a, b in itertools.pairwise(widths))
        if size > MAX_PARAMETERS:
            raise RejectedRequest(
                f"the network would have about {size:,} parameters, more than {MAX_PARAMETERS:,}"
            )

    def solve(self, params: Any, inputs: Mapping[str, np.ndarray], progress: Progress) -> Result:
        seeds = _Seeds(*np.random.SeedSequence(params.seed).spawn(4))
        split = _split(params, inputs, seeds)
        scaler = fit_scaler(split.train_inputs, params.scale)
        train_inputs = scaler.apply(split.train_inputs)
        test_inputs = scaler.apply(split.test_inputs)
        classes, train_targets, test_targets = _targets(params, split)
        output: OutputKind = (
            "identity" if classes is None else "sigmoid" if len(classes) == 2 else "softmax"
        )
        widths = [train_inputs.shape[1], *params.hidden, train_targets.shape[1]]
        network = initial_network(widths, params.activation, output, params.init, seeds.init)
        settings = _settings(params, len(train_inputs), seeds.training)
        outcome = train(
            network, train_inputs, train_targets, test_inputs, test_targets, settings, progress
        )
        if outcome.status is SolveStatus.DIVERGED:
            raise SolveFailed(outcome.reason)
        progress(1.0, outcome.reason)
        summary = _summary(params, outcome, settings, split)
        summary["train_loss"] = data_loss(network, train_inputs, train_targets)
        summary["test_loss"] = data_loss(network, test_inputs, test_targets)
        if classes is None:
            summary.update(regression_summary(network, train_inputs, test_inputs, split))
            arrays = {"test_predictions": network.predict(test_inputs)[:, 0]}
        else:
            metrics, arrays = classification_summary(
                network, train_inputs, test_inputs, split, classes
            )
            summary.update(metrics)
        arrays.update(
            loss_history=outcome.loss_history,
            test_loss_history=outcome.test_loss_history,
            scaler_offset=scaler.offset,
            scaler_scale=scaler.scale,
            **network_arrays(network),
        )
        if params.keep_data:
            arrays.update(split.kept())
        return Result(summary, arrays)

    def predict(
        self, params: Any, result: Result, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """The stored network applied to new inputs, after the stored scaling."""
        scaler = Scaler(result.arrays["scaler_offset"], result.arrays["scaler_scale"])
        values = scaler.apply(input_matrix(inputs, result.summary["inputs"]))
        network = stored_network(params, result)
        outputs = network.predict(values)
        if params.task == "regression":
            return {"predictions": outputs[:, 0]}
        classes = np.asarray(result.summary["classes"])
        probabilities = class_probabilities(outputs, len(classes))
        return {
            "predictions": classes[probabilities.argmax(axis=1)],
            "probabilities": probabilities,
        }

    def plot(
        self, figure: Figure, params: Any, inputs: Mapping[str, np.ndarray], result: Result
    ) -> None:
        from solverq.plugins.builtin.plots.ffnn import plot_network_result

        curve = None
        if params.task == "regression" and result.summary["inputs"] == ["x"]:
            split = _split(params, inputs, _Seeds(*np.random.SeedSequence(params.seed).spawn(4)))
            grid = np.linspace(split.train_inputs.min(), split.train_inputs.max(), 200)
            fitted = self.predict(params, result, {"x": grid})["predictions"]
            curve = (split, grid, fitted)
        plot_network_result(figure, result, curve)


def _class_count(params: NetworkParameters, dataset: Dataset | None) -> int:
    """The classes of the data, or `RejectedRequest` when its targets are not class labels."""
    if params.data in GENERATORS:
        raise RejectedRequest(
            f"data={params.data} generates continuous targets, not classes: use task=regression"
        )
    if dataset is None:
        return DATASET_CLASSES[str(params.data)]
    labels = dataset.targets
    if dataset.test_targets is not None:
        labels = np.concatenate([labels, dataset.test_targets])
    if labels.dtype.kind == "f":
        fractional = labels[labels != np.round(labels)]
        if fractional.size:
            raise RejectedRequest(
                f"the targets hold numbers that are not class labels ({fractional[0]:g}); "
                "classification needs integers or text: use task=regression"
            )
    count = len(np.unique(labels))
    if not 2 <= count <= MAX_CLASSES:
        raise RejectedRequest(
            f"classification needs 2 to {MAX_CLASSES} classes; the labels hold {count}"
        )
    return count


def _check_validation_rows(
    params: NetworkParameters, training: int, needed: int, purpose: str
) -> None:
    """Refuse early stopping whose validation share holds out no row, or leaves too few."""
    if params.validation_fraction == 0:
        return
    held = training - _stepped_rows(params, training)
    if held == 0:
        raise RejectedRequest(
            f"validation_fraction={params.validation_fraction} holds out none of the {training} "
            "training samples; early stopping needs at least one (or validation_fraction=0)"
        )
    if training - held < needed:
        raise RejectedRequest(
            f"{training - held} training samples are too few for {purpose}; "
            f"validation_fraction={params.validation_fraction} holds out {held} of the "
            f"{training} for early stopping"
        )


class _Seeds(NamedTuple):
    """The independent streams of one seed: data, mini-batches, test split, initial weights."""

    data: np.random.SeedSequence
    training: np.random.SeedSequence
    split: np.random.SeedSequence
    init: np.random.SeedSequence


def _split(params: NetworkParameters, inputs: Mapping[str, np.ndarray], seeds: _Seeds) -> Split:
    classifying = params.task == "classification"
    dataset = load_dataset(params, inputs, seeds.data, labels=classifying)
    return split_dataset(dataset, params.test_size, seeds.split, stratify=classifying)


def _targets(
    params: NetworkParameters, split: Split
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """The classes (None for a regression) and the target matrices of both sets."""
    if params.task == "classification":
        return encode_labels(split.train_targets, split.test_targets)
    return None, split.train_targets[:, np.newaxis], split.test_targets[:, np.newaxis]


def _settings(
    params: NetworkParameters, samples: int, seed: np.random.SeedSequence
) -> TrainingSettings:
    rule = update_rule(params)
    batch = batch_size(params)
    if params.eta != "auto":
        eta = params.eta
    else:
        eta = rule.default_eta if rule.default_eta is not None else PLAIN_RATE
    kept = _stepped_rows(params, samples)
    return TrainingSettings(
        rule=rule,
        eta=eta,
        schedule=schedule(params, params.epochs * updates_per_epoch(kept, batch)),
        epochs=params.epochs,
        batch_size=batch,
        lam=params.lam,
        validation=params.validation_fraction,
        patience=params.patience,
        gradient=params.gradient,
        seed=seed,
    )


def _stepped_rows(params: NetworkParameters, samples: int) -> int:
    """The training rows the steps see: those not held out for early stopping."""
    return samples - round(params.validation_fraction * samples)


def _summary(
    params: NetworkParameters, outcome: TrainingResult, settings: TrainingSettings, split: Split
) -> dict[str, Any]:
    stepped = _stepped_rows(params, len(split.train_targets))
    return {
        "task": params.task,
        "parameters": outcome.network.size,
        "epochs": outcome.epochs,
        "status": outcome.status.value,
        "reason": outcome.reason,
        "eta": settings.eta,
        "batch_size": min(settings.batch_size or stepped, stepped),
        "train_samples": len(split.train_targets),
        "test_samples": len(split.test_targets),
        "inputs": split.names,
        "warnings": list(split.warnings),
    }
