"""Running stored embedded jobs in a small pool of local processes, for a long-lived server.

The processes are started fresh (`spawn`: nothing of the server's threads or connections is
inherited) when the server starts, and take job ids from one queue. A job runs exactly as a
worker runs it (`execute_job`): it is stored the same way, reports its progress, and stops
within a heartbeat once it was cancelled. When the pool closes, the jobs it was given that did
not finish are cancelled, since nothing else would ever run them.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from typing import Any

from solverq.worker.execution import execute_job
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore, open_database

STOP_TIMEOUT = 2.0
"""Seconds the processes get to stop once their jobs are cancelled (a job notices at its next
heartbeat) before they are terminated."""
STOPPED_REASON = "the server stopped"


class LocalPool:
    """`processes` local processes that run the jobs `run` is given, in the order given."""

    def __init__(self, settings: Settings, processes: int = 2) -> None:
        if processes < 1:
            raise ValueError(f"a pool needs at least one process, got {processes}")
        self.settings = settings
        self.processes = processes
        self._context = multiprocessing.get_context("spawn")
        self._jobs: Any = None
        self._children: list[BaseProcess] = []
        self._given: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the processes, if they are not running yet."""
        with self._lock:
            if not self._children:
                self._start()

    def run(self, job_ids: Sequence[str]) -> None:
        """Queue stored jobs for the pool's processes (starting them if need be)."""
        with self._lock:
            if not self._children:
                self._start()
            self._given.extend(job_ids)
            for job_id in job_ids:
                self._jobs.put(job_id)

    def close(self) -> None:
        """Cancel the jobs given to the pool that have not finished and stop its processes."""
        with self._lock:
            if not self._children:
                return
            JobStore(open_database(self.settings.database_url)).cancel_unfinished(
                self._given, STOPPED_REASON
            )
            for _ in self._children:
                self._jobs.put(None)
            for child in self._children:
                child.join(STOP_TIMEOUT)
                if child.is_alive():
                    child.terminate()
                    child.join()
            self._children = []
            self._given = []

    def _start(self) -> None:
        self._jobs = self._context.Queue()
        self._children = [
            self._context.Process(target=_run_queued, args=(self._jobs, self.settings), daemon=True)
            for _ in range(self.processes)
        ]
        for child in self._children:
            child.start()


def _run_queued(jobs: Any, settings: Settings) -> None:
    """A pool process: run the jobs whose ids arrive on `jobs` until None arrives."""
    store = JobStore(open_database(settings.database_url))
    name = f"local-{os.getpid()}"
    while (job_id := jobs.get()) is not None:
        execute_job(store, job_id, settings=settings, worker=name)
