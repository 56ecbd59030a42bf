"""Trial solutions y_t(x, p) = A(x) + B(x) N(x, p) that meet the conditions for every p.

Following Lagaris, Likas and Fotiadis, IEEE Trans. Neural Networks 9(5), 1998, with s = x - x0:

- first-order IVP, y(x0) = y0:               A = y0,                          B = s
- second-order IVP, y(x0) = y0, y'(x0) = v0:  A = y0 + v0 s,                   B = s² (or (s/L)²)
- Dirichlet BVP, y(a) = ya, y(b) = yb:        A = ya + (yb - ya)(x - a)/(b - a), B = (x - a)(b - x)

For a second-order IVP written in the expression language and not linear in y and y'
(`linearisation.linear_in_y`), B = (s/L)² with L = x1 - x0, the factor in the units of the
interval, as the network's input is:
N is then of the size of the solution's change over the interval rather than 1/L² of it, and
BFGS, whose first inverse-Hessian estimate is the identity, starts with the output layer on the
scale of the hidden ones. Over seeds 0-9 of the pendulum y'' = -sin y on [0, 15] of
bench/nn_ode.py, 5 reach a max error of 1e-4 with it and 1 without (the others end far from the
solution); the linear oscillators of the benchmark end less accurate with it, so they keep s².

B vanishes where a condition is imposed (doubly at x0 for the second-order IVP), so y_t meets it
whatever N is. By Leibniz's rule y_t^(k) = A^(k) + Σ_j C(k, j) B^(k-j) N^(j): the derivatives of
y_t are linear in those of N, and their vector-Jacobian product is the transposed sum.
`TrialSolution.at` gives that map at fixed points, with its transpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from solverq.solvers.nn_ode.linearisation import linear_in_y
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.ode.problem import ODEProblem


class TrialSolution:
    """y_t = A + B N; subclasses give A and B with their first two derivatives."""

    def offset(self, x: np.ndarray) -> list[np.ndarray]:
        """[A, A', A''], each (components, points)."""
        raise NotImplementedError

    def factor(self, x: np.ndarray) -> list[np.ndarray]:
        """[B, B', B''] at the points x."""
        raise NotImplementedError

    def values(self, network: Network, p: np.ndarray, x: np.ndarray) -> np.ndarray:
        """y_t(x, p), shaped (components, points)."""
        return self.offset(x)[0] + self.factor(x)[0] * network.value(p, x)

    def at(self, x: np.ndarray, order: int) -> TrialMap:
        """The map [N, ..., N^(order)] -> [y_t, ..., y_t^(order)] at the points x."""
        factor = self.factor(x)
        coefficients = [
            [comb(k, j) * factor[k - j] for j in range(k + 1)] for k in range(order + 1)
        ]
        return TrialMap(self.offset(x)[: order + 1], coefficients)


@dataclass(frozen=True)
class TrialMap:
    """y_t^(k) = A^(k) + Σ_j coefficients[k][j] N^(j) at fixed points (Leibniz's rule)."""

    offset: list[np.ndarray]
    coefficients: list[list[np.ndarray]]

    def derivatives(self, n: list[np.ndarray]) -> list[np.ndarray]:
        """[y_t, ..., y_t^(order)] from [N, ..., N^(order)]."""
        return [
            a + sum(c * nj for c, nj in zip(row, n, strict=False))
            for a, row in zip(self.offset, self.coefficients, strict=True)
        ]

    def transpose(self, y_bar: list[np.ndarray]) -> list[np.ndarray]:
        """The cotangents of [N, ..., N^(order)] given those of [y_t, ..., y_t^(order)]."""
        order = len(self.coefficients) - 1
        return [
            sum(self.coefficients[k][j] * y_bar[k] for k in range(j, order + 1))
            for j in range(order + 1)
        ]


@dataclass(frozen=True)
class FirstOrderIVP(TrialSolution):
    x0: float
    y0: np.ndarray

    def offset(self, x: np.ndarray) -> list[np.ndarray]:
        a = np.broadcast_to(self.y0[:, None], (len(self.y0), len(x)))
        return [a, np.zeros_like(a), np.zeros_like(a)]

    def factor(self, x: np.ndarray) -> list[np.ndarray]:
        return [x - self.x0, np.ones_like(x), np.zeros_like(x)]


@dataclass(frozen=True)
class SecondOrderIVP(TrialSolution):
    """B = ((x - x0)/length)²."""

    x0: float
    y0: np.ndarray
    dy0: np.ndarray
    length: float = 1.0

    def offset(self, x: np.ndarray) -> list[np.ndarray]:
        s = x - self.x0
        slope = np.broadcast_to(self.dy0[:, None], (len(self.dy0), len(x)))
        return [self.y0[:, None] + slope * s, slope, np.zeros_like(slope)]

    def factor(self, x: np.ndarray) -> list[np.ndarray]:
        s = (x - self.x0) / self.length
        return [s * s, 2.0 * s / self.length, np.full_like(x, 2.0 / self.length**2)]


@dataclass(frozen=True)
class DirichletBVP(TrialSolution):
    a: float
    b: float
    ya: np.ndarray
    yb: np.ndarray

    def offset(self, x: np.ndarray) -> list[np.ndarray]:
        slope = np.broadcast_to(
            ((self.yb - self.ya) / (self.b - self.a))[:, None], (len(self.ya), len(x))
        )
        return [self.ya[:, None] + slope * (x - self.a), slope, np.zeros_like(slope)]

    def factor(self, x: np.ndarray) -> list[np.ndarray]:
        return [(x - self.a) * (self.b - x), self.a + self.b - 2.0 * x, np.full_like(x, -2.0)]


def trial_solution(problem: ODEProblem) -> TrialSolution:
    """The trial solution that meets `problem`'s conditions: its Dirichlet values when it has
    `boundary`, else its initial values."""
    if problem.boundary is not None:
        if problem.order != 2:
            raise ValueError("a Dirichlet boundary value problem needs a second-order equation")
        ya, yb = (np.asarray(values, dtype=float) for values in problem.boundary)
        return DirichletBVP(problem.x0, problem.x1, ya, yb)
    if problem.y0 is None:
        raise ValueError("an initial value problem needs y0")
    y0 = np.asarray(problem.y0, dtype=float)
    if problem.order == 1:
        return FirstOrderIVP(problem.x0, y0)
    if problem.dy0 is None:
        raise ValueError("a second-order initial value problem needs dy0")
    nonlinear = bool(problem.equations) and not linear_in_y(problem)
    length = problem.x1 - problem.x0 if nonlinear else 1.0
    return SecondOrderIVP(problem.x0, y0, np.asarray(problem.dy0, dtype=float), length)
