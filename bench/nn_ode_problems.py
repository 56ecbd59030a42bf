"""The problems of bench/nn_ode.py: each as nn-ode parameters, as a NeuroDiffEq system with its
conditions, and with an independent reference solution (the closed form, or
scipy.integrate.solve_ivp with rtol = atol = 1e-12)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from solverq.plugins.builtin.nn_ode import NeuralODEPlugin

DAMPED_OSCILLATOR = {
    "rhs": "-exp(-x/5) * cos(x) / 5 - dy / 5 - y",
    "order": 2,
    "exact": "exp(-x/5) * sin(x)",
}
RATIONAL = "(1 + 3*x**2)/(1 + x + x**3)"


@dataclass(frozen=True)
class BenchProblem:
    """`params` for nn-ode; `system(torch, diff)` gives NeuroDiffEq's residuals (u..., t) -> list
    and `conditions(neurodiffeq.conditions)` its conditions, one per component."""

    name: str
    params: dict[str, Any]
    system: Callable[[Any, Any], Callable[..., list]]
    conditions: Callable[[Any], list]


def _oscillator(
    torch: Any, diff: Any, m: float, eta: float, k: float, force: float, omega: float
) -> Callable[..., list]:
    return lambda u, t: [
        m * diff(u, t, order=2) + eta * diff(u, t) + k * u - force * torch.cos(omega * t)
    ]


def oscillator(name: str, x1: float, y0: float, dy0: float, **constants: float) -> BenchProblem:
    """The named problem `oscillator` with these constants (the others its defaults)."""
    named = {"m": 1.0, "eta": 0.2, "k": 1.0, "F0": 1.0, "omega": 0.8} | constants
    return BenchProblem(
        name,
        {"problem": "oscillator", "constants": constants, "x1": x1, "y0": y0, "dy0": dy0},
        lambda torch, diff: _oscillator(
            torch, diff, named["m"], named["eta"], named["k"], named["F0"], named["omega"]
        ),
        lambda conditions: [conditions.IVP(0.0, y0, dy0)],
    )


PROBLEMS = [
    BenchProblem(
        "Lagaris 1 (rational, [0, 1])",
        {
            "rhs": f"x**3 + 2*x + x**2 * {RATIONAL} - (x + {RATIONAL}) * y",
            "y0": 1,
            "x1": 1,
            "exact": "exp(-x**2/2)/(1 + x + x**3) + x**2",
        },
        lambda torch, diff: (
            lambda u, t: [
                diff(u, t)
                + (t + (1 + 3 * t**2) / (1 + t + t**3)) * u
                - t**3
                - 2 * t
                - t**2 * (1 + 3 * t**2) / (1 + t + t**3)
            ]
        ),
        lambda conditions: [conditions.IVP(0.0, 1.0)],
    ),
    BenchProblem(
        "Lagaris 2 ([0, 2])",
        {"rhs": "exp(-x/5) * cos(x) - y/5", "y0": 0, "x1": 2, "exact": "exp(-x/5) * sin(x)"},
        lambda torch, diff: lambda u, t: [diff(u, t) + u / 5 - torch.exp(-t / 5) * torch.cos(t)],
        lambda conditions: [conditions.IVP(0.0, 0.0)],
    ),
    BenchProblem(
        "Lagaris 3 IVP ([0, 2])",
        {**DAMPED_OSCILLATOR, "y0": 0, "dy0": 1, "x1": 2},
        lambda torch, diff: (
            lambda u, t: [
                diff(u, t, order=2) + diff(u, t) / 5 + u + torch.exp(-t / 5) * torch.cos(t) / 5
            ]
        ),
        lambda conditions: [conditions.IVP(0.0, 0.0, 1.0)],
    ),
    BenchProblem(
        "Lagaris 3 BVP ([0, 1])",
        {
            **DAMPED_OSCILLATOR,
            "condition": "bvp",
            "ya": 0,
            "yb": float(np.sin(1) * np.exp(-0.2)),
            "x1": 1,
        },
        lambda torch, diff: (
            lambda u, t: [
                diff(u, t, order=2) + diff(u, t) / 5 + u + torch.exp(-t / 5) * torch.cos(t) / 5
            ]
        ),
        lambda conditions: [
            conditions.DirichletBVP(0.0, 0.0, 1.0, float(np.sin(1) * np.exp(-0.2)))
        ],
    ),
    BenchProblem(
        "Lagaris 4 system ([0, 3])",
        {
            "rhs": [
                "cos(x) + y[0]**2 + y[1] - (1 + x**2 + sin(x)**2)",
                "2*x - (1 + x**2)*sin(x) + y[0]*y[1]",
            ],
            "y0": [0, 1],
            "x1": 3,
            "exact": ["sin(x)", "1 + x**2"],
        },
        lambda torch, diff: (
            lambda u, v, t: [
                diff(u, t) - torch.cos(t) - u**2 - v + 1 + t**2 + torch.sin(t) ** 2,
                diff(v, t) - 2 * t + (1 + t**2) * torch.sin(t) - u * v,
            ]
        ),
        lambda conditions: [conditions.IVP(0.0, 0.0), conditions.IVP(0.0, 1.0)],
    ),
    BenchProblem(
        "decay (default, [0, 5])",
        {"problem": "decay"},
        lambda torch, diff: lambda u, t: [diff(u, t) + u],
        lambda conditions: [conditions.IVP(0.0, 1.0)],
    ),
    oscillator("oscillator (default, [0, 20])", 20.0, 1.0, 0.0),
    oscillator("undamped k=4 ([0, 10])", 10.0, 1.0, 0.0, eta=0.0, k=4.0, F0=0.0),
    oscillator("overdamped eta=3 ([0, 15])", 15.0, 1.0, 0.0, eta=3.0),
    oscillator(
        "k=2 eta=0.1 F0=0.5 w=1.3 ([0, 12])", 12.0, 0.0, 1.0, k=2.0, eta=0.1, F0=0.5, omega=1.3
    ),
    oscillator("eta=0.5 F0=2 w=2 ([0, 20])", 20.0, 1.0, 0.0, eta=0.5, F0=2.0, omega=2.0),
    BenchProblem(
        "pendulum y''=-sin y ([0, 15])",
        {"rhs": "-sin(y)", "order": 2, "y0": 1, "dy0": 0, "x1": 15},
        lambda torch, diff: lambda u, t: [diff(u, t, order=2) + torch.sin(u)],
        lambda conditions: [conditions.IVP(0.0, 1.0, 0.0)],
    ),
    BenchProblem(
        "Van der Pol mu=1 ([0, 10])",
        {"rhs": "(1 - y**2) * dy - y", "order": 2, "y0": 2, "dy0": 0, "x1": 10},
        lambda torch, diff: lambda u, t: [diff(u, t, order=2) - (1 - u**2) * diff(u, t) + u],
        lambda conditions: [conditions.IVP(0.0, 2.0, 0.0)],
    ),
    BenchProblem(
        "logistic ([0, 10])",
        {"rhs": "y * (1 - y)", "y0": 0.1, "x1": 10, "exact": "1/(1 + 9*exp(-x))"},
        lambda torch, diff: lambda u, t: [diff(u, t) - u * (1 - u)],
        lambda conditions: [conditions.IVP(0.0, 0.1)],
    ),
]


def reference(params: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """The exact solution on x, (components, points): the closed form when the problem has one,
    else solve_ivp (DOP853, rtol = atol = 1e-12)."""
    problem = NeuralODEPlugin.validate(params).ode_problem()
    if problem.exact is not None:
        return np.asarray(problem.exact(x), dtype=float)
    m = len(problem.y0)

    def first_order(t: float, u: np.ndarray) -> np.ndarray:
        if problem.order == 1:
            return np.asarray(problem.rhs(t, u.reshape(m, 1), None)).ravel()
        y, dy = u[:m].reshape(m, 1), u[m:].reshape(m, 1)
        return np.concatenate([u[m:], np.asarray(problem.rhs(t, y, dy)).ravel()])

    start = problem.y0 if problem.order == 1 else np.concatenate([problem.y0, problem.dy0])
    solution = solve_ivp(
        first_order, (problem.x0, problem.x1), start, "DOP853", x, rtol=1e-12, atol=1e-12
    )
    return solution.y[:m]
