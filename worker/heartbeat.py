"""The heartbeat of a running attempt, and the progress callback its plugin is given.

While the plugin runs, a thread writes the heartbeat and the latest progress every `interval`
seconds (even when the plugin reports none), and the callback writes progress at most that often
(not at all within `interval` of the claim, which wrote the first heartbeat). Both writes are
conditional on the row still being this attempt's: once it is not (the job was cancelled, or the
reaper gave it to another worker), the plugin is stopped with `JobCancelled`: at its next progress
report, or by the thread, which raises it in the plugin's thread.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError

from plugins.errors import JobCancelled
from worker.store import JobStore

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
        self._thread = threading.Thread(
            target=self._beat, name=f"heartbeat {job_id[:12]}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._job_thread = threading.get_ident()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._writing:
            self._stopped.set()
        self._thread.join()

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

    def _beat(self) -> None:
        while not self._stopped.wait(self._last_write + self.interval - time.monotonic()):
            if time.monotonic() - self._last_write < self.interval:
                continue
            if not self._write(*(self._reported or (None, None))):
                self._stop_job()
                return

    def _stop_job(self) -> None:
        with self._writing:
            if self._stopped.is_set():
                return
            log.info("job %s is no longer running; stopping it", self.job_id)
            _raise_in_thread(self._job_thread, JobCancelled)

    def _write(self, fraction: float | None = None, message: str | None = None) -> bool:
        """Write the heartbeat (and the progress); False once the attempt lost its job.

        A database that cannot be reached does not stop the job: the next write tries again,
        and if the database stays away the reaper re-runs the job elsewhere.
        """
        self._last_write = time.monotonic()
        try:
            return self.store.heartbeat(self.job_id, self.attempt, fraction, message)
        except SQLAlchemyError as error:
            log.warning("job %s: cannot write its heartbeat: %s", self.job_id, error)
            return True


def _raise_in_thread(thread_id: int, exception: type[BaseException]) -> None:
    """Raise `exception` in the thread `thread_id` at its next Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception)
    )
