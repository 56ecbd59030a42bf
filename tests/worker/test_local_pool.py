"""The pool of local processes that runs a server's embedded jobs."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from solverq.worker import service
from solverq.worker.local_pool import LOST_REASON, STOP_TIMEOUT, STOPPED_REASON, LocalPool
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus, JobStore

RECOVERY_TIMEOUT = 10.0
"""Seconds within which a job of a killed pool process shows as failed: well under the
heartbeat's `SOLVERQ_STALE_AFTER` (20 s), after which any reader would show it lost anyway."""


@pytest.fixture
def pool(solverq_env, test_plugins):
    pool = LocalPool(Settings.from_environment(), processes=2)
    yield pool
    pool.close()


def test_jobs_run_side_by_side_in_other_processes(pool, solverq_env) -> None:
    settings = Settings.from_environment()
    jobs = [
        service.submit("sleep", {"seconds": 1.5, "steps": 5}, settings=settings, runner=pool.run)
        for _ in range(2)
    ]
    echoed = service.submit("echo", {"scale": 2}, settings=settings, runner=pool.run)
    assert all(job.status is JobStatus.QUEUED for job in [*jobs, echoed])
    first, second, echoed = (service.wait(job.id, timeout=60) for job in [*jobs, echoed])
    assert echoed.status is JobStatus.SUCCEEDED and echoed.summary["total"] == 12.0
    assert first.status is second.status is JobStatus.SUCCEEDED
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    workers = {first.worker, second.worker}
    assert len(workers) == 2 and f"local-{os.getpid()}" not in workers


def test_closing_cancels_what_did_not_finish(pool, solverq_env) -> None:
    settings = Settings.from_environment()
    running = service.submit(
        "sleep", {"seconds": 60, "steps": 600}, settings=settings, runner=pool.run
    )
    deadline = time.monotonic() + 60
    while solverq_env.get(running.id).status is JobStatus.QUEUED:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    children = [child.process for child in pool._children]
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < STOP_TIMEOUT + 3
    assert not any(child.is_alive() for child in children)
    stopped = solverq_env.get(running.id)
    assert stopped.status is JobStatus.CANCELLED and stopped.error == STOPPED_REASON


def test_a_pool_needs_a_process(solverq_env) -> None:
    with pytest.raises(ValueError, match="at least one process"):
        LocalPool(Settings.from_environment(), processes=0)


def started(store: JobStore, job_id: str) -> JobRecord:
    """The job once a pool process has claimed it."""
    deadline = time.monotonic() + 60
    while (job := store.get(job_id)).status is JobStatus.QUEUED:
        assert time.monotonic() < deadline, "no pool process took the job"
        time.sleep(0.1)
    return job


def reaped(pid: int) -> bool:
    """Whether the process is gone, not even left as a zombie."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_killed_process_is_replaced_and_its_job_fails_as_lost(solverq_env, test_plugins) -> None:
    settings = Settings.from_environment()
    pool = LocalPool(settings, processes=1)
    try:
        job = service.submit(
            "sleep", {"seconds": 60, "steps": 600}, settings=settings, runner=pool.run
        )
        waiting = service.submit("echo", {"scale": 3}, settings=settings, runner=pool.run)
        running = started(solverq_env, job.id)
        pid = int(running.worker.removeprefix("local-"))
        os.kill(pid, signal.SIGKILL)
        lost = service.wait(job.id, timeout=RECOVERY_TIMEOUT)
        assert lost.status is JobStatus.FAILED
        assert lost.error == f"{LOST_REASON} (was killed by SIGKILL)"
        echoed = service.wait(waiting.id, timeout=60)
        assert echoed.status is JobStatus.SUCCEEDED and echoed.summary["total"] == 18.0
        assert echoed.worker != running.worker
        assert reaped(pid)
    finally:
        pool.close()


def test_processes_killed_while_idle_are_replaced(pool, solverq_env) -> None:
    settings = Settings.from_environment()
    warm = service.submit("echo", {"scale": 1}, settings=settings, runner=pool.run)
    assert service.wait(warm.id, timeout=60).status is JobStatus.SUCCEEDED
    pids = [child.pid for child in multiprocessing.active_children()]
    assert len(pids) == 2
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert all(reaped(pid) for pid in pids)
    jobs = [
        service.submit("echo", {"scale": scale}, settings=settings, runner=pool.run)
        for scale in (1, 2, 3)
    ]
    finished = [service.wait(job.id, timeout=60) for job in jobs]
    assert [job.status for job in finished] == [JobStatus.SUCCEEDED] * 3
    assert {int(job.worker.removeprefix("local-")) for job in finished}.isdisjoint(pids)
