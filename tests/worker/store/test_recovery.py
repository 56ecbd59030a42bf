"""Recovery queries raced by several reapers at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.models import utcnow
from solverq.worker.store.recovery import (
    requeue,
    requeue_dead_attempt,
    stale_attempts,
    take_unclaimed,
)

REAPERS = 4


def race(work: Callable[[], list[str]]) -> list[str]:
    """Run `work` in `REAPERS` threads started together; everything they returned."""
    barrier = threading.Barrier(REAPERS)
    results: list[list[str]] = []

    def run() -> None:
        barrier.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(REAPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == REAPERS
    return [job_id for result in results for job_id in result]


def test_each_unclaimed_job_goes_to_one_reaper(store: JobStore) -> None:
    job_ids = store.create_many("echo", [{}] * 30, queue="solverq")
    cutoff = utcnow()

    taken = race(lambda: [job.id for job in take_unclaimed(store.database, cutoff, 1000)])

    assert sorted(taken) == sorted(job_ids)


def test_each_stale_attempt_is_requeued_by_one_reaper(store: JobStore) -> None:
    job_ids = store.create_many("echo", [{}] * 30, queue="solverq")
    for job_id in job_ids:
        store.claim(job_id)
    later = utcnow() + timedelta(seconds=1)

    def reaper() -> list[str]:
        attempts = stale_attempts(store.database, later, 1000)
        requeued = (requeue(store.database, attempt, "re-queued") for attempt in attempts)
        return [job.id for job in requeued if job is not None]

    assert sorted(race(reaper)) == sorted(job_ids)


def test_a_reaper_takes_at_most_its_batch(store: JobStore) -> None:
    job_ids = store.create_many("echo", [{}] * 5, queue="solverq")
    cutoff = utcnow()
    first = take_unclaimed(store.database, cutoff, 3)
    second = take_unclaimed(store.database, cutoff, 3)
    assert len(first) == 3 and len(second) == 2
    assert {job.id for job in first + second} == set(job_ids)
    assert take_unclaimed(store.database, cutoff, 3) == []


def test_a_dead_process_job_is_queued_again_only_where_it_ran(store: JobStore) -> None:
    job = store.create("sleep", {}, queue="solverq")
    store.claim(job.id, "solverq-1@host")
    note = "re-queued: its worker process died"
    assert requeue_dead_attempt(store.database, job.id, "solverq-2@host", 3, note) is None
    assert requeue_dead_attempt(store.database, job.id, "solverq-1@host", 3, note) == (
        JobStatus.QUEUED
    )
    requeued = store.get(job.id)
    assert (requeued.status, requeued.progress_message, requeued.worker) == (
        JobStatus.QUEUED,
        note,
        None,
    )
    assert requeue_dead_attempt(store.database, job.id, "solverq-1@host", 3, note) is None


def test_a_dead_process_job_started_too_often_fails(store: JobStore) -> None:
    job = store.create("sleep", {}, queue="solverq")
    for _ in range(3):
        store.claim(job.id, "solverq-1@host")
        requeue_dead_attempt(store.database, job.id, "solverq-1@host", 3, "again")
    failed = store.get(job.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 3)
    assert failed.error == "worker lost 3 times; giving up"
