"""Fixtures shared by the whole suite: databases on SQLite and PostgreSQL, the environment of
a command, and third-party plugin distributions installed by putting them on the path.

The PostgreSQL and Redis servers are the real ones named by ``SOLVERQ_TEST_POSTGRES_URL`` and
``SOLVERQ_TEST_REDIS_URL``. Without them the tests that need them are skipped, unless
``SOLVERQ_REQUIRE_SERVICES=1`` (as in CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from solverq.plugins.registry import reset
from solverq.worker.store import JobStore, open_database
from solverq.worker.store.database import close_databases

POSTGRES_URL = os.environ.get(
    "SOLVERQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SOLVERQ_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
DISTRIBUTIONS = Path(__file__).parent / "fixtures" / "dists"


def require_service(name: str, reason: str) -> None:
    """Skip the test when a service is missing, or fail when the services are required."""
    message = f"{name} is not available: {reason}"
    if os.environ.get("SOLVERQ_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL URL, once it answered."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        require_service("PostgreSQL", str(error).splitlines()[0])
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{separator}options=-csearch_path%3D{schema}"
    close_databases()
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database, answering and empty; emptied again afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        require_service("Redis", str(error))
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'solverq.db'}"
    close_databases()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on each backend in turn."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param]
    return request.getfixturevalue(fixture)


@pytest.fixture
def store(database_url: str) -> JobStore:
    """A job store on a migrated fresh database, on each backend in turn."""
    database = open_database(database_url, ensure_schema=False)
    database.upgrade()
    return JobStore(database)


@pytest.fixture
def solverq_env(monkeypatch: pytest.MonkeyPatch, store: JobStore) -> JobStore:
    """The environment of a command in embedded mode, pointing at `store`'s database."""
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", store.database.url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    monkeypatch.delenv("SOLVERQ_TIME_LIMIT", raising=False)
    return store


def install_distribution(monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """Make the distribution in ``tests/fixtures/dists/NAME`` importable and discoverable."""
    folder = DISTRIBUTIONS / name
    monkeypatch.syspath_prepend(str(folder))
    paths = [str(folder), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, paths)))
    reset()
    return folder


@pytest.fixture
def test_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The `echo`, `sleep`, `explode` and `invert` plugins of a fake third-party distribution."""
    folder = install_distribution(monkeypatch, "testplugins")
    yield folder
    reset()
