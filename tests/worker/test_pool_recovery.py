"""Recovery within a minute with the default settings, against the real Redis and PostgreSQL and
`solverq worker` processes that are killed: a whole worker, one pool process, the broker's data.
Every job runs to the end exactly once, and never on two processes at a time."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis

from solverq.worker import service
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore
from tests.worker.pool import FAST_RECOVERY, WorkerPool, result_counts, running_on, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MINUTE = 60.0


@pytest.fixture
def defaults(pool_store: JobStore, monkeypatch: pytest.MonkeyPatch) -> JobStore:
    """The pool's environment with the default recovery settings."""
    for variable in FAST_RECOVERY:
        monkeypatch.delenv(variable)
    settings = Settings.from_environment()
    assert (settings.heartbeat_interval, settings.stale_after, settings.reap_interval) == (
        5.0,
        20.0,
        5.0,
    )
    return pool_store


def test_a_killed_machine_job_runs_again_within_a_minute(
    defaults: JobStore, workers: WorkerPool
) -> None:
    doomed = workers.start()
    job = service.submit("sleep", {"seconds": 4.0, "steps": 40})
    wait_for(lambda: running_on(defaults, job.id, doomed.nodename), 30, workers)

    doomed.kill()
    killed_at = time.monotonic()
    survivor = workers.start()
    wait_for(lambda: defaults.get(job.id).finished, MINUTE, workers)

    assert time.monotonic() - killed_at < MINUTE
    done = defaults.get(job.id)
    assert (done.status, done.attempts, done.worker) == (
        JobStatus.SUCCEEDED,
        2,
        survivor.nodename,
    )
    assert result_counts(defaults) == {job.id: 1}


def test_a_killed_pool_process_job_is_queued_again_within_ten_seconds(
    defaults: JobStore, workers: WorkerPool
) -> None:
    worker = workers.start()
    job = service.submit("sleep", {"seconds": 2.0, "steps": 20})
    wait_for(lambda: running_on(defaults, job.id, worker.nodename), 30, workers)
    [pool_process] = worker.pool_processes()

    os.kill(pool_process, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: defaults.get(job.id).attempts == 2, 10, workers)

    assert time.monotonic() - killed_at < 10
    wait_for(lambda: defaults.get(job.id).finished, 30, workers)
    done = defaults.get(job.id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 2), done.error
    assert result_counts(defaults) == {job.id: 1}


def test_jobs_whose_messages_a_flush_lost_run_within_a_minute(
    defaults: JobStore, workers: WorkerPool, redis_url: str
) -> None:
    workers.start()
    blocker = service.submit("sleep", {"seconds": 3.0, "steps": 30})
    job_ids = service.submit_many("echo", [{"scale": float(i + 1)} for i in range(5)])
    wait_for(lambda: defaults.get(blocker.id).status == JobStatus.RUNNING, 30, workers)

    redis.Redis.from_url(redis_url).flushdb()
    flushed_at = time.monotonic()
    wait_for(lambda: all(defaults.get(i).finished for i in job_ids), MINUTE, workers)

    assert time.monotonic() - flushed_at < MINUTE
    jobs = [defaults.get(job_id) for job_id in [blocker.id, *job_ids]]
    assert [(job.status, job.attempts) for job in jobs] == [(JobStatus.SUCCEEDED, 1)] * 6
    assert [job.summary["total"] for job in jobs[1:]] == [6.0 * (i + 1) for i in range(5)]
    assert set(result_counts(defaults)) == {blocker.id, *job_ids}


def test_a_job_beyond_its_memory_cap_fails_and_the_worker_serves_on(
    defaults: JobStore, workers: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLVERQ_MAX_JOB_MEMORY", str(200 * 2**20))
    worker = workers.start()
    processes = worker.pool_processes()
    hog = service.submit("explode", {"kind": "memory"})
    after = service.submit("echo", {"values": [4.0, 5.0]})
    wait_for(lambda: defaults.get(after.id).finished, 30, workers)

    failed = defaults.get(hog.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 1)
    assert failed.error.startswith("out of memory: the job needed more than 209,715,200 bytes")
    assert defaults.get(after.id).summary["total"] == 9.0
    assert worker.pool_processes() == processes


def test_exact_integers_beyond_the_digit_limit_are_stored_by_a_worker(
    defaults: JobStore, workers: WorkerPool
) -> None:
    workers.start()
    factor = 10**2200 + 1
    job = service.submit("convolution", {"a": [factor], "b": [factor, -1]})
    wait_for(lambda: defaults.get(job.id).finished, 30, workers)

    done = defaults.get(job.id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1), done.error
    assert defaults.result_arrays(job.id)["output"].tolist() == [factor**2, -factor]
