"""Fixtures of the web tests: the application over a fresh store (on SQLite and PostgreSQL in
turn), with the embedded jobs run at once in this process so that a test sees their outcome."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from solverq.web.app import create_app
from solverq.worker.execution import run_in_turn
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore

TOKEN = "s3cret-token"
BASE_URL = "http://127.0.0.1:8000"
"""Where the test client sends its requests: a loopback host, as a browser on this machine."""


def app_client(store: JobStore, token: str | None = None) -> TestClient:
    settings = replace(Settings.from_environment(), api_token=token)

    def run_now(job_ids: Sequence[str]) -> None:
        run_in_turn(store, job_ids, settings=settings)

    return TestClient(create_app(settings, runner=run_now), base_url=BASE_URL)


@pytest.fixture
def client(solverq_env: JobStore, test_plugins: Path) -> Iterator[TestClient]:
    """The application without a token, its jobs run as they are submitted."""
    with app_client(solverq_env) as test_client:
        yield test_client


@pytest.fixture
def guarded(solverq_env: JobStore, test_plugins: Path) -> Iterator[TestClient]:
    """The application with the token `TOKEN`."""
    with app_client(solverq_env, TOKEN) as test_client:
        yield test_client
