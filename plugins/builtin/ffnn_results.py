"""What an `ffnn` job reports and stores: labels mapped to classes and back, the metrics of the
trained network on the training and test sets, and the network as named arrays, from which it
is rebuilt to predict."""

from __future__ import annotations

from typing import Any

import numpy as np

from solverq.plugins.builtin.data_preparation import Split
from solverq.plugins.contract import Result
from solverq.solvers.ffnn.backprop import Backpropagation
from solverq.solvers.ffnn.network import Network, OutputKind

MAX_CONFUSION_CLASSES = 20


def encode_labels(
    train_labels: np.ndarray, test_labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The classes (sorted; whole numbers as integers) and the targets of both sets: one 0/1
    column for two classes, one-hot rows for more."""
    classes = np.unique(np.concatenate([train_labels, test_labels]))
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        classes = classes.astype(np.int64)
    encoded = []
    for labels in (train_labels, test_labels):
        codes = np.searchsorted(classes, labels.astype(classes.dtype))
        encoded.append(
            codes[:, np.newaxis].astype(float) if len(classes) == 2 else np.eye(len(classes))[codes]
        )
    return classes, encoded[0], encoded[1]


def data_loss(network: Network, inputs: np.ndarray, targets: np.ndarray) -> float | None:
    """The cost of the network on the rows (without the penalty); None for no rows."""
    if not len(inputs):
        return None
    return Backpropagation(network, 0.0, len(inputs)).loss(inputs, targets)


def regression_summary(
    network: Network, train_inputs: np.ndarray, test_inputs: np.ndarray, split: Split
) -> dict[str, Any]:
    """MSE and R^2 on the training and test sets."""
    summary: dict[str, Any] = {}
    for part, inputs, targets in (
        ("train", train_inputs, split.train_targets),
        ("test", test_inputs, split.test_targets),
    ):
        if not len(targets):
            summary[f"{part}_mse"] = summary[f"{part}_r2"] = None
            continue
        residual = network.predict(inputs)[:, 0] - targets
        mse = float(residual @ residual) / len(targets)
        spread = float(np.sum((targets - targets.mean()) ** 2))
        summary[f"{part}_mse"] = mse
        summary[f"{part}_r2"] = 1.0 - len(targets) * mse / spread if spread > 0 else None
    return summary


def classification_summary(
    network: Network,
    train_inputs: np.ndarray,
    test_inputs: np.ndarray,
    split: Split,
    classes: np.ndarray,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Accuracy on both sets, the classes, the test set's confusion matrix (rows: true class,
    columns: predicted) for up to 20 classes; the test predictions and probabilities."""
    summary: dict[str, Any] = {"classes": classes.tolist()}
    arrays: dict[str, np.ndarray] = {}
    for part, inputs, labels in (
        ("train", train_inputs, split.train_targets),
        ("test", test_inputs, split.test_targets),
    ):
        probabilities = class_probabilities(network.predict(inputs), len(classes))
        predicted = classes[probabilities.argmax(axis=1)]
        truth = labels.astype(classes.dtype)
        summary[f"{part}_accuracy"] = float(np.mean(predicted == truth)) if len(truth) else None
        if part == "test":
            arrays = {"test_predictions": predicted, "test_probabilities": probabilities}
            summary["confusion"] = (
                confusion_matrix(truth, predicted, classes).tolist()
                if len(classes) <= MAX_CONFUSION_CLASSES
                else None
            )
    return summary, arrays


def class_probabilities(outputs: np.ndarray, classes: int) -> np.ndarray:
    """One column per class: (1 - p, p) from a sigmoid output, the softmax outputs as they are."""
    return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]]) if classes == 2 else outputs


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Counts C[i, j] of rows of class i predicted as class j."""
    size = len(classes)
    rows, columns = np.searchsorted(classes, truth), np.searchsorted(classes, predicted)
    return np.bincount(rows * size + columns, minlength=size * size).reshape(size, size)


def network_arrays(network: Network) -> dict[str, np.ndarray]:
    """weights_1, biases_1, weights_2, ...: the stored network."""
    arrays = {}
    for layer, (weights, biases) in enumerate(
        zip(network.weights, network.biases, strict=True), start=1
    ):
        arrays[f"weights_{layer}"] = weights
        arrays[f"biases_{layer}"] = biases
    return arrays


def stored_network(params: Any, result: Result) -> Network:
    """The network a result stored, rebuilt from its arrays."""
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    while f"weights_{len(weights) + 1}" in result.arrays:
        layer = len(weights) + 1
        weights.append(result.arrays[f"weights_{layer}"])
        biases.append(result.arrays[f"biases_{layer}"])
    output: OutputKind
    if params.task == "regression":
        output = "identity"
    else:
        output = "sigmoid" if len(result.summary["classes"]) == 2 else "softmax"
    return Network.of_layers(weights, biases, params.activation, output)
