"""The plugin contract, the entry-point registry and the built-in solver plugins."""

from solverq.plugins.contract import Inputs, Plugin, Progress, Result
from solverq.plugins.errors import JobCancelled, RejectedRequest, SolveFailed, SolverqError

__all__ = [
    "Inputs",
    "JobCancelled",
    "Plugin",
    "Progress",
    "RejectedRequest",
    "Result",
    "SolveFailed",
    "SolverqError",
]
