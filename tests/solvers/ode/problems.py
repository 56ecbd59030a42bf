"""Problems for the tests of the ODE methods, built from solvers only."""

import numpy as np

from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.named import OSCILLATOR
from solverq.solvers.ode.problem import ODEProblem


def decay(
    gamma: float | np.ndarray = 1.0, y0: float | np.ndarray = 1.0, x1: float = 5.0
) -> ODEProblem:
    """y' = -gamma y on [0, x1]; a batch when gamma or y0 is an array."""
    return expression_problem(
        ["-gamma * y"],
        order=1,
        x0=0.0,
        x1=x1,
        y0=np.asarray(y0, dtype=float).reshape(1, -1) if np.ndim(y0) else np.array([y0], float),
        constants={"gamma": gamma},
        exact=["y0 * exp(-gamma * (x - x0))"],
    )


def oscillator(x1: float = 20.0, y0: float = 1.0, dy0: float = 0.0, **changes: float) -> ODEProblem:
    """m y'' + eta y' + k y = F0 cos(omega x) with the named problem's constants, changed."""
    constants = {**OSCILLATOR.constants, **changes}
    return expression_problem(
        [OSCILLATOR.rhs],
        order=2,
        x0=0.0,
        x1=x1,
        y0=np.array([y0]),
        dy0=np.array([dy0]),
        constants=constants,
        exact=OSCILLATOR.exact_solution(0.0, y0, dy0, constants, None),
    )
