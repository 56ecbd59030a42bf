"""Chunks: a sweep's jobs published a few at a time, in one message each, and run in turn by the
worker that takes the message.

A sweep knows all its jobs when it is stored, so it needs no message, no claim and no commit of
its own per job: for jobs of a few milliseconds these cost more than the jobs. `chunked` groups
the jobs, in grid order, into chunks that their plugin's cost model expects to take at most
`CHUNK_SECONDS` (and a tenth of their time limit), `CHUNK_JOBS` jobs at most; a plugin without a
cost model (an estimate of 0) gets a message per job, since its jobs may be long.

`execute_chunk` claims the chunk's queued jobs in one statement (those another delivery took, or
that were cancelled, are left out), then runs them in order. Their heartbeat is one statement for
all the chunk's jobs not yet stored, and their outcomes are stored in batches (every
`FLUSH_JOBS` jobs or `FLUSH_SECONDS` seconds), each batch in one transaction; each storing also
reads which of the jobs still to run are still this attempt's, and a job that is not (cancelled
meanwhile) is skipped. The job that runs has its own `Heartbeat`, as a job run alone does, which
stops it once it is cancelled.

A worker lost in the middle of a chunk leaves its jobs running without a heartbeat: the reaper
queues each of them again on its own (the outcomes it had not stored are lost with it, and those
jobs run again). A job stopped by its time limit ends the chunk: the jobs that did not start are
queued again, each on its own.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from solverq.worker.execution import attempt_job, store_outcome, time_limit_exceptions
from solverq.worker.heartbeat import beater
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore
from solverq.worker.store.chunk_store import (
    Outcome,
    keep_chunk,
    start_chunk,
    store_outcomes,
)
from solverq.worker.store.database import database_unreachable, first_line
from solverq.worker.store.recovery import QueuedJob, release

log = logging.getLogger(__name__)

CHUNK_JOBS = 100
"""The most jobs of one chunk."""
CHUNK_SECONDS = 0.5
"""The most seconds the cost model may expect a chunk to take: what another worker may wait for
the jobs of a chunk that it could have run."""
FLUSH_JOBS = 50
FLUSH_SECONDS = 0.2
"""The outcomes of a chunk's jobs are stored every `FLUSH_JOBS` jobs or `FLUSH_SECONDS` seconds,
whichever comes first."""


def chunked(seconds: Sequence[float], time_limit: float) -> list[list[int]]:
    """The positions of jobs expected to take `seconds` each (0: unknown), in order, grouped
    into chunks: each of at most `CHUNK_JOBS` jobs expected to take at most `CHUNK_SECONDS`
    and a tenth of `time_limit` in all. A job of unknown or longer cost is a chunk of its own.
    """
    budget = min(CHUNK_SECONDS, time_limit / 10)
    chunks: list[list[int]] = []
    current: list[int] = []
    total = 0.0
    for index, estimate in enumerate(seconds):
        fits = estimate > 0 and total + estimate <= budget and len(current) < CHUNK_JOBS
        if current and not fits:
            chunks.append(current)
            current, total = [], 0.0
        current.append(index)
        total += estimate if estimate > 0 else math.inf
    if current:
        chunks.append(current)
    return chunks


def new_chunk_id() -> str:
    return uuid.uuid4().hex


def execute_chunk(
    store: JobStore, job_ids: Sequence[str], *, settings: Settings, worker: str | None
) -> list[QueuedJob]:
    """Run the jobs of a chunk that are still queued, in order; the jobs it gave back (queued
    again on their own, to be published) when one was stopped by its time limit."""
    jobs = start_chunk(store, job_ids, worker)
    if not jobs:
        return []
    run = _ChunkRun(store, {job.id: job.attempt for job in jobs}, worker, settings)
    started = 0
    beater().watch(run)
    try:
        for job in jobs:
            started += 1
            if not run.owns(job.id):
                run.forget(job.id)
                continue
            outcome = attempt_job(store, job, settings=settings, worker=worker)
            run.finished(job.id, outcome)
            if outcome is not None and outcome.timed_out:
                break
    except time_limit_exceptions():
        log.warning("%s stopped by its time limit", run.job_id)
    finally:
        run.stop()
        beater().forget(run)
        run.flush()
    unstarted = {job.id: job.attempt for job in jobs[started:]}
    if not unstarted:
        return []
    return release(store.database, unstarted, "re-queued: its chunk stopped at a time limit")


class _ChunkRun:
    """The claimed jobs of a chunk whose outcomes are not stored yet, their heartbeat (as one
    of the heartbeat thread's `Beating`) and the outcomes waiting to be stored."""

    def __init__(
        self, store: JobStore, attempts: dict[str, int], worker: str | None, settings: Settings
    ) -> None:
        self.store = store
        self.worker = worker
        self.job_id = f"chunk of {len(attempts)} jobs starting with {next(iter(attempts))}"
        self.interval = settings.heartbeat_interval
        self._unstored = dict(attempts)
        """The attempt number of each claimed job whose outcome is not stored yet."""
        self._owned = set(attempts)
        self._outcomes: list[Outcome] = []
        self._last_write = self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def due(self) -> float:
        return self._last_write + self.interval

    def owns(self, job_id: str) -> bool:
        """Whether the attempt still owned the job when last seen (at most `FLUSH_SECONDS` ago
        while the jobs are short, a heartbeat interval when one runs long)."""
        with self._lock:
            return job_id in self._owned

    def forget(self, job_id: str) -> None:
        """Stop keeping the heartbeat of a job the attempt lost."""
        with self._lock:
            self._unstored.pop(job_id, None)

    def finished(self, job_id: str, outcome: Outcome | None) -> None:
        """A job ended with `outcome` (None: stopped as no longer the attempt's); the outcomes are
        stored when a batch is full or due."""
        if outcome is None:
            self.forget(job_id)
        else:
            self._outcomes.append(outcome)
        now = time.monotonic()
        if len(self._outcomes) >= FLUSH_JOBS or now - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Store the waiting outcomes in one transaction, then write the heartbeat of the jobs
        still to run, learning which of them are still the attempt's. A batch the database
        refuses is stored one outcome at a time, so that only the refused result fails."""
        outcomes, self._outcomes = self._outcomes, []
        self._last_flush = time.monotonic()
        try:
            store_outcomes(self.store, outcomes)
        except Exception as error:
            if database_unreachable(error):
                raise
            for outcome in outcomes:
                store_outcome(self.store, outcome)
        with self._lock:
            for outcome in outcomes:
                self._unstored.pop(outcome.job_id, None)
        if not self._stopped:
            self._keep()

    def stop(self) -> None:
        """No more jobs will run: the heartbeat is written no more."""
        with self._lock:
            self._stopped = True

    def beat(self) -> bool:
        """Write the heartbeat when due (from the heartbeat thread, while a job runs long)."""
        if self._stopped:
            return False
        if time.monotonic() >= self.due:
            try:
                self._keep()
            except SQLAlchemyError as error:
                log.warning("%s: cannot write its heartbeat: %s", self.job_id, first_line(error))
        return True

    def _keep(self) -> None:
        with self._lock:
            attempts = dict(self._unstored)
        self._last_write = time.monotonic()
        owned = keep_chunk(self.store, attempts, self.worker)
        with self._lock:
            self._owned -= set(attempts) - owned
