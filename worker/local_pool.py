"""Running stored embedded jobs in a small pool of local processes, for a long-lived server.

The processes are started fresh (`spawn`: nothing of the server's threads or connections is
inherited) when the server starts. A thread of the server hands each idle process the next job
id over a pipe of its own and learns when the job is done, so it knows which job every process
runs. A job runs exactly as a worker runs it (`execute_job`): it is stored the same way, reports
its progress, and stops within a heartbeat once it was cancelled.

A process that dies (killed, or crashed in compiled code) is replaced at once. The job it was
running fails as a job lost with its submitting process does ("lost: the process running it
stopped"), without waiting for its heartbeat to go stale; a job it had been given but not yet
started goes to another process. When the pool closes, the jobs it was given that did not
finish are cancelled, since nothing else would ever run them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from solverq.worker.execution import execute_job
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore, open_database
from solverq.worker.store.database import describe
from solverq.worker.store.recovery import fail_dead_attempt

log = logging.getLogger(__name__)

STOP_TIMEOUT = 2.0
"""Seconds the processes get to stop once their jobs are cancelled (a job notices at its next
heartbeat) before they are terminated."""
STOPPED_REASON = "the server stopped"
LOST_REASON = "lost: the process running it stopped"


@dataclass
class PoolProcess:
    """A process of the pool, the parent's end of its pipe, and the job it was given."""

    process: BaseProcess
    connection: Connection
    job_id: str | None = None

    @property
    def worker(self) -> str:
        """The name its jobs' rows give as their worker."""
        return worker_name(self.process.pid)


class LocalPool:
    """`processes` local processes that run the jobs `run` is given, in the order given."""

    def __init__(self, settings: Settings, processes: int = 2) -> None:
        if processes < 1:
            raise ValueError(f"a pool needs at least one process, got {processes}")
        self.settings = settings
        self.processes = processes
        self._context = multiprocessing.get_context("spawn")
        self._children: list[PoolProcess] = []
        self._pending: deque[str] = deque()
        self._lock = threading.Lock()
        self._stopping = False
        self._supervisor: threading.Thread | None = None
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        self._store: JobStore | None = None

    def start(self) -> None:
        """Start the processes, if they are not running yet."""
        with self._lock:
            if self._supervisor is None:
                self._start()

    def run(self, job_ids: Sequence[str]) -> None:
        """Queue stored jobs for the pool's processes (starting them if need be)."""
        with self._lock:
            if self._supervisor is None:
                self._start()
            self._pending.extend(job_ids)
            self._wake_writer.send(None)

    def close(self) -> None:
        """Cancel the jobs given to the pool that have not finished and stop its processes."""
        with self._lock:
            supervisor = self._supervisor
            if supervisor is None:
                return
            self._stopping = True
            self._wake_writer.send(None)
        supervisor.join()
        with self._lock:
            unfinished = [*self._pending, *(c.job_id for c in self._children if c.job_id)]
            self._job_store().cancel_unfinished(unfinished, STOPPED_REASON)
            for child in self._children:
                _send(child.connection, None)
            for child in self._children:
                child.process.join(STOP_TIMEOUT)
                if child.process.is_alive():
                    child.process.terminate()
                    child.process.join()
                child.connection.close()
            self._children = []
            self._pending.clear()
            self._supervisor = None
            self._stopping = False

    def _start(self) -> None:
        self._children = [self._spawn() for _ in range(self.processes)]
        self._supervisor = threading.Thread(
            target=self._supervise, name="solverq-local-pool", daemon=True
        )
        self._supervisor.start()

    def _spawn(self) -> PoolProcess:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_run_given, args=(theirs, self.settings), daemon=True
        )
        process.start()
        theirs.close()
        return PoolProcess(process, ours)

    def _supervise(self) -> None:
        """Hand out jobs, note the ones done, replace the processes that died, until closed."""
        while True:
            with self._lock:
                if self._stopping:
                    return
                self._hand_out()
            watched: list[Connection | int] = [self._wake_reader]
            for child in self._children:
                watched += [child.connection, child.process.sentinel]
            ready = wait(watched)
            while self._wake_reader.poll():
                self._wake_reader.recv()
            for index, child in enumerate(self._children):
                if child.connection in ready or child.process.sentinel in ready:
                    self._children[index] = self._heard_from(child)

    def _hand_out(self) -> None:
        """Give each idle process the next pending job."""
        for child in self._children:
            if child.job_id is None and self._pending:
                child.job_id = self._pending.popleft()
                _send(child.connection, child.job_id)

    def _heard_from(self, child: PoolProcess) -> PoolProcess:
        """The process after it said something: itself once its job is done, or its
        replacement when it died."""
        try:
            if child.connection.poll():
                child.connection.recv()
                child.job_id = None
            if child.process.is_alive():
                return child
        except (EOFError, OSError):
            pass
        return self._replace(child)

    def _replace(self, dead: PoolProcess) -> PoolProcess:
        """A new process instead of one that died; the job it was running failed as lost."""
        dead.process.join()
        dead.connection.close()
        how = _how_it_ended(dead.process.exitcode)
        log.warning("pool process %s %s; starting another", dead.process.pid, how)
        if dead.job_id is not None:
            self._recover(dead.job_id, dead.worker, how)
        return self._spawn()

    def _recover(self, job_id: str, worker: str, how: str) -> None:
        """Fail the job a dead process was running; give it to another if it had not started.
        A store that cannot be reached is logged: the job then shows lost once its heartbeat
        is stale."""
        try:
            store = self._job_store()
            if fail_dead_attempt(store.database, job_id, worker, f"{LOST_REASON} ({how})"):
                log.warning("job %s failed: the process running it %s", job_id, how)
                return
            requeue = store.get(job_id).status is JobStatus.QUEUED
        except Exception as error:
            reason = describe(error)
            log.warning("job %s: its process %s; cannot record it: %s", job_id, how, reason)
            return
        if requeue:
            with self._lock:
                self._pending.appendleft(job_id)

    def _job_store(self) -> JobStore:
        if self._store is None:
            self._store = JobStore(open_database(self.settings.database_url))
        return self._store


def worker_name(pid: int | None) -> str:
    """The worker a pool process names in the rows of the jobs it runs."""
    return f"local-{pid}"


def _run_given(connection: Connection, settings: Settings) -> None:
    """A pool process: run the job whose id arrives on `connection`, say when it is done, and
    wait for the next, until None arrives (or the server is gone)."""
    store = JobStore(open_database(settings.database_url))
    name = worker_name(os.getpid())
    try:
        while (job_id := connection.recv()) is not None:
            execute_job(store, job_id, settings=settings, worker=name)
            connection.send(job_id)
    except (EOFError, BrokenPipeError):
        return


def _send(connection: Connection, message: str | None) -> None:
    """Send to a pool process; one that died is noticed by its sentinel."""
    with contextlib.suppress(OSError):
        connection.send(message)


def _how_it_ended(exitcode: int | None) -> str:
    """'was killed by SIGKILL', 'exited with status 1'."""
    if exitcode is None or exitcode >= 0:
        return f"exited with status {exitcode}"
    try:
        return f"was killed by {signal.Signals(-exitcode).name}"
    except ValueError:
        return f"was killed by signal {-exitcode}"
