"""What an nn-ode run fell short of, and what to try, as the summary's `warnings`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solverq.solvers.nn_ode import NeuralODEResult
from solverq.solvers.nn_ode.optimizers import Stop
from solverq.solvers.nn_ode.training import UNDER_RESOLVED
from solverq.solvers.outcome import SolveStatus

if TYPE_CHECKING:
    from solverq.plugins.builtin.nn_ode import NeuralODEParameters


def shortfalls(params: NeuralODEParameters, result: NeuralODEResult) -> list[str]:
    """One sentence per target the run missed (none when it converged)."""
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
    if params.tol is not None and result.loss > params.tol:
        warnings.append(f"not converged: the loss {result.loss:.2e} is above tol = {params.tol:g}")
    if result.stop is Stop.BUDGET:
        warnings.append(
            f"training used all {params.iterations} iterations while the loss still fell: "
            "try more iterations"
        )
    if validation.rms**2 > UNDER_RESOLVED * result.loss:
        fixed = "leave points unset or give more" if params.points else "give more points"
        warnings.append(
            f"the residual between the collocation points (RMS {validation.rms:.2e}) is far "
            f"above the residual on them (RMS {result.loss**0.5:.2e}): the solution is not "
            f"resolved between the points; {fixed}"
        )
    elif result.stop is not Stop.BUDGET:
        warnings.append(
            "training stalled: try a wider network (hidden), another seed, or bfgs"
            if params.optimizer != "bfgs"
            else "training stalled: try a wider network (hidden) or another seed"
        )
    return warnings
