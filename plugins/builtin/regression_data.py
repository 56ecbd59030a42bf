"""The observations of a regression: read from the input arrays of a request, or generated.

A `.npz` file holds `x` (n) or `X` (n x p) and `y` (n); a `.csv` file arrives as one array per
column, in the order of its header: the last column is the response, the others the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from solverq.plugins.errors import RejectedRequest
from solverq.solvers.regression.data import franke_data, polynomial_data

NAMED_LAYOUTS = ({"x", "y"}, {"X", "y"})


@dataclass(frozen=True)
class Observations:
    """Inputs (n x k), responses (n) and the names of the k inputs."""

    inputs: np.ndarray
    response: np.ndarray
    names: list[str]


def read_observations(arrays: Mapping[str, np.ndarray]) -> Observations:
    """The observations in the arrays of a data file, or `RejectedRequest` saying what is wrong."""
    for name, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise RejectedRequest(f"input array '{name}' must hold real numbers, not {array.dtype}")
    if set(arrays) in NAMED_LAYOUTS:
        response = arrays["y"]
        given = {name: array for name, array in arrays.items() if name != "y"}
    else:
        *input_names, response_name = arrays
        if not input_names:
            raise RejectedRequest(
                f"the data hold only '{response_name}': give x (n) or X (n x p) and y (n) in a "
                ".npz file, or a .csv file with input columns before the last column, y"
            )
        for name, array in arrays.items():
            if array.ndim != 1:
                raise RejectedRequest(
                    f"array '{name}' is not a column: give x (n) or X (n x p) and y (n), and "
                    "nothing else, in a .npz file, or a .csv file whose last column is y"
                )
        response = arrays[response_name]
        given = {name: arrays[name] for name in input_names}
    if response.ndim != 1:
        raise RejectedRequest(
            f"the responses y must be one column of n values, not of shape {response.shape}"
        )
    columns: list[np.ndarray] = []
    names: list[str] = []
    for name, array in given.items():
        if array.ndim not in (1, 2) or len(array) != len(response):
            raise RejectedRequest(
                f"array '{name}' has shape {array.shape}, but the {len(response)} responses need "
                f"{len(response)} rows"
            )
        if array.ndim == 1:
            columns.append(array)
            names.append(name)
        else:
            prefix = name.lower() if name in ("x", "X") else name
            columns.extend(array.T)
            names.extend(f"{prefix}{j}" for j in range(1, array.shape[1] + 1))
    inputs = np.column_stack(columns).astype(float)
    return Observations(inputs, response.astype(float), names)


def generated_observations(
    kind: Literal["polynomial", "franke"],
    n: int,
    coefficients: Sequence[float],
    noise: float,
    seed: np.random.SeedSequence,
) -> Observations:
    """n observations of a noisy polynomial (x uniform in [0, 1]) or of the Franke function."""
    if kind == "polynomial":
        x, y = polynomial_data(n, coefficients, noise, seed)
        return Observations(x[:, np.newaxis], y, ["x"])
    inputs, y = franke_data(n, noise, seed)
    return Observations(inputs, y, ["x1", "x2"])
