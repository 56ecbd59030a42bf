"""Train/test splits of n samples.

A plain split shuffles the n row indices and takes the first round(test_size n) as the test set.
A stratified split does the same within each class, taking round(test_size n_c) of the n_c rows of
class c, so that both sets keep the class proportions (scikit-learn's `train_test_split` with
`stratify`). The rows of each set are returned in increasing order. Reference: T. Hastie,
R. Tibshirani, J. Friedman, "The Elements of Statistical Learning", 2nd ed., Springer 2009,
section 7.2.
"""

from __future__ import annotations

import numpy as np


def split_rows(
    samples: int,
    test_size: float,
    seed: int | np.random.SeedSequence,
    classes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The training and test row indices; stratified by `classes` (n class indices) if given."""
    rng = np.random.default_rng(seed)
    if classes is None:
        order = rng.permutation(samples)
        tested = round(test_size * samples)
        return np.sort(order[tested:]), np.sort(order[:tested])
    test_rows: list[np.ndarray] = []
    for label in np.unique(classes):
        members = rng.permutation(np.flatnonzero(classes == label))
        test_rows.append(members[: round(test_size * len(members))])
    test = np.sort(np.concatenate(test_rows))
    train = np.setdiff1d(np.arange(samples), test, assume_unique=True)
    return train, test
