"""Sweeps published in chunks, run by `solverq worker` processes against the real Redis and
PostgreSQL: every job run once, cancellation per job, a worker lost mid-chunk."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from solverq.worker import sweep_service
from solverq.worker.service import cancel
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.models import JOBS
from tests.worker.pool import WorkerPool, result_counts, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TIMEOUT = 60.0


def sweep_jobs(store: JobStore, sweep_id: str) -> list:
    """The sweep's jobs, in grid order."""
    points = sweep_service.sweep_store().points(sweep_id)
    return [store.get(points[point].id) for point in sorted(points)]


def chunk_count(store: JobStore) -> int:
    with store.database.transaction() as connection:
        return connection.scalar(select(func.count(JOBS.c.chunk.distinct())))


def all_finished(store: JobStore, sweep_id: str) -> bool:
    return all(job.finished for job in sweep_jobs(store, sweep_id))


def test_a_chunked_sweep_runs_every_job_once(pool_store: JobStore, workers: WorkerPool) -> None:
    workers.start_ready(2, concurrency=2)
    xs = [float(x) for x in range(1, 301)]
    sweep = sweep_service.submit_sweep("invert", {"x": xs})
    assert chunk_count(pool_store) == 3

    wait_for(lambda: all_finished(pool_store, sweep.id), TIMEOUT, workers)

    jobs = sweep_jobs(pool_store, sweep.id)
    assert [job.summary["inverse"] for job in jobs] == [1 / x for x in xs]
    assert {job.status for job in jobs} == {JobStatus.SUCCEEDED}
    assert {job.attempts for job in jobs} == {1}
    assert result_counts(pool_store) == {job.id: 1 for job in jobs}


def test_successes_and_failures_of_one_chunk_are_stored(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    workers.start()
    sweep = sweep_service.submit_sweep("invert", {"x": [2, 0, -1, 4]})
    assert chunk_count(pool_store) == 1

    wait_for(lambda: all_finished(pool_store, sweep.id), TIMEOUT, workers)

    jobs = sweep_jobs(pool_store, sweep.id)
    assert [(job.status, job.summary, job.error) for job in jobs] == [
        (JobStatus.SUCCEEDED, {"inverse": 0.5}, None),
        (JobStatus.FAILED, None, "cannot invert 0"),
        (JobStatus.FAILED, None, "plugin invert raised RuntimeError: negative"),
        (JobStatus.SUCCEEDED, {"inverse": 0.25}, None),
    ]
    assert result_counts(pool_store) == {jobs[0].id: 1, jobs[3].id: 1}


def test_a_job_cancelled_while_its_chunk_is_queued_is_not_run(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    sweep = sweep_service.submit_sweep("invert", {"x": [1, 2, 3, 4]})
    doomed = sweep_jobs(pool_store, sweep.id)[2]
    cancel(doomed.id)
    workers.start()

    wait_for(lambda: all_finished(pool_store, sweep.id), TIMEOUT, workers)

    jobs = sweep_jobs(pool_store, sweep.id)
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED] * 2 + [
        JobStatus.CANCELLED,
        JobStatus.SUCCEEDED,
    ]
    assert (jobs[2].started_at, jobs[2].attempts, jobs[2].worker) == (None, 0, None)
    assert doomed.id not in result_counts(pool_store)


def test_the_unfinished_jobs_of_a_worker_killed_mid_chunk_run_once_elsewhere(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    doomed = workers.start()
    sweep = sweep_service.submit_sweep("invert", {"x": list(range(1, 11)), "seconds": [0.4]})
    assert chunk_count(pool_store) == 1

    def done() -> int:
        return sum(job.status is JobStatus.SUCCEEDED for job in sweep_jobs(pool_store, sweep.id))

    wait_for(lambda: done() >= 2, TIMEOUT, workers)
    doomed.kill()
    before = {job.id for job in sweep_jobs(pool_store, sweep.id) if job.finished}
    survivor = workers.start()
    wait_for(lambda: all_finished(pool_store, sweep.id), TIMEOUT, workers)

    jobs = sweep_jobs(pool_store, sweep.id)
    assert {job.status for job in jobs} == {JobStatus.SUCCEEDED}
    assert [job.summary["inverse"] for job in jobs] == [1 / x for x in range(1, 11)]
    assert result_counts(pool_store) == {job.id: 1 for job in jobs}
    rerun = [job for job in jobs if job.id not in before]
    assert rerun
    assert {(job.attempts, job.worker) for job in rerun} == {(2, survivor.nodename)}
    assert {job.attempts for job in jobs if job.id in before} == {1}
