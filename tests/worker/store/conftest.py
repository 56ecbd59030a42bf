"""The store's tests run on SQLite, and on PostgreSQL both ways a worker's per-job statements may
run: straight on psycopg's connection (the default) and through SQLAlchemy's engine."""

from __future__ import annotations

import pytest

from solverq.worker.store import Database, JobStore, open_database
from solverq.worker.store.database import MIGRATIONS

BACKENDS = {
    "sqlite": ("sqlite_url", True),
    "postgresql": ("postgres_url", True),
    "postgresql-engine": ("postgres_url", False),
}


@pytest.fixture(params=list(BACKENDS))
def store(request: pytest.FixtureRequest) -> JobStore:
    """A job store on a migrated fresh database, on each backend and path in turn."""
    url_fixture, direct_statements = BACKENDS[request.param]
    url = request.getfixturevalue(url_fixture)
    database = open_database(url, ensure_schema=False, direct_statements=direct_statements)
    database.upgrade()
    return JobStore(database)


def database_at(url: str, revision: str) -> Database:
    """A fresh database migrated up to `revision` only, to test the migrations after it."""
    from alembic import command
    from alembic.config import Config

    database = open_database(url, ensure_schema=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return database
