"""The errors a user can meet, each meaning one outcome.

- `RejectedRequest`: the request is refused before a job exists (bad parameter, unknown plugin,
  unreadable data); the command line exits with status 2.
- `SolveFailed`: a job ran and failed for a reason the user can act on (diverged, not converged);
  the job is stored as failed with the message, and with the arrays it carries (what the run
  produced before it failed, such as a loss history); the command line exits with status 1.
- `JobCancelled`: raised inside a running job when its row was marked cancelled (or the job
  was given to another worker). Like `KeyboardInterrupt` it derives from `BaseException`, so a
  plugin's ``except Exception`` cannot swallow it and run on after its job ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class SolverqError(Exception):
    """Base class of every error solverq reports to a user as one clear line."""


class RejectedRequest(SolverqError):
    """The request is invalid: nothing was stored."""


class SolveFailed(SolverqError):
    """The job ran and failed; the message is stored as the job's error, and `arrays` (named
    numpy arrays, none by default) as its result."""

    def __init__(self, message: str, arrays: Mapping[str, np.ndarray] | None = None) -> None:
        super().__init__(message)
        self.arrays = dict(arrays or {})


class JobCancelled(BaseException):
    """The job was cancelled while it ran; not an `Exception`, so that nothing but the code that
    runs jobs catches it."""


MAX_ECHOED = 300
"""The most characters of user input (or of an error built from it) an error line shows."""


def shortened(text: str, limit: int = MAX_ECHOED) -> str:
    """`text` on one line, cut to `limit` characters (ending in '...') when longer."""
    line = " ".join(text.split("\n"))
    return line if len(line) <= limit else line[: limit - 3] + "..."
