"""Neural-network trial solutions for ODEs (Lagaris, Likas and Fotiadis, 1998)."""

from solverq.solvers.nn_ode.training import (
    NeuralODEResult,
    NeuralODESettings,
    max_abs_error,
    solve,
)

__all__ = ["NeuralODEResult", "NeuralODESettings", "max_abs_error", "solve"]
