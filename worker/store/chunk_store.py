"""The store's side of a chunk of jobs run by one worker: its claim in one statement, the
heartbeat of its jobs, and their outcomes stored in batches.

Every write stays conditional on the attempt the worker claimed, as for a job run alone
(`solverq.worker.store.job_store`): a job of the chunk that was cancelled, or given to another
worker, keeps its state whatever this worker stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from solverq.worker.store.database import retry_on_disconnect
from solverq.worker.store.job_store import JobStore, _owned, insert_result, success_json
from solverq.worker.store.models import utcnow
from solverq.worker.store.records import StartedJob
from solverq.worker.store.statements import (
    FAIL,
    KEEP_CHUNK,
    START_CHUNK,
    START_CHUNK_UNFLUSHED,
    SUCCEED,
    SUCCEED_AND_STORE,
)


@dataclass(frozen=True)
class Outcome:
    """How an attempt at a job ended: `summary` for a success, else `error` (with the arrays
    the job produced before it failed, if any)."""

    job_id: str
    attempt: int
    provenance: Mapping[str, Any]
    summary: Mapping[str, Any] | None = None
    error: str | None = None
    arrays: Mapping[str, np.ndarray] = field(default_factory=dict)
    timed_out: bool = False
    """Whether the job was stopped by its time limit."""
    started_at: datetime | None = None
    """When its solve began: a job of a chunk is claimed with the chunk, and waits its turn."""
    finished_at: datetime = field(default_factory=utcnow)
    """When its solve ended: a chunk stores its outcomes in batches, some time later."""


@retry_on_disconnect
def start_chunk(store: JobStore, job_ids: Sequence[str], worker: str | None) -> list[StartedJob]:
    """Claim those of the jobs that are still queued for `worker`, in one statement, and read
    what running them takes; in the order of `job_ids`."""
    database = store.database
    statement = START_CHUNK if database.is_sqlite else START_CHUNK_UNFLUSHED
    parameters = {"job_ids_json": json.dumps(list(job_ids)), "now": utcnow(), "worker_name": worker}
    started = {}
    for job_id, plugin, params, attempt, time_limit, inputs in database.autocommit_all(
        statement, parameters
    ):
        arrays = store.array_files.load(inputs) if inputs is not None else {}
        started[job_id] = StartedJob(job_id, plugin, params, attempt, time_limit, arrays)
    return [started[job_id] for job_id in job_ids if job_id in started]


def keep_chunk(store: JobStore, attempts: Mapping[str, int], worker: str | None) -> set[str]:
    """Write the heartbeat of the jobs whose `attempts` (attempt number by job id) run on
    `worker`; the ids of those that still do (the others were cancelled, or given to another
    worker)."""
    if not attempts:
        return set()
    parameters = {
        "job_ids_json": json.dumps(list(attempts)),
        "now": utcnow(),
        "worker_name": worker,
    }
    rows = store.database.autocommit_all(KEEP_CHUNK, parameters)
    return {job_id for job_id, attempt in rows if attempts.get(job_id) == attempt}


@retry_on_disconnect
def store_outcomes(store: JobStore, outcomes: Sequence[Outcome]) -> None:
    """Store the outcomes, each only if its attempt still owns its job, in one transaction.

    On PostgreSQL the statements go straight to the driver's connection in one round trip
    (successes and failures without arrays, which is what small jobs end with); otherwise, and
    for failures that keep arrays, through a transaction of the engine.
    """
    if not outcomes:
        return
    direct = store.database.direct
    if direct is not None and all(o.summary is not None or not o.arrays for o in outcomes):
        direct.run([_direct_step(store, outcome) for outcome in outcomes])
        return
    stored: list[bytes | bytearray] = []
    try:
        with store.database.transaction() as connection:
            for outcome in outcomes:
                owned = _times_owned(outcome)
                if outcome.summary is None:
                    finish, owned = FAIL, owned | {"reason": outcome.error}
                else:
                    finish = SUCCEED
                if connection.execute(finish, owned).first() is None:
                    continue
                if outcome.summary is None and not outcome.arrays:
                    continue
                encoded = store.array_files.store(outcome.arrays)
                stored.append(encoded)
                summary = outcome.summary or {}
                insert_result(connection, outcome.job_id, summary, outcome.arrays, encoded)
    except BaseException:
        for encoded in stored:
            store.array_files.discard(encoded)
        raise


def _direct_step(store: JobStore, outcome: Outcome) -> tuple[Any, dict[str, Any]]:
    """The PostgreSQL statement that stores `outcome`, and its parameters."""
    owned = _times_owned(outcome)
    if outcome.summary is None:
        return FAIL, owned | {"reason": outcome.error}
    encoded = store.array_files.store(outcome.arrays)
    return SUCCEED_AND_STORE, owned | success_json(outcome.summary, outcome.arrays, encoded)


def _times_owned(outcome: Outcome) -> dict[str, Any]:
    """The parameters of `outcome`'s statement, with the times its solve began and ended."""
    return _owned(
        outcome.job_id,
        outcome.attempt,
        outcome.provenance,
        started_at=outcome.started_at,
        finished_at=outcome.finished_at,
    )
