"""The time limit of a job run in the submitting process (embedded mode), where no Celery
enforces one: a timer raises `TimeLimitExceeded` in the job's thread once the limit passed.

Like Celery's soft time limit, it takes effect at the job's next Python instruction: a job inside
one long call into compiled code stops when the call returns.
"""

from __future__ import annotations

import ctypes
import threading
from types import TracebackType

from solverq.worker.heartbeat import _raise_in_thread


class TimeLimitExceeded(Exception):
    """Raised in a job run in this process once its time limit passed."""


class Deadline:
    """A context manager: the code inside it is stopped with `TimeLimitExceeded` after
    `seconds`. An exception the timer set but the code did not meet before leaving is raised
    on leaving, never later in the caller."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._left = False
        self._expired = False
        self._thread = threading.get_ident()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._thread = threading.get_ident()
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._left = True
            self._timer.cancel()
            expired = self._expired
        if expired and not isinstance(error, TimeLimitExceeded):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), None)
            if kind is None:
                raise TimeLimitExceeded

    def _expire(self) -> None:
        with self._lock:
            if not self._left:
                self._expired = True
                _raise_in_thread(self._thread, TimeLimitExceeded)
