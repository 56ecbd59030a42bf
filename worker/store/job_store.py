"""Operations on jobs, each one short transaction, returning plain `JobRecord` snapshots.

A worker owns a job only while the row says `running` with the attempt number it claimed: every
write a worker makes is conditional on that, so a worker that lost its job (cancelled, or re-queued
after its heartbeat went stale) can never overwrite the outcome of another.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update

from plugins.arrays import decode_arrays, encode_arrays
from plugins.errors import RejectedRequest
from worker.store.database import Database
from worker.store.models import Job, JobInput, JobResult, JobStatus, utcnow
from worker.store.queries import JobQuery

MIN_ID_PREFIX = 4


class UnknownJob(RejectedRequest):
    """No job has this id (or the prefix is ambiguous)."""


@dataclass(frozen=True)
class JobRecord:
    """A job as the store last saw it."""

    id: str
    plugin: str
    params: dict[str, Any]
    status: JobStatus
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    attempts: int
    progress: float
    progress_message: str
    time_limit: float | None
    summary: dict[str, Any] | None = None
    arrays: dict[str, Any] = field(default_factory=dict)
    sweep_id: str | None = None
    sweep_point: int | None = None

    @property
    def finished(self) -> bool:
        return self.status.finished

    def to_json(self) -> dict[str, Any]:
        """The job record as `status --json` and `result --json` print it."""
        return {
            "id": self.id,
            "plugin": self.plugin,
            "status": self.status.value,
            "params": self.params,
            "error": self.error,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "heartbeat_at": _iso(self.heartbeat_at),
            "attempts": self.attempts,
            "progress": self.progress,
            "progress_message": self.progress_message,
            "time_limit": self.time_limit,
            "sweep_id": self.sweep_id,
            "summary": self.summary,
            "arrays": self.arrays,
        }


class JobStore:
    """The jobs of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create(
        self,
        plugin: str,
        params: Mapping[str, Any],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        time_limit: float | None = None,
    ) -> JobRecord:
        """Store a queued job and its input arrays."""
        job = Job(
            id=uuid.uuid4().hex,
            plugin=plugin,
            params=dict(params),
            status=JobStatus.QUEUED,
            created_at=utcnow(),
            attempts=0,
            progress=0.0,
            progress_message="",
            time_limit=time_limit,
        )
        with self.database.session() as session:
            session.add(job)
            if inputs:
                session.flush()
                session.add(JobInput(job_id=job.id, arrays=encode_arrays(inputs)))
        return self.get(job.id)

    def get(self, job_id: str) -> JobRecord:
        """The job with this id (or unique id prefix), with its result summary when it has one."""
        with self.database.session() as session:
            row = session.execute(
                select(Job, JobResult.summary, JobResult.array_info)
                .outerjoin(JobResult, JobResult.job_id == Job.id)
                .where(Job.id == self._resolve(session, job_id))
            ).one()
            return _record(*row)

    def list(self, **filters: Any) -> list[JobRecord]:
        """The jobs the filters (the fields of `JobQuery`) name, newest first."""
        statement = JobQuery(**filters).select(self.database.engine.dialect.name)
        with self.database.session() as session:
            return [_record(*row) for row in session.execute(statement)]

    def inputs(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.session() as session:
            data = session.scalar(select(JobInput.arrays).where(JobInput.job_id == job_id))
        return decode_arrays(data) if data is not None else {}

    def result_arrays(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.session() as session:
            data = session.scalar(select(JobResult.arrays).where(JobResult.job_id == job_id))
        return decode_arrays(data) if data is not None else {}

    def claim(self, job_id: str) -> int | None:
        """Move a queued job to running; the attempt number when this caller won it, else None."""
        now = utcnow()
        with self.database.session() as session:
            attempt = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                .values(
                    status=JobStatus.RUNNING,
                    attempts=Job.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    progress=0.0,
                    progress_message="",
                )
                .returning(Job.attempts)
            ).scalar()
        return attempt

    def heartbeat(
        self, job_id: str, attempt: int, progress: float | None = None, message: str | None = None
    ) -> bool:
        """Record that the attempt is alive, and its progress; False once it lost the job."""
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if progress is not None:
            values["progress"] = progress
        if message is not None:
            values["progress_message"] = message
        with self.database.session() as session:
            result = session.execute(
                update(Job).where(*_owned_by(job_id, attempt)).values(**values)
            )
        return result.rowcount == 1

    def succeed(
        self,
        job_id: str,
        attempt: int,
        summary: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
    ) -> bool:
        """Store the outcome and the one result in one transaction; False when the job was lost."""
        encoded = encode_arrays(arrays)
        info = {name: _array_info(array) for name, array in arrays.items()}
        with self.database.session() as session:
            won = session.execute(
                update(Job)
                .where(*_owned_by(job_id, attempt))
                .values(status=JobStatus.SUCCEEDED, finished_at=utcnow(), progress=1.0)
            ).rowcount
            if won:
                session.add(
                    JobResult(job_id=job_id, summary=dict(summary), array_info=info, arrays=encoded)
                )
        return won == 1

    def fail(self, job_id: str, attempt: int, error: str) -> bool:
        """Mark the attempt's job failed with `error`; False when the job was lost."""
        with self.database.session() as session:
            result = session.execute(
                update(Job)
                .where(*_owned_by(job_id, attempt))
                .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
            )
        return result.rowcount == 1

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a queued or running job; a finished job is left as it is."""
        with self.database.session() as session:
            full_id = self._resolve(session, job_id)
            session.execute(
                update(Job)
                .where(Job.id == full_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
                .values(status=JobStatus.CANCELLED, error="cancelled", finished_at=utcnow())
            )
        return self.get(full_id)

    def resolve(self, job_id: str) -> str:
        """The full id of the job `job_id` names (a full id or a unique prefix)."""
        with self.database.session() as session:
            return self._resolve(session, job_id)

    def _resolve(self, session: Any, job_id: str) -> str:
        job_id = job_id.strip().lower()
        if session.get(Job, job_id) is not None:
            return job_id
        if len(job_id) < MIN_ID_PREFIX or not all(c in "0123456789abcdef" for c in job_id):
            raise UnknownJob(f"no job '{job_id}'")
        matches = session.scalars(
            select(Job.id).where(Job.id.startswith(job_id, autoescape=True)).limit(2)
        ).all()
        if not matches:
            raise UnknownJob(f"no job '{job_id}'")
        if len(matches) > 1:
            raise UnknownJob(f"job id prefix '{job_id}' is ambiguous; give more characters")
        return matches[0]


def _owned_by(job_id: str, attempt: int) -> tuple[Any, ...]:
    return (Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)


def _record(
    job: Job, summary: dict[str, Any] | None, array_info: dict[str, Any] | None
) -> JobRecord:
    return JobRecord(
        id=job.id,
        plugin=job.plugin,
        params=job.params,
        status=JobStatus(job.status),
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        heartbeat_at=job.heartbeat_at,
        attempts=job.attempts,
        progress=job.progress,
        progress_message=job.progress_message,
        time_limit=job.time_limit,
        summary=summary,
        arrays=array_info or {},
        sweep_id=job.sweep_id,
        sweep_point=job.sweep_point,
    )


def _array_info(array: np.ndarray) -> dict[str, Any]:
    dtype = "bigint" if array.dtype == object else str(array.dtype)
    return {"shape": list(array.shape), "dtype": dtype}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
