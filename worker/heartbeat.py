"""The heartbeat of a running attempt, and the progress callback its plugin is given.

While the plugin runs, a thread writes the heartbeat and the latest progress every `interval`
seconds (even when the plugin reports none), and the callback writes progress at most that often
(not at all within `interval` of the claim, which wrote the first heartbeat). Both writes are
conditional on the row still being this attempt's: once it is not (the job was cancelled, or the
reaper gave it to another worker), the plugin is stopped with `JobCancelled`: at its next progress
report, or by the thread, which raises it in the plugin's thread.

The thread is one per process, started with the first job and serving every job that runs in the
process: a worker that runs many short jobs does not start a thread for each.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from solverq.plugins.errors import JobCancelled
from solverq.worker.store import JobStore
from solverq.worker.store.database import first_line

log = logging.getLogger(__name__)

ProgressListener = Callable[[float, str], None]


class Heartbeat:
    """A context manager around a plugin's run; `progress` is the plugin's progress callback."""

    def __init__(
        self,
        store: JobStore,
        job_id: str,
        attempt: int,
        interval: float,
        listener: ProgressListener | None = None,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.attempt = attempt
        self.interval = interval
        self.listener = listener
        self._last_write = time.monotonic()
        self._stopped = threading.Event()
        self._reported: tuple[float, str] | None = None
        self._writing = threading.RLock()
        """Held by the job's thread in our code (writing, telling the listener, leaving), so that
        it is stopped only in the plugin's."""
        self._job_thread = threading.get_ident()
        self._beater: _Beater | None = None

    def __enter__(self) -> Heartbeat:
        self._job_thread = threading.get_ident()
        self._beater = beater()
        self._beater.watch(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._writing:
            self._stopped.set()
        if self._beater is not None:
            self._beater.forget(self)

    @property
    def due(self) -> float:
        """When (on the monotonic clock) the next heartbeat is to be written."""
        return self._last_write + self.interval

    def progress(self, fraction: float, message: str = "") -> None:
        """The plugin's progress callback."""
        fraction = min(max(float(fraction), 0.0), 1.0)
        self._reported = (fraction, message)
        with self._writing:
            if self.listener is not None:
                self.listener(fraction, message)
            owned = time.monotonic() - self._last_write < self.interval or self._write(
                fraction, message
            )
        if not owned:
            raise JobCancelled(f"job {self.job_id} is no longer running")

    def beat(self) -> bool:
        """Write the heartbeat if it is due; False once the plugin was stopped (the attempt lost
        its job) or has ended."""
        if self._stopped.is_set():
            return False
        if time.monotonic() < self.due:
            return True
        if self._write(*(self._reported or (None, None))):
            return True
        self._stop_job()
        return False

    def _stop_job(self) -> None:
        with self._writing:
            if self._stopped.is_set():
                return
            log.info("job %s is no longer running; stopping it", self.job_id)
            if not _raise_in_thread(self._job_thread, JobCancelled):
                log.warning("job %s: its thread has ended without leaving it", self.job_id)

    def _write(self, fraction: float | None = None, message: str | None = None) -> bool:
        """Write the heartbeat (and the progress); False once the attempt lost its job.

        A database that cannot be reached does not stop the job: the next write tries again,
        and if the database stays away the reaper re-runs the job elsewhere.
        """
        self._last_write = time.monotonic()
        try:
            return self.store.heartbeat(self.job_id, self.attempt, fraction, message)
        except SQLAlchemyError as error:
            log.warning("job %s: cannot write its heartbeat: %s", self.job_id, first_line(error))
            return True


class Beating(Protocol):
    """What the heartbeat thread serves: a `Heartbeat`, or the heartbeat of a chunk's jobs."""

    job_id: str
    """The job (or chunk) it is the heartbeat of, for the log."""

    @property
    def due(self) -> float:
        """When (on the monotonic clock) the next heartbeat is to be written."""

    def beat(self) -> bool:
        """Write the heartbeat if it is due; False once it is no longer needed."""


class _Beater:
    """The thread that writes the heartbeats of the jobs running in this process when due."""

    def __init__(self) -> None:
        self._watched: set[Beating] = set()
        self._changed = threading.Condition()
        self._wake_at = math.inf
        """When the thread wakes up next, unless told of a heartbeat due sooner."""
        threading.Thread(target=self._run, name="heartbeat", daemon=True).start()

    def watch(self, heartbeat: Beating) -> None:
        with self._changed:
            self._watched.add(heartbeat)
            if heartbeat.due < self._wake_at:
                self._changed.notify()

    def forget(self, heartbeat: Beating) -> None:
        with self._changed:
            self._watched.discard(heartbeat)

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                due = [heartbeat for heartbeat in self._watched if heartbeat.due <= now]
                if not due:
                    self._wake_at = min((h.due for h in self._watched), default=math.inf)
                    self._changed.wait(None if math.isinf(self._wake_at) else self._wake_at - now)
                    continue
            for heartbeat in due:
                self._beat(heartbeat)

    def _beat(self, heartbeat: Beating) -> None:
        try:
            beating = heartbeat.beat()
        except Exception:
            log.exception("job %s: the heartbeat failed", heartbeat.job_id)
            beating = False
        if not beating:
            self.forget(heartbeat)


@functools.cache
def beater() -> _Beater:
    """The heartbeat thread of this process, started on first use."""
    return _Beater()


os.register_at_fork(after_in_child=beater.cache_clear)


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


def _raise_in_thread(thread_id: int, exception: type[BaseException]) -> bool:
    """Raise `exception` in the thread `thread_id` at its next Python instruction; False when no
    such thread runs any more.

    `PyThreadState_SetAsyncExc` returns the number of threads it set the exception in. A thread
    id names one live thread, but were more than one hit, the exception would stop threads that
    have nothing to do with the job: as the C API's documentation asks, it is called again with
    NULL, which takes the exception back from all of them, and `SystemError` is raised.
    """
    thread = ctypes.c_ulong(thread_id)
    hit = _set_async_exc(thread, ctypes.py_object(exception))
    if hit > 1:
        _set_async_exc(thread, None)
        raise SystemError(
            f"raising {exception.__name__} in thread {thread_id} reached {hit} threads; "
            "taken back from all of them"
        )
    return hit == 1
