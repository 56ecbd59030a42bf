"""The statements a worker runs for every job, built once.

Claiming a job, beating its heartbeat and storing its outcome are the pool's hot path: a tiny job
costs little more than these. Built once with bind parameters and run on a plain connection,
they skip the statement building and the ORM work that would otherwise cost more CPU than the
database itself. Each runs as one statement in autocommit mode (one round trip, no BEGIN or
COMMIT) and returns no column the worker does not use; only on SQLite are a success and its result
two statements, in one transaction.
"""

from __future__ import annotations

from sqlalchemy import Float, LargeBinary, Text, bindparam, func, insert, select, update

from worker.store.models import Job, JobInput, JobResult, JobStatus, JSONData

JOBS = Job.__table__
INPUTS = JobInput.__table__
RESULTS = JobResult.__table__

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
    JOBS.c.plugin,
    JOBS.c.params,
    JOBS.c.attempts,
    JOBS.c.time_limit,
    select(INPUTS.c.arrays).where(INPUTS.c.job_id == JOBS.c.id).scalar_subquery().label("inputs"),
)
"""`CLAIM`, returning what running the job takes: its plugin, parameters, time limit and input
arrays."""

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
    .returning(JOBS.c.id)
)
STORE_RESULT = insert(RESULTS)

_succeeded = SUCCEED.cte("succeeded")
SUCCEED_AND_STORE = select(_succeeded.c.id).add_cte(
    insert(RESULTS)
    .from_select(
        ["job_id", "summary", "array_info", "arrays"],
        select(
            _succeeded.c.id,
            bindparam("summary", type_=JSONData),
            bindparam("array_info", type_=JSONData),
            bindparam("arrays", type_=LargeBinary),
        ),
    )
    .cte("stored")
)
"""`SUCCEED` and `STORE_RESULT` as one statement, hence one transaction, for PostgreSQL (SQLite
has no data-modifying WITH clause): the result is stored only when the job was marked
succeeded; returns the job's id then."""

FAIL = (
    update(JOBS)
    .where(*_owned)
    .values(status=JobStatus.FAILED, error=bindparam("reason"), finished_at=bindparam("now"))
)
