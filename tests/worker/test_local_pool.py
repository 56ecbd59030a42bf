"""The pool of local processes that runs a server's embedded jobs."""

from __future__ import annotations

import os
import time

import pytest

from solverq.worker import service
from solverq.worker.local_pool import STOP_TIMEOUT, STOPPED_REASON, LocalPool
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus


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
    children = list(pool._children)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < STOP_TIMEOUT + 3
    assert not any(child.is_alive() for child in children)
    stopped = solverq_env.get(running.id)
    assert stopped.status is JobStatus.CANCELLED and stopped.error == STOPPED_REASON


def test_a_pool_needs_a_process(solverq_env) -> None:
    with pytest.raises(ValueError, match="at least one process"):
        LocalPool(Settings.from_environment(), processes=0)
