"""Chunks of a sweep's jobs, sized by the plugin's cost model and run in this process on SQLite
and PostgreSQL: each job claimed once, its outcome stored once, the others left alone."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, update

from solverq.worker import chunks
from solverq.worker.chunks import CHUNK_JOBS, chunked, execute_chunk
from solverq.worker.reaper import reap
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.models import JOB_METRICS, JOBS, utcnow
from solverq.worker.store.recovery import QueuedJob, waiting_by_queue
from tests.worker.pool import result_counts

SETTINGS = Settings(database_url="unused", broker_url="redis://unused", time_limit=60.0)


def test_jobs_of_a_known_small_cost_go_in_bounded_chunks() -> None:
    assert chunked([0.001] * 250, 60.0) == [
        list(range(0, 100)),
        list(range(100, 200)),
        list(range(200, 250)),
    ]
    assert [len(chunk) for chunk in chunked([0.1] * 12, 60.0)] == [5, 5, 2]  # 0.5 s each
    assert [len(chunk) for chunk in chunked([0.01] * 10, 0.3)] == [3, 3, 3, 1]  # a tenth of 0.3
    assert chunked([0.0, 0.0, 0.001, 0.001, 2.0, 0.001], 60.0) == [[0], [1], [2, 3], [4], [5]]
    assert max(len(chunk) for chunk in chunked([1e-9] * 1000, 60.0)) == CHUNK_JOBS


def pool_jobs(store: JobStore, xs: list[float], seconds: float = 0.0) -> list[str]:
    """Queued worker-pool jobs of `invert`, one per x, stored as one chunk."""
    params = [{"x": x, "seconds": seconds} for x in xs]
    return store.create_many("invert", params, queue="solverq", chunks=["c" * 32] * len(xs))


def test_a_chunk_stores_successes_and_failures_each_once(
    store: JobStore, test_plugins: Path
) -> None:
    job_ids = pool_jobs(store, [2.0, 0.0, -1.0, 4.0])

    assert execute_chunk(store, job_ids, settings=SETTINGS, worker="w1") == []

    jobs = [store.get(job_id) for job_id in job_ids]
    assert [job.status for job in jobs] == [
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        JobStatus.FAILED,
        JobStatus.SUCCEEDED,
    ]
    assert [job.summary for job in jobs] == [{"inverse": 0.5}, None, None, {"inverse": 0.25}]
    assert jobs[1].error == "cannot invert 0"
    assert jobs[2].error == "plugin invert raised RuntimeError: negative"
    assert {job.attempts for job in jobs} == {1}
    assert {job.worker for job in jobs} == {"w1"}
    assert all(job.provenance is not None for job in jobs)
    assert result_counts(store) == {job_ids[0]: 1, job_ids[3]: 1}
    with store.database.transaction() as connection:
        metrics = connection.execute(select(JOB_METRICS.c.job_id, JOB_METRICS.c.value)).all()
    assert sorted(metrics) == sorted([(job_ids[0], 0.5), (job_ids[3], 0.25)])


def test_each_job_of_a_chunk_keeps_the_times_of_its_own_solve(
    store: JobStore, test_plugins: Path
) -> None:
    job_ids = pool_jobs(store, [2.0, 0.0, 4.0], seconds=0.05)

    execute_chunk(store, job_ids, settings=SETTINGS, worker="w1")

    jobs = [store.get(job_id) for job_id in job_ids]
    assert [job.status for job in jobs] == [
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        JobStatus.SUCCEEDED,
    ]
    for job in jobs:
        assert job.started_at is not None and job.finished_at is not None
        assert job.finished_at - job.started_at >= timedelta(seconds=0.05)
    for earlier, later in pairwise(jobs):
        assert later.started_at is not None and earlier.finished_at is not None
        assert later.started_at >= earlier.finished_at


def test_a_chunk_runs_only_the_jobs_still_queued(store: JobStore, test_plugins: Path) -> None:
    job_ids = pool_jobs(store, [1.0, 2.0, 3.0])
    store.cancel(job_ids[0])
    taken = store.start(job_ids[1], "w2")
    assert taken is not None

    execute_chunk(store, job_ids, settings=SETTINGS, worker="w1")

    cancelled, elsewhere, run = (store.get(job_id) for job_id in job_ids)
    assert (cancelled.status, cancelled.started_at, cancelled.summary) == (
        JobStatus.CANCELLED,
        None,
        None,
    )
    assert (elsewhere.status, elsewhere.worker, elsewhere.attempts) == (JobStatus.RUNNING, "w2", 1)
    assert (run.status, run.summary) == (JobStatus.SUCCEEDED, {"inverse": 1 / 3})
    assert result_counts(store) == {job_ids[2]: 1}


def test_a_job_cancelled_after_its_chunk_was_claimed_is_skipped(
    store: JobStore, test_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_ids = pool_jobs(store, [1.0, 2.0, 3.0], seconds=0.3)
    ran = []
    attempt_job = chunks.attempt_job

    def attempt(store: JobStore, job, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(job.id)
        if job.id == job_ids[0]:
            # Cancelled while the first job runs, from another process as it were.
            threading.Thread(target=store.cancel, args=(job_ids[1],)).start()
        return attempt_job(store, job, *args, **kwargs)

    monkeypatch.setattr(chunks, "attempt_job", attempt)

    execute_chunk(store, job_ids, settings=SETTINGS, worker="w1")

    assert ran == [job_ids[0], job_ids[2]]
    statuses = [store.get(job_id).status for job_id in job_ids]
    assert statuses == [JobStatus.SUCCEEDED, JobStatus.CANCELLED, JobStatus.SUCCEEDED]
    assert set(result_counts(store)) == {job_ids[0], job_ids[2]}


def test_a_chunk_stopped_by_a_time_limit_gives_back_the_jobs_it_did_not_start(
    store: JobStore, test_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_ids = pool_jobs(store, [1.0, 2.0, 3.0, 4.0])
    attempt_job = chunks.attempt_job

    def attempt(store: JobStore, job, *args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = attempt_job(store, job, *args, **kwargs)
        if job.id == job_ids[1]:
            return replace(
                outcome, summary=None, error="job exceeded its time limit of 60 s", timed_out=True
            )
        return outcome

    monkeypatch.setattr(chunks, "attempt_job", attempt)

    given_back = execute_chunk(store, job_ids, settings=SETTINGS, worker="w1")

    assert given_back == [QueuedJob(job_id, "solverq", None) for job_id in job_ids[2:]]
    jobs = [store.get(job_id) for job_id in job_ids]
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED, JobStatus.FAILED] + [
        JobStatus.QUEUED
    ] * 2
    assert jobs[1].error == "job exceeded its time limit of 60 s"
    assert [(job.attempts, job.worker) for job in jobs[2:]] == [(0, None)] * 2
    with store.database.transaction() as connection:
        rows = connection.execute(select(JOBS.c.id, JOBS.c.chunk).where(JOBS.c.id.in_(job_ids)))
        chunk_of = {job_id: chunk for job_id, chunk in rows}
    assert [chunk_of[job_id] for job_id in job_ids[2:]] == [None, None]


def test_a_chunk_counts_as_one_message_for_the_reaper(store: JobStore, test_plugins: Path) -> None:
    pool_jobs(store, [1.0, 2.0, 3.0])
    store.create("invert", {"x": 1.0, "seconds": 0.0}, queue="solverq")

    assert waiting_by_queue(store.database, utcnow() + timedelta(hours=1)) == {"solverq": 2}


class ChunkHoldings:
    """A broker holding `messages` messages for the queue `solverq`, carrying `job_ids`."""

    def __init__(self, messages: int, job_ids: set[str]) -> None:
        self.messages = messages
        self.held = job_ids
        self.reads = 0

    def count(self, queue: str) -> int:
        return self.messages if queue == "solverq" else 0

    def job_ids(self, queue: str) -> set[str]:
        self.reads += 1
        return set(self.held) if queue == "solverq" else set()


def test_the_jobs_of_a_lost_chunk_message_are_published_again_one_by_one(
    store: JobStore, test_plugins: Path
) -> None:
    job_ids = pool_jobs(store, [1.0, 2.0, 3.0])
    with store.database.transaction() as connection:
        minute_ago = utcnow() - timedelta(minutes=1)
        connection.execute(update(JOBS).values(enqueued_at=minute_ago))
    published: list[QueuedJob] = []

    held = ChunkHoldings(1, set(job_ids))
    assert reap(store, SETTINGS, published.extend, held).republished == []
    assert held.reads == 0
    reaping = reap(store, SETTINGS, published.extend, ChunkHoldings(0, set()))

    assert sorted(reaping.republished) == sorted(job_ids)
    assert sorted(job.id for job in published) == sorted(job_ids)
    with store.database.transaction() as connection:
        assert set(connection.scalars(select(JOBS.c.chunk).where(JOBS.c.id.in_(job_ids)))) == {None}
