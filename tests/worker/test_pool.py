"""The worker pool against the real Redis and PostgreSQL, with `solverq worker` processes:
no job lost, none run twice, whatever happens to a worker, the broker or the database."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from solverq.cli.main import app
from solverq.worker import service
from solverq.worker.queue import enqueue
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.recovery import QueuedJob
from tests.worker.pool import WorkerPool, lose_messages, result_counts, running_on, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RECOVERY_TIMEOUT = 60.0


def finished(store: JobStore, job_ids: list[str]) -> bool:
    return all(store.get(job_id).finished for job_id in job_ids)


def test_many_jobs_on_several_workers_each_run_once(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    workers.start_ready(2, concurrency=2)
    param_sets = [{"values": [float(i), 1.0], "scale": 2.0} for i in range(60)]
    job_ids = service.submit_many("echo", param_sets)
    settings = Settings.from_environment()
    enqueue([QueuedJob(job_id, settings.queue, None) for job_id in job_ids], settings)

    wait_for(lambda: finished(pool_store, job_ids), RECOVERY_TIMEOUT, workers)

    jobs = [pool_store.get(job_id) for job_id in job_ids]
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED] * 60
    assert [job.attempts for job in jobs] == [1] * 60
    assert [job.summary["total"] for job in jobs] == [2.0 * (i + 1.0) for i in range(60)]
    assert set(result_counts(pool_store)) == set(job_ids)
    assert {job.worker for job in jobs} == {worker.nodename for worker in workers.workers}


def test_a_killed_worker_job_is_finished_by_another_worker(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    doomed = workers.start()
    job = service.submit("sleep", {"seconds": 3.0, "steps": 30})
    wait_for(lambda: running_on(pool_store, job.id, doomed.nodename), 30, workers)

    os.kill(doomed.pid, signal.SIGKILL)
    survivor = workers.start()
    wait_for(lambda: pool_store.get(job.id).finished, RECOVERY_TIMEOUT, workers)

    done = pool_store.get(job.id)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2
    assert done.worker == survivor.nodename
    assert result_counts(pool_store) == {job.id: 1}


def test_a_killed_pool_process_job_is_run_again(pool_store: JobStore, workers: WorkerPool) -> None:
    worker = workers.start()
    job = service.submit("sleep", {"seconds": 1.5, "steps": 15})
    wait_for(lambda: running_on(pool_store, job.id, worker.nodename), 30, workers)
    [pool_process] = worker.pool_processes()

    os.kill(pool_process, signal.SIGKILL)
    wait_for(lambda: pool_store.get(job.id).finished, RECOVERY_TIMEOUT, workers)

    done = pool_store.get(job.id)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2
    assert pool_process not in worker.pool_processes()
    assert result_counts(pool_store) == {job.id: 1}


def test_jobs_queued_when_redis_loses_its_messages_still_finish(
    pool_store: JobStore, workers: WorkerPool, redis_url: str
) -> None:
    workers.start()
    blocker = service.submit("sleep", {"seconds": 1.0, "steps": 10})
    job_ids = service.submit_many("echo", [{"scale": float(i + 1)} for i in range(10)])
    broker = redis.Redis.from_url(redis_url)

    assert lose_messages(broker, Settings.from_environment().queue) == 11
    wait_for(lambda: finished(pool_store, [blocker.id, *job_ids]), RECOVERY_TIMEOUT, workers)

    jobs = [pool_store.get(job_id) for job_id in [blocker.id, *job_ids]]
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED] * 11
    assert set(result_counts(pool_store)) == {blocker.id, *job_ids}


def test_workers_recover_when_database_connections_are_dropped(
    pool_store: JobStore, workers: WorkerPool, postgres_server: str
) -> None:
    workers.start_ready(2)
    job_ids = service.submit_many("sleep", [{"seconds": 0.4, "steps": 4}] * 16)
    application = pool_store.database.engine.url.query["application_name"]
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    dropped = 0
    deadline = time.monotonic() + 4.0
    with admin.connect() as connection:
        while time.monotonic() < deadline:
            dropped += connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": application},
            ).scalar_one()
            time.sleep(0.3)
    admin.dispose()

    wait_for(lambda: finished(pool_store, job_ids), RECOVERY_TIMEOUT, workers)

    assert dropped > 0
    jobs = [pool_store.get(job_id) for job_id in job_ids]
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED] * 16, [j.error for j in jobs]
    assert set(result_counts(pool_store)) == set(job_ids)


def test_failed_timed_out_and_cancelled_jobs_leave_the_worker_serving(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    workers.start()
    crash = service.submit("explode", {"kind": "crash"})
    failure = service.submit("explode", {"kind": "fail"})
    overrun = service.submit("sleep", {"seconds": 60.0, "steps": 600}, time_limit=1.0)
    cancelled = service.submit("sleep", {"seconds": 60.0, "steps": 600})
    wait_for(lambda: pool_store.get(cancelled.id).status == JobStatus.RUNNING, 30, workers)
    service.cancel(cancelled.id)
    after = service.submit("echo", {"values": [4.0, 5.0]})

    wait_for(lambda: pool_store.get(after.id).finished, 30, workers)

    assert pool_store.get(crash.id).error == "plugin explode raised RuntimeError: boom"
    assert pool_store.get(failure.id).error == "diverged at x = 0.5"
    timed_out = pool_store.get(overrun.id)
    assert (timed_out.status, timed_out.error) == (
        JobStatus.FAILED,
        "job exceeded its time limit of 1 s",
    )
    stopped = pool_store.get(cancelled.id)
    assert (stopped.status, stopped.error) == (JobStatus.CANCELLED, "cancelled")
    assert stopped.progress < 0.5
    served = pool_store.get(after.id)
    assert (served.status, served.summary["total"]) == (JobStatus.SUCCEEDED, 9.0)


def test_submit_wait_follows_a_job_run_by_a_worker(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    worker = workers.start()
    runner = CliRunner()

    ran = runner.invoke(app, ["submit", "sleep", "-p", "seconds=0.5", "--wait", "--json"])
    failed = runner.invoke(app, ["submit", "explode", "-p", "kind=fail", "--wait"])

    assert ran.exit_code == 0, ran.output
    assert '"status": "succeeded"' in ran.stdout
    assert f'"worker": "{worker.nodename}"' in ran.stdout
    assert failed.exit_code == 1
    assert failed.stderr.strip().endswith("failed: diverged at x = 0.5")
