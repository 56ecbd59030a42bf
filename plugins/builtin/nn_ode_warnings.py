"""What an nn-ode run fell short of, and what to try, as the summary's `warnings`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solverq.solvers.nn_ode import NeuralODEResult
from solverq.solvers.nn_ode.optimizers import Stop
from solverq.solvers.nn_ode.training import ADAPTIVE, MAX_WIDTH, UNDER_RESOLVED
from solverq.solvers.outcome import SolveStatus

if TYPE_CHECKING:
    from solverq.plugins.builtin.nn_ode import NeuralODEParameters

ROUNDING_SHARE = 0.5
"""The share of the estimated error above which its rounding part is named."""


def shortfalls(params: NeuralODEParameters, result: NeuralODEResult) -> list[str]:
    """One sentence per target the run missed (none when it converged), then one on why
    training ended short of it, with what would get further."""
    validation = result.validation
    if result.status is SolveStatus.CONVERGED or validation is None:
        return []
    warnings = []
    target = params.error_tol * (validation.size or 1.0)
    if validation.error_estimate > target:
        warnings.append(
            f"not converged: the estimated error {validation.error_estimate:.2e} is above "
            f"error_tol x max|y| = {target:.2e}"
        )
        if validation.rounding_error > ROUNDING_SHARE * validation.error_estimate:
            warnings.append(
                f"up to {validation.rounding_error:.2e} of it is rounding error in evaluating "
                "the network, whose terms nearly cancel: try another seed"
            )
    if params.tol is not None and result.loss > params.tol:
        warnings.append(f"not converged: the loss {result.loss:.2e} is above tol = {params.tol:g}")
    warnings += _why_it_ended(params, result)
    return warnings


def _why_it_ended(params: NeuralODEParameters, result: NeuralODEResult) -> list[str]:
    """Why training ended short of the targets, by the run's `stop`, and what to change: the
    loss at tol; the budget spent; points that leave the residual free between them (whatever
    else ended the run); or a stall, once the run can no longer add points or units."""
    validation = result.validation
    assert validation is not None
    if result.stop is Stop.TARGET:
        return [
            f"training stopped once the loss reached tol = {params.tol:g}, before the estimated "
            "error reached error_tol: give a smaller tol, or leave it unset"
        ]
    reasons = []
    if result.stop is Stop.BUDGET:
        reasons.append(
            f"training used all {params.iterations} iterations while the loss still fell: "
            "try more iterations"
        )
    if validation.rms**2 > UNDER_RESOLVED * result.loss:
        fixed = "leave points unset or give more" if params.points else "give more points"
        reasons.append(
            f"the residual between the collocation points (RMS {validation.rms:.2e}) is far "
            f"above the residual on them (RMS {result.loss**0.5:.2e}): the solution is not "
            f"resolved between the points; {fixed}"
        )
    elif result.stop is Stop.STAGNATED:
        reasons.append(_stalled(params, result))
    return reasons


def _stalled(params: NeuralODEParameters, result: NeuralODEResult) -> str:
    """What to try when the points resolve the residual by UNDER_RESOLVED and training no longer
    lowers it: twice the points (which the run adds only below that ratio; the pendulum
    y'' = -sin y from y = 2 on [0, 10] stalls, at 52 points and [50] units on one machine and at
    416 points and [30] on another, and converges with twice those points), and what the run did
    not try itself."""
    points = f"more points (points = {2 * len(result.collocation_points)})"
    if params.optimizer not in ADAPTIVE:
        return f"training stalled: try a wider network (hidden), {points}, another seed, or bfgs"
    if params.hidden is not None:
        return f"training stalled: try a wider network (hidden), {points} or another seed"
    hidden = list(result.network.hidden)
    if hidden[-1] >= MAX_WIDTH:
        return (
            f"training stalled at the widest network it grows, hidden = {hidden}: try "
            f"{points}, a wider or deeper network (hidden), or another seed"
        )
    return (
        f"training stalled: widening the network up to hidden = {hidden} stopped lowering the "
        f"estimated error; try {points} or another seed"
    )
