"""Fixtures of the worker-pool tests: the environment of a pool on a fresh PostgreSQL schema and
the test Redis database, with recovery in seconds, and `solverq worker` processes that are always
killed at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from solverq.worker.store import JobStore, open_database
from tests.worker.pool import FAST_RECOVERY, WorkerPool


@pytest.fixture
def pool_store(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, test_plugins: Path
) -> JobStore:
    """The environment of a worker pool on a fresh PostgreSQL schema and the test Redis
    database, with recovery in seconds; its job store, migrated.

    Its connections carry an application name of their own, so that a test can drop exactly
    them."""
    url = f"{postgres_url}&application_name=solverq_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", url)
    monkeypatch.setenv("SOLVERQ_BROKER_URL", redis_url)
    monkeypatch.delenv("SOLVERQ_TIME_LIMIT", raising=False)
    monkeypatch.setenv("SOLVERQ_QUEUE", f"solverq-test-{uuid.uuid4().hex[:12]}")
    for variable, value in FAST_RECOVERY.items():
        monkeypatch.setenv(variable, value)
    database = open_database(url, ensure_schema=False)
    database.upgrade()
    return JobStore(database)


@pytest.fixture
def workers(pool_store: JobStore, tmp_path: Path) -> Iterator[WorkerPool]:
    """Start workers with `workers.start(concurrency)`; all are killed after the test."""
    pool = WorkerPool(tmp_path)
    try:
        yield pool
    finally:
        pool.kill_all()
