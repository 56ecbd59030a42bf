"""`JobRecord`: a plain snapshot of a job, as commands and the Python API see it; `StartedJob`:
what a worker reads when it claims one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Row

from solverq.worker.store.models import Job, JobStatus


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
    queue: str | None = None
    worker: str | None = None
    sweep_id: str | None = None
    sweep_point: int | None = None

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def run_seconds(self) -> float | None:
        """How long the job ran, or has run so far; None before it started."""
        if self.started_at is None:
            return None
        end = self.finished_at or datetime.now(self.started_at.tzinfo)
        return (end - self.started_at).total_seconds()

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
            "queue": self.queue,
            "worker": self.worker,
            "sweep_id": self.sweep_id,
            "summary": self.summary,
            "arrays": self.arrays,
        }


@dataclass(frozen=True)
class StartedJob:
    """A job a worker has just claimed, as its `attempt`: what running it takes."""

    id: str
    plugin: str
    params: dict[str, Any]
    attempt: int
    time_limit: float | None
    inputs: dict[str, np.ndarray]


def job_record(
    job: Job | Row[Any], summary: dict[str, Any] | None, array_info: dict[str, Any] | None
) -> JobRecord:
    """The record of a job row (an ORM object or a row of the jobs table's columns)."""
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
        queue=job.queue,
        worker=job.worker,
        sweep_id=job.sweep_id,
        sweep_point=job.sweep_point,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
