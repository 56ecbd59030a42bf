"""Provenance and reuse with a worker pool on the real Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from solverq.worker import service
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.sweep_service import start_sweep
from tests.worker.pool import WorkerPool, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TIMEOUT = 60.0


def test_workers_record_provenance_and_reuse_applies(
    pool_store: JobStore, workers: WorkerPool
) -> None:
    [worker] = workers.start_ready(1)
    first = service.submit_job("echo", {"scale": 2.0}, reuse=True)
    again = service.submit_job("echo", {"scale": 2.0}, reuse=True)
    assert again.reused and again.job.id == first.job.id
    wait_for(lambda: pool_store.get(first.job.id).finished, TIMEOUT, workers)
    job = pool_store.get(first.job.id)
    assert job.status is JobStatus.SUCCEEDED
    assert job.provenance["worker"] == worker.nodename == job.worker
    assert job.provenance["plugin"]["distribution"] == "solverq-testplugins"
    grown = start_sweep("echo", {"scale": [2.0, 3.0]}, reuse=True)
    assert grown.reused == {0: job.id} and list(grown.created) == [1]
    wait_for(lambda: pool_store.get(grown.created[1]).finished, TIMEOUT, workers)
    assert len(pool_store.list(limit=None)) == 2
