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
from solverq.worker.store.models import Job, JobStatus, utcnow


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
        select(Job.id, Job.attempts, Job.queue, Job.started_at, Job.heartbeat_at, Job.time_limit)
        .where(
            Job.status == _inline(JobStatus.RUNNING),
            Job.queue.is_not(None),
            Job.heartbeat_at < heartbeat_before,
        )
        .order_by(Job.heartbeat_at)
        .limit(limit)
    )
    with database.session() as session:
        # The query's conditions leave no NULL in the columns a StaleAttempt needs.
        return [StaleAttempt(*row) for row in session.execute(query)]  # type: ignore[arg-type]


def requeue(database: Database, attempt: StaleAttempt, note: str) -> QueuedJob | None:
    """Put the job of a stale attempt back in the queue; None when it changed meanwhile."""
    with database.session() as session:
        won = session.execute(
            update(Job).where(*_still(attempt)).values(**_queued_again(note))
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
    return QueuedJob(attempt.job_id, attempt.queue, attempt.time_limit) if won else None


def give_up(database: Database, attempt: StaleAttempt, error: str) -> bool:
    """Fail the job of a stale attempt with `error`; False when it changed meanwhile."""
    with database.session() as session:
        won = session.execute(
            update(Job)
            .where(*_still(attempt))
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
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
        Job.status == _inline(JobStatus.QUEUED),
        Job.queue.is_not(None),
        Job.enqueued_at < enqueued_before,
    ]
    if only is not None:
        conditions.append(Job.id.in_(list(only)))
    due = select(Job.id).where(*conditions).order_by(Job.enqueued_at).limit(limit)
    with database.session() as session:
        rows = session.execute(
            update(Job)
            .where(
                Job.id.in_(due.scalar_subquery()),
                Job.status == JobStatus.QUEUED,
                Job.enqueued_at < enqueued_before,
            )
            .values(enqueued_at=utcnow(), chunk=None)
            .returning(Job.id, Job.queue, Job.time_limit)
        ).all()
    return [QueuedJob(*row) for row in rows]  # type: ignore[arg-type]  # queued with a queue


def waiting_by_queue(database: Database, enqueued_before: datetime) -> dict[str, int]:
    """By queue, how many messages the broker should hold for worker-pool jobs: one for each
    job queued (published before `enqueued_before`) or running (whose message is
    unacknowledged), but one for all such jobs of a chunk."""
    query = (
        select(Job.queue, func.count(func.coalesce(Job.chunk, Job.id).distinct()))
        .where(
            Job.queue.is_not(None),
            or_(
                and_(Job.status == _inline(JobStatus.QUEUED), Job.enqueued_at < enqueued_before),
                Job.status == _inline(JobStatus.RUNNING),
            ),
        )
        .group_by(Job.queue)
    )
    with database.session() as session:
        return {queue: count for queue, count in session.execute(query) if queue is not None}


def queued_ids(database: Database, queue: str, enqueued_before: datetime) -> list[str]:
    """The jobs of `queue` queued (last published) before `enqueued_before`, oldest first."""
    query = (
        select(Job.id)
        .where(
            Job.status == _inline(JobStatus.QUEUED),
            Job.queue == queue,
            Job.enqueued_at < enqueued_before,
        )
        .order_by(Job.enqueued_at)
    )
    with database.session() as session:
        return list(session.scalars(query))


def requeue_dead_attempt(
    database: Database, job_id: str, worker: str, max_attempts: int, note: str
) -> JobStatus | None:
    """Queue again (or fail, once it was started `max_attempts` times) a job running on
    `worker` whose process died; its new status, or None when it was not running there."""
    running_there = (Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == worker)
    with database.session() as session:
        failed = session.execute(
            update(Job)
            .where(*running_there, Job.attempts >= max_attempts)
            .values(
                status=JobStatus.FAILED,
                error=f"worker lost {max_attempts} times; giving up",
                finished_at=utcnow(),
            )
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        if failed:
            return JobStatus.FAILED
        requeued = session.execute(
            update(Job).where(*running_there).values(**_queued_again(note))
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
    return JobStatus.QUEUED if requeued else None


def fail_dead_attempt(database: Database, job_id: str, worker: str, error: str) -> bool:
    """Fail with `error` a job running on `worker`, a process known to have died; False when it
    was not running there."""
    with database.session() as session:
        failed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == worker)
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
    return failed == 1


def release(database: Database, attempts: Mapping[str, int], note: str) -> list[QueuedJob]:
    """Put jobs that a chunk claimed but did not start back in the queue, each on its own (no
    longer in the chunk), as if they had never been claimed: `attempts` gives the attempt
    number each was claimed as. The jobs to publish again (those still so claimed)."""
    released = []
    with database.session() as session:
        for job_id, attempt in attempts.items():
            row = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
                .values(**_queued_again(note), attempts=attempt - 1)
                .returning(Job.id, Job.queue, Job.time_limit)
            ).first()
            if row is not None:
                released.append(QueuedJob(*row))  # type: ignore[arg-type]  # a pool job
    return released


def fail_lost_in_place(database: Database, heartbeat_before: datetime, error: str) -> int:
    """Fail the running jobs run in a submitting process (no queue) whose heartbeat stopped
    before `heartbeat_before`: that process is gone, and no worker will take them. How many."""
    with database.session() as session:
        return session.execute(
            update(Job)
            .where(
                Job.status == _inline(JobStatus.RUNNING),
                Job.queue.is_(None),
                Job.heartbeat_at < heartbeat_before,
            )
            .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult


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


def _still(attempt: StaleAttempt) -> tuple:
    return (
        Job.id == attempt.job_id,
        Job.status == JobStatus.RUNNING,
        Job.attempts == attempt.attempt,
        Job.heartbeat_at == attempt.heartbeat_at,
    )


def _inline(status: JobStatus) -> Any:
    """`status` written into the SQL rather than bound: a statement the driver prepares is then
    planned knowing it, and can use the partial index over the jobs in that status."""
    return literal(status.value, literal_execute=True)
