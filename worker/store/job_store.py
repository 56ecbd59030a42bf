"""Operations on jobs, each one short transaction, returning plain `JobRecord` snapshots.

A worker owns a job only while the row says `running` with the attempt number it claimed: every
write a worker makes is conditional on that, so a worker that lost its job (cancelled, or re-queued
after its heartbeat went stale) can never overwrite the outcome of another.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store.array_files import ArrayFiles
from solverq.worker.store.database import Database, retry_on_disconnect
from solverq.worker.store.job_filters import JobQuery
from solverq.worker.store.models import Job, JobInput, JobResult, JobStatus, Sweep, utcnow
from solverq.worker.store.records import JobRecord, StartedJob, job_record
from solverq.worker.store.statements import (
    CLAIM,
    FAIL,
    HEARTBEAT,
    START,
    START_UNFLUSHED,
    STORE_RESULT,
    SUCCEED,
    SUCCEED_AND_STORE,
)

MIN_ID_PREFIX = 4


class UnknownJob(RejectedRequest):
    """No job has this id (or the prefix is ambiguous)."""


class JobStore:
    """The jobs of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.array_files = ArrayFiles.beside(database.url)

    def create(
        self,
        plugin: str,
        params: Mapping[str, Any],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        time_limit: float | None = None,
        queue: str | None = None,
    ) -> JobRecord:
        """Store a queued job and its input arrays."""
        [job_id] = self.create_many(plugin, [params], inputs, time_limit=time_limit, queue=queue)
        return self.get(job_id)

    def create_many(
        self,
        plugin: str,
        param_sets: Sequence[Mapping[str, Any]],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        time_limit: float | None = None,
        queue: str | None = None,
        sweep: Sweep | None = None,
    ) -> list[str]:
        """Store one queued job per parameter set, all with the same inputs, in one transaction.

        `queue` names the broker queue the jobs are published to; None means the submitting
        process runs them. A new `sweep` is stored in the same transaction, and each job records
        its position in it. Returns the new job ids in the order of `param_sets`.
        """
        now = utcnow()
        rows = [
            {
                "id": uuid.uuid4().hex,
                "plugin": plugin,
                "params": dict(params),
                "status": JobStatus.QUEUED,
                "created_at": now,
                "attempts": 0,
                "progress": 0.0,
                "progress_message": "",
                "time_limit": time_limit,
                "queue": queue,
                "enqueued_at": now if queue is not None else None,
                "sweep_id": sweep.id if sweep is not None else None,
                "sweep_point": point if sweep is not None else None,
            }
            for point, params in enumerate(param_sets)
        ]
        if not rows:
            return []
        with self.database.session() as session:
            if sweep is not None:
                session.add(sweep)
                session.flush()
            session.execute(insert(Job), rows)
            if inputs:
                encoded = self.array_files.store(inputs)
                session.execute(
                    insert(JobInput), [{"job_id": row["id"], "arrays": encoded} for row in rows]
                )
        return [row["id"] for row in rows]

    @retry_on_disconnect
    def get(self, job_id: str) -> JobRecord:
        """The job with this id (or unique id prefix), with its result summary when it has one."""
        query = select(Job, JobResult.summary, JobResult.array_info).outerjoin(
            JobResult, JobResult.job_id == Job.id
        )
        with self.database.session() as session:
            row = session.execute(query.where(Job.id == job_id)).one_or_none()
            if row is None:
                row = session.execute(query.where(Job.id == self._resolve(session, job_id))).one()
            return job_record(*row)

    def list(self, **filters: Any) -> list[JobRecord]:
        """The jobs the filters (the fields of `JobQuery`) name, newest first."""
        statement = JobQuery(**filters).select(self.database.engine.dialect.name)
        with self.database.session() as session:
            return [job_record(*row) for row in session.execute(statement)]

    @retry_on_disconnect
    def inputs(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.session() as session:
            data = session.scalar(select(JobInput.arrays).where(JobInput.job_id == job_id))
        return self.array_files.load(data) if data is not None else {}

    def result_arrays(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.session() as session:
            data = session.scalar(select(JobResult.arrays).where(JobResult.job_id == job_id))
        return self.array_files.load(data) if data is not None else {}

    @retry_on_disconnect
    def claim(self, job_id: str, worker: str | None = None) -> int | None:
        """Move a queued job to running for `worker`; the attempt number when this caller won
        it, else None (another delivery took it, or it was cancelled)."""
        with self.database.autocommit() as connection:
            return connection.execute(CLAIM, _claiming(job_id, worker)).scalar()

    @retry_on_disconnect
    def start(self, job_id: str, worker: str | None = None) -> StartedJob | None:
        """Claim a queued job and read what running it takes, in one statement; None as for
        `claim`."""
        statement = START if self.database.is_sqlite else START_UNFLUSHED
        row = self.database.autocommit_first(statement, _claiming(job_id, worker))
        if row is None:
            return None
        plugin, params, attempt, time_limit, inputs = row
        arrays = self.array_files.load(inputs) if inputs is not None else {}
        return StartedJob(job_id, plugin, params, attempt, time_limit, arrays)

    def heartbeat(
        self, job_id: str, attempt: int, progress: float | None = None, message: str | None = None
    ) -> bool:
        """Record that the attempt is alive, and its progress; False once it lost the job."""
        parameters = {
            "job_id": job_id,
            "attempt": attempt,
            "now": utcnow(),
            "fraction": progress,
            "message": message,
        }
        with self.database.autocommit() as connection:
            return connection.execute(HEARTBEAT, parameters).rowcount == 1

    @retry_on_disconnect
    def succeed(
        self,
        job_id: str,
        attempt: int,
        summary: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
    ) -> bool:
        """Mark the attempt's job succeeded and store its one result, in one transaction; False
        when the attempt had lost the job (nothing is stored then)."""
        owned = {"job_id": job_id, "attempt": attempt, "now": utcnow()}
        array_info = {name: _array_info(array) for name, array in arrays.items()}
        encoded = self.array_files.store(arrays)
        if not self.database.is_sqlite:
            result = {
                "summary_json": json.dumps(dict(summary)),
                "array_info_json": json.dumps(array_info),
                "arrays": encoded,
            }
            return self.database.autocommit_first(SUCCEED_AND_STORE, owned | result) is not None
        with self.database.transaction() as connection:
            if connection.execute(SUCCEED, owned).first() is None:
                self.array_files.discard(encoded)
                return False
            connection.execute(
                STORE_RESULT,
                {
                    "job_id": job_id,
                    "summary": dict(summary),
                    "array_info": array_info,
                    "arrays": encoded,
                },
            )
        return True

    @retry_on_disconnect
    def fail(self, job_id: str, attempt: int, error: str) -> bool:
        """Mark the attempt's job failed with `error`; False when the attempt had lost the job."""
        parameters = {"job_id": job_id, "attempt": attempt, "now": utcnow(), "reason": error}
        return self.database.autocommit_first(FAIL, parameters) is not None

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a queued or running job; a finished job is left as it is."""
        with self.database.session() as session:
            full_id = self._resolve(session, job_id)
            cancel_unfinished(session, Job.id == full_id)
        return self.get(full_id)

    def cancel_unfinished(self, job_ids: Sequence[str], reason: str) -> None:
        """Cancel those of the jobs that are still queued or running, with `reason`."""
        with self.database.session() as session:
            cancel_unfinished(session, Job.id.in_(list(job_ids)), reason)

    def resolve(self, job_id: str) -> str:
        """The full id of the job `job_id` names (a full id or a unique prefix)."""
        with self.database.session() as session:
            return self._resolve(session, job_id)

    def _resolve(self, session: Any, job_id: str) -> str:
        return resolve_id(session, Job, job_id, UnknownJob)


def cancel_unfinished(session: Any, condition: Any, reason: str = "cancelled") -> None:
    """Mark the queued and running jobs that meet `condition` cancelled, with `reason`."""
    session.execute(
        update(Job)
        .where(condition, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.CANCELLED, error=reason, finished_at=utcnow())
    )


def resolve_id(
    session: Any, model: type[Job | Sweep], text: str, unknown: type[RejectedRequest]
) -> str:
    """The full id of the row of `model` that `text` names (a full id or a unique prefix)."""
    noun = model.__tablename__.removesuffix("s")
    text = text.strip().lower()
    if session.get(model, text) is not None:
        return text
    if len(text) < MIN_ID_PREFIX or not all(c in "0123456789abcdef" for c in text):
        raise unknown(f"no {noun} '{text}'")
    matches = session.scalars(
        select(model.id).where(model.id.startswith(text, autoescape=True)).limit(2)
    ).all()
    if not matches:
        raise unknown(f"no {noun} '{text}'")
    if len(matches) > 1:
        raise unknown(f"{noun} id prefix '{text}' is ambiguous; give more characters")
    return matches[0]


def _array_info(array: np.ndarray) -> dict[str, Any]:
    dtype = "bigint" if array.dtype == object else str(array.dtype)
    return {"shape": list(array.shape), "dtype": dtype}


def _claiming(job_id: str, worker: str | None) -> dict[str, Any]:
    return {"job_id": job_id, "now": utcnow(), "worker_name": worker}
