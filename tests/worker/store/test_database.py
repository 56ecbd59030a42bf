import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store import open_database
from solverq.worker.store.database import MIGRATIONS, Database, redacted
from solverq.worker.store.models import SCHEMA_REVISION, full_metadata


def test_schema_revision_names_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_migrations_create_exactly_the_models(store) -> None:
    with store.database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, full_metadata()) == []


def test_upgrade_is_idempotent(store) -> None:
    store.database.upgrade()
    assert store.database.schema_revision() == SCHEMA_REVISION


def test_the_embedded_sqlite_database_is_created_on_first_use(tmp_path) -> None:
    path = tmp_path / "new" / "dir" / "solverq.db"
    database = open_database(f"sqlite:///{path}")
    assert path.exists()
    assert database.schema_revision() == SCHEMA_REVISION


def test_postgresql_without_the_schema_asks_for_an_upgrade(postgres_url) -> None:
    database = Database(postgres_url)
    with pytest.raises(RejectedRequest, match="has no solverq schema; run `solverq db upgrade`"):
        database.ensure_schema()
    database.dispose()


def test_passwords_are_hidden() -> None:
    assert redacted("postgresql+psycopg://user:secret@db/solverq") == (
        "postgresql+psycopg://user:***@db/solverq"
    )


def test_a_schema_from_a_newer_solverq_is_refused_clearly(store) -> None:
    with store.database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for attempt in (store.database.ensure_schema, store.database.upgrade):
        with pytest.raises(RejectedRequest, match="is at revision 9999, which this version"):
            attempt()


def test_processes_starting_on_a_new_sqlite_file_at_once_all_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solverq = Path(sys.executable).with_name("solverq")
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh' / 'solverq.db'}")
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    command = [str(solverq), "submit", "convolution", "-p", "a=[1,2]", "-p", "b=[3,4]", "--wait"]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    outcomes = [process.communicate(timeout=120) for process in processes]
    errors = [
        stderr
        for (_, stderr), process in zip(outcomes, processes, strict=True)
        if process.returncode
    ]
    assert errors == []
    assert all("succeeded" in stdout for stdout, _ in outcomes)
