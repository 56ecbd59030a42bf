"""The statements a worker runs for every job, built once.

Claiming a job, beating its heartbeat and storing its outcome are the pool's hot path: a tiny job
costs little more than these. Built once with bind parameters and run on a plain connection,
they skip the statement building and the ORM work that would otherwise cost more CPU than the
database itself.
"""

from __future__ import annotations

from sqlalchemy import Float, Text, bindparam, func, insert, select, update

from worker.store.models import Job, JobInput, JobResult, JobStatus

JOBS = Job.__table__
INPUTS = JobInput.__table__

_claim = (
    update(JOBS)
    .where(JOBS.c.id == bindparam("job_id"), JOBS.c.status == JobStatus.QUEUED)
    .values(
        status=JobStatus.RUNNING,
        attempts=JOBS.c.attempts + 1,
        started_at=bindparam("now"),
        heartbeat_at=bindparam("now"),
        progress=0.0,
        progress_message="",
        worker=bindparam("worker_name"),
    )
)
_owned = (
    JOBS.c.id == bindparam("job_id"),
    JOBS.c.status == JobStatus.RUNNING,
    JOBS.c.attempts == bindparam("attempt"),
)

CLAIM = _claim.returning(JOBS.c.attempts)
"""Move a queued job to running, as attempt + 1; returns the attempt number."""

START = _claim.returning(
    *JOBS.c,
    select(INPUTS.c.arrays).where(INPUTS.c.job_id == JOBS.c.id).scalar_subquery().label("inputs"),
)
"""`CLAIM`, returning the whole row and the job's input arrays."""

HEARTBEAT = (
    update(JOBS)
    .where(*_owned)
    .values(
        heartbeat_at=bindparam("now"),
        progress=func.coalesce(bindparam("fraction", type_=Float), JOBS.c.progress),
        progress_message=func.coalesce(bindparam("message", type_=Text), JOBS.c.progress_message),
    )
)
"""Record that the attempt is alive, and its progress when given (else keep the stored one)."""

SUCCEED = (
    update(JOBS)
    .where(*_owned)
    .values(status=JobStatus.SUCCEEDED, finished_at=bindparam("now"), progress=1.0)
    .returning(*JOBS.c)
)
STORE_RESULT = insert(JobResult.__table__)

FAIL = (
    update(JOBS)
    .where(*_owned)
    .values(status=JobStatus.FAILED, error=bindparam("reason"), finished_at=bindparam("now"))
    .returning(*JOBS.c)
)
