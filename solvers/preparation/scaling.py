"""Input scaling x' = (x - offset) / scale, column by column, fitted on the training set only.

- standard: offset = the column's mean, scale = its standard deviation (zero mean, unit variance);
- minmax:   offset = the column's minimum, scale = its range (values in [0, 1]);
- none:     offset = 0, scale = 1.

A constant column keeps scale 1, so that it maps to 0 instead of dividing by zero. Fitting on the
training set alone keeps the test set unseen (scikit-learn's `StandardScaler` and
`MinMaxScaler`). Scaling does not change the least-squares fit of a model with an intercept but
improves the conditioning of X^T X, so gradient descent converges in far fewer steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Scaling = Literal["standard", "minmax", "none"]


@dataclass(frozen=True)
class Scaler:
    """A fitted scaling: x' = (x - offset) / scale, with one offset and scale per column."""

    offset: np.ndarray
    scale: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """The scaled copy of `values` (n x k)."""
        return (values - self.offset) / self.scale


def fit_scaler(values: np.ndarray, scaling: Scaling) -> Scaler:
    """The scaler of kind `scaling` fitted on the columns of `values` (n x k)."""
    columns = values.shape[1]
    if scaling == "none":
        return Scaler(np.zeros(columns), np.ones(columns))
    if scaling == "standard":
        offset, spread = values.mean(axis=0), values.std(axis=0)
    else:
        offset, spread = values.min(axis=0), np.ptp(values, axis=0)
    return Scaler(offset, np.where(spread > 0, spread, 1.0))
