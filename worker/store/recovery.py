"""The store's side of recovery: finding jobs whose worker or whose message was lost.

Every change is one conditional UPDATE, so that any number of workers may reap at the same time:
a job changes only if it is still exactly as the reaper saw it, and only one reaper wins it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, update

from solverq.worker.store.database import Database
from solverq.worker.store.models import JOBS, JobStatus, utcnow


@dataclass(frozen=True)
class QueuedJob:
    """A job to publish to its broker queue; `time_limit` None means the default."""

    id: str
    queue: str
    time_limit: float | None


@dataclass(frozen=True)
class StaleAttempt:
    """A running attempt of a worker-pool job whose heartbeat stopped."""

    job_id: str
    attempt: int
    queue: str
    started_at: datetime
    heartbeat_at: datetime
    time_limit: float | None

    @property
    def ran_for(self) -> float:
        """Seconds from the start of the attempt to its last heartbeat."""
        return (self.heartbeat_at - self.started_at).total_seconds()


def stale_attempts(
    database: Database, heartbeat_before: datetime, limit: int
) -> list[StaleAttempt]:
    """Running worker-pool jobs whose last heartbeat came before `heartbeat_before`."""
    query = (
        select(
            JOBS.c.id,
            JOBS.c.attempts,
            JOBS.c.queue,
            JOBS.c.started_at,
            JOBS.c.heartbeat_at,
            JOBS.c.time_limit,
        )
        .where(
            JOBS.c.status == _inline(JobStatus.RUNNING),
            JOBS.c.queue.is_not(None),
            JOBS.c.heartbeat_at < heartbeat_before,
        )
        .order_by(JOBS.c.heartbeat_at)
        .limit(limit)
    )
    with database.transaction() as connection:
        # The query's conditions leave no NULL in the columns a StaleAttempt needs.
        return [StaleAttempt(*row) for row in connection.execute(query)]


def requeue(database: Database, attempt: StaleAttempt, note: str) -> QueuedJob | None:
    """Put the job of a stale attempt back in the queue; None when it changed meanwhile."""
    with database.transaction() as connection:
        won = connection.execute(
            update(JOBS).where(*_still(attempt)).values(**_queued_again(note))
        ).rowcount
    return QueuedJob(attempt.job_id, attempt.queue, attempt.time_limit) if won else None


def give_up(database: Database, attempt: StaleAttempt, error: str) -> bool:
    """Fail the job of a stale attempt with `error`; False when it changed meanwhile."""
    with database.transaction() as connection:
        won = connection.execute(
            update(JOBS)
            .where(*_still(attempt))
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount
    return won == 1


def take_unclaimed(
    database: Database,
    enqueued_before: datetime,
    limit: int,
    *,
    only: Collection[str] | None = None,
) -> list[QueuedJob]:
    """Queued worker-pool jobs last published before `enqueued_before` (of the jobs `only`, if
    given), marked as published now.

    The caller publishes them again; a concurrent caller does not get the same jobs.
    """
    conditions = [
        JOBS.c.status == _inline(JobStatus.QUEUED),
        JOBS.c.queue.is_not(None),
        JOBS.c.enqueued_at < enqueued_before,
    ]
    if only is not None:
        conditions.append(JOBS.c.id.in_(list(only)))
    due = select(JOBS.c.id).where(*conditions).order_by(JOBS.c.enqueued_at).limit(limit)
    with database.transaction() as connection:
        rows = connection.execute(
            update(JOBS)
            .where(
                JOBS.c.id.in_(due.scalar_subquery()),
                JOBS.c.status == JobStatus.QUEUED,
                JOBS.c.enqueued_at < enqueued_before,
            )
            .values(enqueued_at=utcnow(), chunk=None)
            .returning(JOBS.c.id, JOBS.c.queue, JOBS.c.time_limit)
        ).all()
    return [QueuedJob(*row) for row in rows]


def waiting_by_queue(database: Database, enqueued_before: datetime) -> dict[str, int]:
    """By queue, how many messages the broker should hold for worker-pool jobs: one for each
    job queued (published before `enqueued_before`) or running (whose message is
    unacknowledged), but one for all such jobs of a chunk."""
    query = (
        select(JOBS.c.queue, func.count(func.coalesce(JOBS.c.chunk, JOBS.c.id).distinct()))
        .where(
            JOBS.c.queue.is_not(None),
            or_(
                and_(
                    JOBS.c.status == _inline(JobStatus.QUEUED), JOBS.c.enqueued_at < enqueued_before
                ),
                JOBS.c.status == _inline(JobStatus.RUNNING),
            ),
        )
        .group_by(JOBS.c.queue)
    )
    with database.transaction() as connection:
        return {queue: count for queue, count in connection.execute(query) if queue is not None}


def queued_ids(database: Database, queue: str, enqueued_before: datetime) -> list[str]:
    """The jobs of `queue` queued (last published) before `enqueued_before`, oldest first."""
    query = (
        select(JOBS.c.id)
        .where(
            JOBS.c.status == _inline(JobStatus.QUEUED),
            JOBS.c.queue == queue,
            JOBS.c.enqueued_at < enqueued_before,
        )
        .order_by(JOBS.c.enqueued_at)
    )
    with database.transaction() as connection:
        return list(connection.scalars(query))


def requeue_dead_attempt(
    database: Database, job_id: str, worker: str, max_attempts: int, note: str
) -> JobStatus | None:
    """Queue again (or fail, once it was started `max_attempts` times) a job running on
    `worker` whose process died; its new status, or None when it was not running there."""
    running_there = _running_on(job_id, worker)
    with database.transaction() as connection:
        failed = connection.execute(
            update(JOBS)
            .where(*running_there, JOBS.c.attempts >= max_attempts)
            .values(
                status=JobStatus.FAILED,
                error=f"worker lost {max_attempts} times; giving up",
                finished_at=utcnow(),
            )
        ).rowcount
        if failed:
            return JobStatus.FAILED
        requeued = connection.execute(
            update(JOBS).where(*running_there).values(**_queued_again(note))
        ).rowcount
    return JobStatus.QUEUED if requeued else None


def fail_dead_attempt(database: Database, job_id: str, worker: str, error: str) -> bool:
    """Fail with `error` a job running on `worker`, a process known to have died; False when it
    was not running there."""
    with database.transaction() as connection:
        failed = connection.execute(
            update(JOBS)
            .where(*_running_on(job_id, worker))
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount
    return failed == 1


def release(database: Database, attempts: Mapping[str, int], note: str) -> list[QueuedJob]:
    """Put jobs that a chunk claimed but did not start back in the queue, each on its own (no
    longer in the chunk), as if they had never been claimed: `attempts` gives the attempt
    number each was claimed as. The jobs to publish again (those still so claimed)."""
    released = []
    with database.transaction() as connection:
        for job_id, attempt in attempts.items():
            row = connection.execute(
                update(JOBS)
                .where(
                    JOBS.c.id == job_id,
                    JOBS.c.status == JobStatus.RUNNING,
                    JOBS.c.attempts == attempt,
                )
                .values(**_queued_again(note), attempts=attempt - 1)
                .returning(JOBS.c.id, JOBS.c.queue, JOBS.c.time_limit)
            ).first()
            if row is not None:
                released.append(QueuedJob(*row))
    return released


def fail_lost_in_place(database: Database, heartbeat_before: datetime, error: str) -> int:
    """Fail the running jobs run in a submitting process (no queue) whose heartbeat stopped
    before `heartbeat_before`: that process is gone, and no worker will take them. How many."""
    with database.transaction() as connection:
        return connection.execute(
            update(JOBS)
            .where(
                JOBS.c.status == _inline(JobStatus.RUNNING),
                JOBS.c.queue.is_(None),
                JOBS.c.heartbeat_at < heartbeat_before,
            )
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount


def _queued_again(note: str) -> dict[str, Any]:
    """The values of a job put back in the queue, `note` saying why."""
    return {
        "status": JobStatus.QUEUED,
        "enqueued_at": utcnow(),
        "progress": 0.0,
        "progress_message": note,
        "worker": None,
        "chunk": None,
    }


def _running_on(job_id: str, worker: str) -> tuple:
    """The conditions that the job is running on `worker`."""
    return (JOBS.c.id == job_id, JOBS.c.status == JobStatus.RUNNING, JOBS.c.worker == worker)


def _still(attempt: StaleAttempt) -> tuple:
    return (
        JOBS.c.id == attempt.job_id,
        JOBS.c.status == JobStatus.RUNNING,
        JOBS.c.attempts == attempt.attempt,
        JOBS.c.heartbeat_at == attempt.heartbeat_at,
    )


def _inline(status: JobStatus) -> Any:
    """`status` written into the SQL rather than bound: a statement the driver prepares is then
    planned knowing it, and can use the partial index over the jobs in that status."""
    return literal(status.value, literal_execute=True)
