"""The named problems of the lecture, with their closed-form solutions.

- `decay`: y' = -gamma y, solved by y = y0 exp(-gamma (x - x0)).
- `oscillator`: the driven damped oscillator m y'' + eta y' + k y = F0 cos(omega x), solved in
  closed form for every m != 0. A particular solution is Re(F0 x^j e^{i omega x} / P^(j)(i omega))
  = x^j (Pc cos(omega x) + Ps sin(omega x)), where P(r) = m r^2 + eta r + k and j is the
  multiplicity of i omega as a root of P (j > 0 is resonance). The homogeneous solution, fitted
  to y0 and dy0 with t = x - x0, depends on the roots alpha +- beta of P:
  under-damped  e^{alpha t} (A cos(beta t) + B sin(beta t)),
  over-damped   A e^{r1 t} + B e^{r2 t},
  critical      (A + B t) e^{alpha t}.

Each closed form is an expression of the language in x and a few coefficients computed here,
so that it can be evaluated at many points by compiled code
(`solverq.solvers.expressions.compiled`). The problems of a batch are grouped by their kind of
solution.
The problems are the lecture's (FYS-STK3155/4155, University of Oslo, October 21); the closed
forms are the textbook solution of linear equations with constant coefficients (W. E. Boyce,
R. C. DiPrima, "Elementary Differential Equations", chapter 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from solverq.solvers.expressions import Expression, Variables, parse
from solverq.solvers.expressions.compiled import grid_values

ClosedForms = Callable[..., list["ClosedForm"]]


@dataclass(frozen=True, eq=False)
class ClosedForm:
    """The solution of some problems of a batch: an expression in x and the names of `values`
    (numbers, or one value per problem), for the batch columns `columns` (None: all)."""

    expression: Expression
    values: Mapping[str, Any]
    columns: np.ndarray | None = None


@dataclass(frozen=True)
class NamedProblem:
    """A problem with its default values. The right-hand side is written in the expression
    language so that users can read it; `closed_forms(x0, y0, dy0, constants)` gives the
    solution for initial values and constants that are numbers or (B,) arrays."""

    name: str
    rhs: str
    order: int
    constants: Mapping[str, float]
    y0: float
    dy0: float | None
    x0: float
    x1: float
    closed_forms: ClosedForms

    def exact_solution(
        self,
        x0: float,
        y0: Any,
        dy0: Any,
        constants: Mapping[str, Any],
        batch_size: int | None,
        *,
        native: bool = True,
    ) -> Callable[[np.ndarray], np.ndarray]:
        """`exact(x)`: (1, N), or (1, N, B) for a batch."""
        forms = self.closed_forms(x0, y0, dy0, {name: constants[name] for name in self.constants})

        def exact(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            out = np.empty(x.shape if batch_size is None else (*x.shape, batch_size))
            for form in forms:
                if form.columns is None:
                    grid_values(form.expression, form.values, x, batch_size, native=native, out=out)
                else:
                    size = len(form.columns)
                    values = grid_values(form.expression, form.values, x, size, native=native)
                    out[:, form.columns] = values
            return out[np.newaxis]

        return exact


def closed_form(text: str, values: Mapping[str, Any], columns: np.ndarray | None) -> ClosedForm:
    expression = parse(text, Variables(scalars=("x", *values)))
    return ClosedForm(expression, values, columns)


def decay_forms(x0: float, y0: Any, dy0: Any, constants: Mapping[str, Any]) -> list[ClosedForm]:
    values = {"x0": x0, "y0": y0, "gamma": constants["gamma"]}
    return [closed_form("y0 * exp(-gamma * (x - x0))", values, None)]


HOMOGENEOUS = {
    "under": "exp(alpha * (x - x0)) * (A * cos(beta * (x - x0)) + B * sin(beta * (x - x0)))",
    "over": "A * exp(r1 * (x - x0)) + B * exp(r2 * (x - x0))",
    "critical": "(A + B * (x - x0)) * exp(alpha * (x - x0))",
}
PARTICULAR = {
    0: "Pc * cos(omega * x) + Ps * sin(omega * x)",
    1: "x * (Pc * cos(omega * x) + Ps * sin(omega * x))",
    2: "x * x * Pc",  # only for omega = 0, k = 0, eta = 0
}


def oscillator_forms(
    x0: float, y0: Any, dy0: Any, constants: Mapping[str, Any]
) -> list[ClosedForm]:
    """The solution of m y'' + eta y' + k y = F0 cos(omega x), y(x0) = y0, y'(x0) = dy0."""
    batched = any(np.ndim(v) > 0 for v in (y0, dy0, *constants.values()))
    size = np.broadcast_shapes(*(np.shape(v) for v in (y0, dy0, *constants.values()))) or (1,)
    y0, dy0 = np.broadcast_to(y0, size), np.broadcast_to(dy0, size)
    m, eta, k, F0, omega = (
        np.broadcast_to(constants[name], size) for name in ("m", "eta", "k", "F0", "omega")
    )
    with np.errstate(all="ignore"):
        coefficients, kinds = _oscillator_coefficients(x0, y0, dy0, m, eta, k, F0, omega)
    forms = []
    for kind in sorted(set(kinds)):
        columns = np.flatnonzero([each == kind for each in kinds])
        selected = {name: value[columns] for name, value in coefficients.items()}
        values = selected if batched else {name: float(v[0]) for name, v in selected.items()}
        regime, multiplicity = kind
        text = f"{HOMOGENEOUS[regime]} + {PARTICULAR[multiplicity]}"
        forms.append(closed_form(text, {"x0": x0, **values}, columns if batched else None))
    return forms


def _oscillator_coefficients(
    x0: float, y0: Any, dy0: Any, m: Any, eta: Any, k: Any, F0: Any, omega: Any
) -> tuple[dict[str, np.ndarray], list[tuple[str, int]]]:
    """The coefficients of every form, one value per problem, and each problem's kind of
    solution: (regime, multiplicity of i omega as a root)."""
    s = 1j * omega
    p0 = (k - m * omega * omega) + 1j * (eta * omega)
    p1 = 2 * m * s + eta
    multiplicity = np.where(p0 != 0, 0, np.where(p1 != 0, 1, 2))
    amplitude = F0 / np.select([multiplicity == 0, multiplicity == 1], [p0, p1], 2 * m + 0j)
    power = x0**multiplicity
    lower = np.where(multiplicity > 0, multiplicity * x0 ** np.maximum(multiplicity - 1, 0), 0)
    wave = amplitude * np.exp(s * x0)
    Y = y0 - (power * wave).real
    V = dy0 - ((lower + s * power) * wave).real

    discriminant = eta * eta - 4 * m * k
    alpha = -eta / (2 * m)
    beta = np.sqrt(np.abs(discriminant)) / (2 * m)
    r1, r2 = alpha + beta, alpha - beta
    regime = np.where(discriminant < 0, "under", np.where(discriminant > 0, "over", "critical"))
    A = np.select([regime == "over"], [(V - r2 * Y) / (r1 - r2)], Y)
    B = np.select(
        [regime == "under", regime == "over"],
        [(V - alpha * Y) / beta, (r1 * Y - V) / (r1 - r2)],
        V - alpha * Y,
    )
    coefficients = {
        "alpha": alpha,
        "beta": beta,
        "r1": r1,
        "r2": r2,
        "A": A,
        "B": B,
        "Pc": amplitude.real,
        "Ps": -amplitude.imag,
        "omega": omega,
    }
    arrays = {name: np.asarray(value, dtype=float) for name, value in coefficients.items()}
    kinds = [(str(r), int(j)) for r, j in zip(regime, multiplicity, strict=True)]
    return arrays, kinds


DECAY = NamedProblem(
    name="decay",
    rhs="-gamma * y",
    order=1,
    constants={"gamma": 1.0},
    y0=1.0,
    dy0=None,
    x0=0.0,
    x1=5.0,
    closed_forms=decay_forms,
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
    closed_forms=oscillator_forms,
)

NAMED_PROBLEMS: dict[str, NamedProblem] = {p.name: p for p in (DECAY, OSCILLATOR)}
