"""The data of a trained model, shared by `sgd` and `ffnn`: where it comes from, how it is split
into a training and a test set, and which of its parameters a job records.

Sources:
- generators: `data=polynomial` (x uniform in [0, 1], a noisy polynomial) and `data=franke`
  (the noisy Franke function on [0, 1]^2), with `n`, `noise` and `coefficients`;
- the data sets scikit-learn ships: `data=breast_cancer` (569 x 30, two classes) and
  `data=digits` (1797 8x8 images, ten classes), when scikit-learn is installed;
- a `--data` file: a `.npz` with `x` (n) or `X` (n x k) and `y` (n), and optionally `x_test` or
  `X_test` and `y_test`, then used as the test set as given; or a `.csv`, which arrives as one
  array per column: `target` names the response column (default the last), `features` the input
  columns (default all others). Columns named exactly x and y are read as a `.npz` (y the
  response) unless `target` or `features` choose among them.

Without a given test set, a share `test_size` of the rows is held out at random (by `seed`),
stratified by class for classification: round(test_size n_c) of the n_c rows of each class c.
When that cannot be done (a class of one row, or a stratified test or training set that would be
empty), the rows are split without regard to class, and the split says so in its warnings.
A job records only the data parameters its source uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import ParameterModel
from solverq.solvers.preparation.split import split_rows
from solverq.solvers.regression.data import franke_data, polynomial_data

GENERATORS = ("polynomial", "franke")
DATASETS = ("breast_cancer", "digits")
DATASETS_EXTRA = "pip install 'solverq[datasets]'"
DATASET_SHAPES = {"breast_cancer": (569, 30), "digits": (1797, 64)}
DATASET_CLASSES = {"breast_cancer": 2, "digits": 10}
GENERATED_INPUTS = {"polynomial": 1, "franke": 2}
INPUT_NAMES = ("x", "X")
TEST_INPUT_NAMES = ("x_test", "X_test")

DataSource = Literal["polynomial", "franke", "breast_cancer", "digits"]


class DataParameters(ParameterModel):
    """The data parameters of a plugin that trains a model (declared first in its model)."""

    data: DataSource | None = Field(
        None,
        description="A data generator (polynomial, franke) or a data set shipped with "
        "scikit-learn (breast_cancer, digits); unset: a --data file (.npz with x or X and y, "
        "optionally X_test and y_test; or .csv with a header).",
    )
    n: int = Field(
        100, ge=2, le=10_000_000, description="Samples to generate (polynomial, franke)."
    )
    coefficients: list[Annotated[float, Field(ge=-1e6, le=1e6)]] = Field(
        [1.0, 2.0, 3.0],
        min_length=1,
        max_length=31,
        description="Coefficients c_0, c_1, ... of the polynomial of data=polynomial.",
    )
    noise: float = Field(
        0.1,
        ge=0,
        description="Standard deviation of the Gaussian noise added (polynomial, franke).",
    )
    target: str | None = Field(
        None,
        min_length=1,
        description="The response column of a .csv file (default: the last; y of columns named "
        "exactly x and y).",
    )
    features: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, min_length=1, description="The input columns of a .csv file (default: all others)."
    )
    test_size: float = Field(
        0.2,
        ge=0,
        lt=1,
        description="Share of the rows held out as the test set (stratified by class for "
        "classification); 0: no test set. Unused when the file gives X_test and y_test.",
    )
    keep_data: bool = Field(
        False, description="Store the data used (X_train, y_train, X_test, y_test) with the result."
    )

    @field_validator("features", mode="before")
    @classmethod
    def _bare_names(cls, features: Any) -> Any:
        """`[height,width]` as typed on a command line: a list of the names between the commas."""
        if isinstance(features, str) and features.startswith("[") and features.endswith("]"):
            return [name.strip().strip("'\"") for name in features[1:-1].split(",")]
        return features

    @model_serializer(mode="wrap")
    def _record_used_data_parameters(self, handler: SerializerFunctionWrapHandler) -> Any:
        record = handler(self)
        for name in unused_data_parameters(self):
            record.pop(name, None)
        return record


def unused_data_parameters(params: Any) -> dict[str, str]:
    """The data parameters the source of `params` does not use, each with the source it is for."""
    unused: dict[str, str] = {}
    if params.data != "polynomial":
        unused["coefficients"] = "data=polynomial"
    if params.data not in GENERATORS:
        unused["n"] = unused["noise"] = "generated data (data=polynomial or franke)"
    if params.data is not None:
        unused["target"] = unused["features"] = "a .csv file given with --data"
    return unused


@dataclass(frozen=True)
class Dataset:
    """Inputs (n x k), targets (n; numbers, or labels for classification), the names of the k
    inputs, and the test set when the source gives one."""

    inputs: np.ndarray
    targets: np.ndarray
    names: list[str]
    test_inputs: np.ndarray | None = None
    test_targets: np.ndarray | None = None


@dataclass(frozen=True)
class Split:
    """The training and test sets (the test set may be empty), the names of the inputs, and
    what the user should know about the split."""

    train_inputs: np.ndarray
    train_targets: np.ndarray
    test_inputs: np.ndarray
    test_targets: np.ndarray
    names: list[str]
    warnings: tuple[str, ...] = ()

    def kept(self) -> dict[str, np.ndarray]:
        """The arrays `keep_data=true` stores: the layout a .npz --data file is read in."""
        return {
            "X_train": self.train_inputs,
            "y_train": self.train_targets,
            "X_test": self.test_inputs,
            "y_test": self.test_targets,
        }


def check_data(
    params: Any, inputs: Mapping[str, np.ndarray], owner: str, labels: bool = False
) -> Dataset | None:
    """Refuse a request whose data cannot work, or that sets a data parameter its source does
    not use to another value than its default (`RejectedRequest`); return the file's dataset,
    read with text labels allowed when `labels`, or None for a generator or shipped data set."""
    fields = type(params).model_fields
    for name, source in unused_data_parameters(params).items():
        if getattr(params, name) != fields[name].default:
            raise RejectedRequest(f"parameter '{name}' of {owner} applies to {source} only")
    if params.data is not None:
        if inputs:
            raise RejectedRequest(
                f"data={params.data} provides the data: give either it or a --data file, not both"
            )
        if params.data in DATASETS:
            _scikit_learn_datasets(params.data)
        return None
    if not inputs:
        raise RejectedRequest(
            f"{owner} needs data: a --data file (.npz with x or X and y, or .csv with a header), "
            f"or data={', '.join(GENERATORS + DATASETS)}"
        )
    return read_dataset(inputs, params.target, params.features, labels)


def data_shape(params: Any, dataset: Dataset | None) -> tuple[int, int]:
    """Rows and input columns of the data (all rows, before the test set is held out), from the
    file's `dataset` (as `check_data` returns it) or the named source."""
    if dataset is not None:
        return len(dataset.targets), len(dataset.names)
    if params.data in DATASET_SHAPES:
        return DATASET_SHAPES[params.data]
    return params.n, GENERATED_INPUTS[params.data]


def training_rows(params: Any, dataset: Dataset | None) -> int:
    """The rows left for training once the test set is held out: all of them when the file
    gives its test set, else n - round(test_size n)."""
    samples = data_shape(params, dataset)[0]
    if dataset is not None and dataset.test_inputs is not None:
        return samples
    return samples - round(params.test_size * samples)


def check_training_rows(params: Any, dataset: Dataset | None, needed: int, purpose: str) -> int:
    """The training rows (`training_rows`), or `RejectedRequest` when fewer than `needed`."""
    training = training_rows(params, dataset)
    if training < needed:
        samples = data_shape(params, dataset)[0]
        held = f"; test_size={params.test_size} holds out {samples - training} of the {samples}"
        raise RejectedRequest(
            f"{training} training samples are too few for {purpose}"
            + (held + " rows" if training < samples else "")
        )
    return training


def load_dataset(
    params: Any, inputs: Mapping[str, np.ndarray], seed: np.random.SeedSequence, labels: bool
) -> Dataset:
    """The dataset of a validated request: generated from `seed`, loaded, or read from a file."""
    if params.data == "polynomial":
        x, y = polynomial_data(params.n, params.coefficients, params.noise, seed)
        return Dataset(x[:, np.newaxis], y, ["x"])
    if params.data == "franke":
        points, y = franke_data(params.n, params.noise, seed)
        return Dataset(points, y, ["x1", "x2"])
    if params.data in DATASETS:
        bunch = _scikit_learn_datasets(params.data)(return_X_y=False)
        targets = bunch.target if labels else bunch.target.astype(float)
        return Dataset(bunch.data.astype(float), targets, [str(n) for n in bunch.feature_names])
    return read_dataset(inputs, params.target, params.features, labels)


def split_dataset(
    dataset: Dataset, test_size: float, seed: np.random.SeedSequence, stratify: bool
) -> Split:
    """Hold out the test set: the one given, else `test_size` of the rows (by class if
    `stratify` and the classes allow it, else with a warning without regard to class)."""
    if dataset.test_inputs is not None and dataset.test_targets is not None:
        return Split(
            dataset.inputs,
            dataset.targets,
            dataset.test_inputs,
            dataset.test_targets,
            dataset.names,
        )
    samples = len(dataset.targets)
    warnings: tuple[str, ...] = ()
    classes = np.unique(dataset.targets, return_inverse=True)[1] if stratify else None
    train, test = split_rows(samples, test_size, seed, classes)
    if classes is not None:
        problem = _stratification_problem(classes, train, test, round(test_size * samples))
        if problem:
            train, test = split_rows(samples, test_size, seed)
            warnings = (f"the test set is drawn without regard to class: {problem}",)
    return Split(
        dataset.inputs[train],
        dataset.targets[train],
        dataset.inputs[test],
        dataset.targets[test],
        dataset.names,
        warnings,
    )


def _stratification_problem(
    classes: np.ndarray, train: np.ndarray, test: np.ndarray, tested: int
) -> str | None:
    """Why the stratified split (`train`, `test`) of the class indices `classes` cannot serve,
    where a plain split would test `tested` rows; None when it can."""
    counts = np.bincount(classes)
    if tested == 0:
        return None
    if counts.min() < 2:
        return f"{int((counts < 2).sum())} of the {len(counts)} classes have a single row"
    if test.size == 0:
        return "too few rows per class to hold out test_size of each"
    if train.size == 0:
        return "too few rows per class to keep any for training"
    return None


def read_dataset(
    arrays: Mapping[str, np.ndarray],
    target: str | None,
    features: list[str] | None,
    labels: bool = False,
) -> Dataset:
    """The dataset in the arrays of a data file, or `RejectedRequest` saying what is wrong.

    A `.npz` file holds x or X and y (and x_test or X_test and y_test); any other set of arrays,
    or columns that `target` or `features` choose among, is read as the columns of a table, in
    order. Targets may be text when `labels` is true.
    """
    columns_chosen = target is not None or features is not None
    all_columns = all(array.ndim == 1 for array in arrays.values())
    if _is_named_layout(arrays) and not (columns_chosen and all_columns):
        if columns_chosen:
            raise RejectedRequest(
                "target and features choose columns of a .csv file; these data are x or X and y"
            )
        return _named_dataset(arrays, labels)
    return _table_dataset(arrays, target, features, labels)


def input_matrix(arrays: Mapping[str, np.ndarray], names: list[str]) -> np.ndarray:
    """The inputs named `names` of a trained model, from new data in either layout: x or X, or
    the table columns of those names."""
    present = [name for name in INPUT_NAMES if name in arrays]
    if present:
        matrix = _numbers(arrays[present[0]], present[0])
        matrix = matrix[:, np.newaxis] if matrix.ndim == 1 else matrix
        if matrix.ndim != 2 or matrix.shape[1] != len(names):
            raise RejectedRequest(
                f"array '{present[0]}' has shape {arrays[present[0]].shape}; the model takes "
                f"{len(names)} inputs per row ({', '.join(names)})"
            )
        return matrix
    missing = [name for name in names if name not in arrays]
    if missing:
        raise RejectedRequest(
            f"the data lack the input column '{missing[0]}' the model was trained on "
            f"(inputs: {', '.join(names)}; give them as columns, or as x or X)"
        )
    return _table(arrays, names)


def _is_named_layout(arrays: Mapping[str, np.ndarray]) -> bool:
    names = set(arrays)
    given_inputs = names & set(INPUT_NAMES)
    return (
        len(given_inputs) == 1
        and "y" in names
        and names <= {*INPUT_NAMES, "y", *TEST_INPUT_NAMES, "y_test"}
    )


def _named_dataset(arrays: Mapping[str, np.ndarray], labels: bool) -> Dataset:
    name = "x" if "x" in arrays else "X"
    inputs = _inputs(arrays[name], name)
    targets = _targets(arrays["y"], "y", len(inputs), labels)
    names = ["x"] if arrays[name].ndim == 1 else [f"x{j}" for j in range(1, inputs.shape[1] + 1)]
    test_names = [n for n in TEST_INPUT_NAMES if n in arrays]
    if not test_names and "y_test" not in arrays:
        return Dataset(inputs, targets, names)
    if len(test_names) != 1 or "y_test" not in arrays:
        raise RejectedRequest("a given test set needs both x_test (or X_test) and y_test")
    test_inputs = _inputs(arrays[test_names[0]], test_names[0])
    if test_inputs.shape[1] != inputs.shape[1]:
        raise RejectedRequest(
            f"array '{test_names[0]}' has {test_inputs.shape[1]} columns, but '{name}' has "
            f"{inputs.shape[1]}"
        )
    test_targets = _targets(arrays["y_test"], "y_test", len(test_inputs), labels)
    return Dataset(inputs, targets, names, test_inputs, test_targets)


def _table_dataset(
    arrays: Mapping[str, np.ndarray], target: str | None, features: list[str] | None, labels: bool
) -> Dataset:
    columns = list(arrays)
    for name, array in arrays.items():
        if array.ndim != 1:
            raise RejectedRequest(
                f"array '{name}' is not a column: give x (n) or X (n x k) and y (n), and nothing "
                "else, in a .npz file, or a .csv file with a header"
            )
    target = target if target is not None else columns[-1]
    if target not in arrays:
        raise RejectedRequest(
            f"target '{target}' is not a column of the data ({', '.join(columns)})"
        )
    if features is None:
        features = [name for name in columns if name != target]
    for name in features:
        if name not in arrays:
            raise RejectedRequest(
                f"feature '{name}' is not a column of the data ({', '.join(columns)})"
            )
        if name == target:
            raise RejectedRequest(f"column '{name}' cannot be both the target and a feature")
    if not features:
        raise RejectedRequest(
            f"the data hold only '{target}': give x (n) or X (n x k) and y (n) in a .npz file, "
            "or a .csv file with input columns beside the target"
        )
    targets = _targets(arrays[target], target, len(arrays[target]), labels)
    for name in features:
        if len(arrays[name]) != len(targets):
            raise RejectedRequest(
                f"column '{name}' has {len(arrays[name])} values, but '{target}' has {len(targets)}"
            )
    return Dataset(_table(arrays, features), targets, list(features))


def _table(arrays: Mapping[str, np.ndarray], names: list[str]) -> np.ndarray:
    return np.column_stack([_numbers(arrays[name], name) for name in names]).astype(float)


def _inputs(array: np.ndarray, name: str) -> np.ndarray:
    matrix = _numbers(array, name)
    if matrix.ndim not in (1, 2):
        raise RejectedRequest(
            f"array '{name}' must be x (n) or X (n x k), not of shape {array.shape}"
        )
    return (matrix[:, np.newaxis] if matrix.ndim == 1 else matrix).astype(float)


def _targets(array: np.ndarray, name: str, rows: int, labels: bool) -> np.ndarray:
    if array.ndim != 1:
        raise RejectedRequest(
            f"the responses '{name}' must be one column of n values, not of shape {array.shape}"
        )
    if len(array) != rows:
        raise RejectedRequest(f"array '{name}' has {len(array)} values for {rows} rows of inputs")
    if array.dtype.kind in "US":
        if labels:
            return array
        first = str(array[0]) if array.size else ""
        raise RejectedRequest(
            f"target '{name}' holds text ({first!r} in its first row); a regression needs numbers "
            "(text labels are classes: ffnn with task=classification)"
        )
    return _numbers(array, name).astype(float)


def _numbers(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype.kind in "US":
        first = str(array.ravel()[0]) if array.size else ""
        raise RejectedRequest(
            f"column '{name}' holds text ({first!r} in its first row); inputs must be numbers"
        )
    if array.dtype.kind not in "biuf":
        raise RejectedRequest(f"input array '{name}' must hold real numbers, not {array.dtype}")
    return array


def _scikit_learn_datasets(name: str) -> Any:
    """scikit-learn's loader of the data set `name`, or `RejectedRequest` naming the extra."""
    try:
        datasets = importlib.import_module("sklearn.datasets")
    except ImportError:
        raise RejectedRequest(
            f"data={name} is shipped with scikit-learn, which is not installed: {DATASETS_EXTRA}"
        ) from None
    return getattr(datasets, f"load_{name}")
