"""Polynomial design matrices.

The inputs are k columns u_1, ..., u_k (k = 1 for a curve x, k = 2 for a surface (x1, x2)). The
design matrix of total degree d holds every monomial u_1^a_1 ... u_k^a_k with
0 < a_1 + ... + a_k <= d, preceded by the column of ones when there is an intercept. The order
is by total degree, and within one degree by decreasing power of the earlier inputs:

    k = 1:  1, x, x^2, ..., x^d
    k = 2:  1, x1, x2, x1^2, x1*x2, x2^2, x1^3, x1^2*x2, x1*x2^2, x2^3, ...

which is the order of the course's `create_X` for two inputs. Degree 1 gives the inputs as they
are: 1, u_1, ..., u_k.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement
from math import comb

import numpy as np


def design_width(inputs: int, degree: int, intercept: bool) -> int:
    """The number of columns of the design matrix of `inputs` columns up to total `degree`."""
    return comb(inputs + degree, degree) - (0 if intercept else 1)


def polynomial_design(
    inputs: np.ndarray, degree: int, intercept: bool, names: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The design matrix (n x p, C order) of the input columns (n x k) and its column names.

    `names` names the k inputs; a column is named like `x1^2*x2`, the intercept `1`.
    """
    n, k = inputs.shape
    exponents = [
        powers
        for total in range(1, degree + 1)
        for powers in combinations_with_replacement(range(k), total)
    ]
    design = np.empty((n, len(exponents) + intercept))
    columns = ["1"] if intercept else []
    if intercept:
        design[:, 0] = 1.0
    for index, powers in enumerate(exponents, start=int(intercept)):
        column = design[:, index]
        column[:] = inputs[:, powers[0]]
        for factor in powers[1:]:
            column *= inputs[:, factor]
        columns.append(_monomial_name(powers, names))
    return design, columns


def _monomial_name(powers: tuple[int, ...], names: Sequence[str]) -> str:
    factors = []
    for variable in sorted(set(powers)):
        count = powers.count(variable)
        factors.append(names[variable] + (f"^{count}" if count > 1 else ""))
    return "*".join(factors)
