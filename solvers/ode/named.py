"""The named problems of the lecture, with their closed-form solutions.

- `decay`: y' = -gamma y, solved by y = y0 exp(-gamma (x - x0)).
- `oscillator`: the driven damped oscillator m y'' + eta y' + k y = F0 cos(omega x), solved in
  closed form for every m != 0: a particular solution Re(F0 x^j e^{i omega x} / P^(j)(i omega)),
  where P(r) = m r^2 + eta r + k and j is the multiplicity of i omega as a root of P (j > 0 is
  resonance), plus the solution of the homogeneous equation, c1 e^{r1 t} + c2 e^{r2 t} with the
  roots r1, r2 of P (or (c1 + c2 t) e^{r t} for a double root), t = x - x0, fitted to y0, dy0.

The problems are the lecture's (FYS-STK3155/4155, University of Oslo, October 21); the closed
forms are the textbook solution of linear equations with constant coefficients (W. E. Boyce,
R. C. DiPrima, "Elementary Differential Equations", chapter 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NamedProblem:
    """A problem with its default values; the right-hand side is written in the expression
    language so that users can read it, and `solution(x, x0, y0, dy0, **constants)` is its
    closed form (numbers or broadcastable arrays in, an array out)."""

    name: str
    rhs: str
    order: int
    constants: Mapping[str, float]
    y0: float
    dy0: float | None
    x0: float
    x1: float
    solution: Callable[..., np.ndarray]

    def closed_form(self, values: Mapping[str, Any]) -> np.ndarray:
        """The closed form at the values of x, x0, y0, dy0 and the constants, by name."""
        dy0 = values["dy0"][0] if values.get("dy0") is not None else None
        constants = {name: values[name] for name in self.constants}
        return self.solution(values["x"], values["x0"], values["y0"][0], dy0, **constants)


def decay_solution(x: Any, x0: Any, y0: Any, dy0: Any, gamma: Any) -> np.ndarray:
    """y0 exp(-gamma (x - x0))."""
    return y0 * np.exp(-gamma * (np.asarray(x) - x0))


def oscillator_solution(
    x: Any, x0: Any, y0: Any, dy0: Any, m: Any, eta: Any, k: Any, F0: Any, omega: Any
) -> np.ndarray:
    """y(x) for m y'' + eta y' + k y = F0 cos(omega x), y(x0) = y0, y'(x0) = dy0."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        particular = _particular_solution(m, eta, k, F0, omega)
        value0, slope0 = particular(np.asarray(x0, dtype=float))
        value, _ = particular(x)
        return value + _homogeneous_solution(x - x0, y0 - value0, dy0 - slope0, m, eta, k)


def _particular_solution(
    m: Any, eta: Any, k: Any, F0: Any, omega: Any
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    s = 1j * np.asarray(omega, dtype=float)
    p0 = (k - m * omega * omega) + 1j * (eta * omega)
    p1 = 2 * m * s + eta
    p2 = 2 * m + 0j
    multiplicity = np.where(p0 != 0, 0, np.where(p1 != 0, 1, 2))
    amplitude = F0 / np.select([multiplicity == 0, multiplicity == 1], [p0, p1], p2)

    def particular(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        power = x**multiplicity
        lower = np.where(multiplicity > 0, multiplicity * x ** np.maximum(multiplicity - 1, 0), 0)
        wave = amplitude * np.exp(s * x)
        return (power * wave).real, ((lower + s * power) * wave).real

    return particular


def _homogeneous_solution(
    t: np.ndarray, value0: Any, slope0: Any, m: Any, eta: Any, k: Any
) -> np.ndarray:
    discriminant = np.asarray(eta * eta - 4 * m * k, dtype=float)
    root = np.sqrt(discriminant + 0j)
    r1, r2 = (-eta + root) / (2 * m), (-eta - root) / (2 * m)
    distinct = (
        (slope0 - r2 * value0) * np.exp(r1 * t) + (r1 * value0 - slope0) * np.exp(r2 * t)
    ) / (r1 - r2)
    repeated = (value0 + (slope0 - r1 * value0) * t) * np.exp(r1 * t)
    return np.where(discriminant == 0, repeated, distinct).real


DECAY = NamedProblem(
    name="decay",
    rhs="-gamma * y",
    order=1,
    constants={"gamma": 1.0},
    y0=1.0,
    dy0=None,
    x0=0.0,
    x1=5.0,
    solution=decay_solution,
)

OSCILLATOR = NamedProblem(
    name="oscillator",
    rhs="(F0 * cos(omega * x) - eta * dy - k * y) / m",
    order=2,
    constants={"m": 1.0, "eta": 0.2, "k": 1.0, "F0": 1.0, "omega": 0.8},
    y0=1.0,
    dy0=0.0,
    x0=0.0,
    x1=20.0,
    solution=oscillator_solution,
)

NAMED_PROBLEMS: dict[str, NamedProblem] = {p.name: p for p in (DECAY, OSCILLATOR)}
