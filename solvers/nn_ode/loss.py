"""The residual loss of a trial solution on collocation points x_1..x_n, with its gradient.

For y' = f(x, y) the residual is F = y_t' - f(x, y_t); for y'' = f(x, y, y') it is
F = y_t'' - f(x, y_t, y_t'). The loss is the mean of F² over the points and the components,

    L(p) = 1/(n m) Σ_i Σ_k F_k(x_i, p)²,

the cost of Lagaris et al. (1998) divided by n m, so that one tolerance fits any number of
points. Its gradient is the chain rule run backwards through three stages: F -> (y_t, y_t') by
the Jacobians of f point by point (`solverq.solvers.nn_ode.linearisation`), (y_t, y_t', y_t'')
-> (N, N', N'') by the transposed trial map, (N, N', N'') -> p by the network's reverse pass.
Each stage works on all points at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solverq.solvers.nn_ode.linearisation import linearised_rhs
from solverq.solvers.nn_ode.network import Network, network_backward, network_forward
from solverq.solvers.nn_ode.trial import TrialSolution
from solverq.solvers.ode.problem import ODEProblem

LossAndGradient = Callable[[np.ndarray], tuple[float, np.ndarray]]


def residual(
    problem: ODEProblem, network: Network, trial: TrialSolution, p: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """F(x_i, p), shaped (components, points)."""
    y = trial.at(x, problem.order).derivatives(
        network_forward(network, p, x, problem.order).outputs
    )
    if problem.order == 1:
        return y[1] - problem.rhs(x, y[0], None)
    return y[2] - problem.rhs(x, y[0], y[1])


def residual_loss(
    problem: ODEProblem, network: Network, trial: TrialSolution, x: np.ndarray
) -> LossAndGradient:
    """p -> (L(p), ∇_p L(p))."""
    order = problem.order
    trial_map = trial.at(x, order)

    def loss_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
        forward = network_forward(network, p, x, order)
        y = trial_map.derivatives(forward.outputs)
        f, jacobians = linearised_rhs(problem, x, y[:order])
        residuals = y[order] - f
        cotangent = residuals * (2.0 / residuals.size)
        y_bar = [-np.einsum("ki,kji->ji", cotangent, matrix) for matrix in jacobians]
        y_bar.append(cotangent)
        gradient = network_backward(network, p, forward, trial_map.transpose(y_bar))
        return float(np.mean(residuals**2)), gradient

    return loss_and_gradient
