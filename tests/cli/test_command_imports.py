"""Each command imports what it uses, when it uses it: run in a fresh interpreter, `solverq
--help`, `solverq list` and a small embedded `solverq submit` leave out of `sys.modules` the
packages their code paths never need (the broker's, the dashboard's, plotting, migrations,
SQLAlchemy's ORM, the PostgreSQL dialect on SQLite). This guards start-up time without timing
anything: one of these imports coming back shows here as its module's name."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from solverq.worker.store import open_database
from solverq.worker.store.models import SCHEMA_REVISION

SCRIPT = """
import json, sys
from solverq.cli.main import main

output, sys.argv = sys.argv[1], ["solverq", *sys.argv[2:]]
try:
    main()
except SystemExit as exit:
    if exit.code:
        raise
with open(output, "w") as file:
    json.dump(sorted(sys.modules), file)
"""
"""Runs `solverq ARGUMENTS...` (after the output file's path), then writes the names of the
modules imported to that file."""

NEVER = (
    "celery",
    "kombu",
    "billiard",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "pandas",
    "sqlalchemy.orm",
)
"""Not needed by a command line that neither starts a worker nor serves nor plots; the store
needs SQLAlchemy Core alone."""

UNNEEDED = {
    "help": (*NEVER, "alembic", "sqlalchemy", "numpy", "scipy", "pydantic", "solverq.worker.store"),
    "list": (
        *NEVER,
        "alembic",
        "scipy",
        "sqlalchemy.dialects.postgresql",
        "solverq.worker.service",
        "solverq.worker.execution",
        "solverq.worker.heartbeat",
    ),
    "submit": (*NEVER, "alembic", "scipy", "sqlalchemy.dialects.postgresql"),
}
"""What each command must not import, beside `NEVER`: `list` does not import what runs jobs;
an embedded job of the convolution plugin runs on numpy alone; a store at the current revision
is opened without Alembic."""

ARGUMENTS = {
    "help": ["--help"],
    "list": ["list"],
    "submit": ["submit", "convolution", "-p", "a=[1, 2]", "-p", "b=[1]", "--wait"],
}


def imported(arguments: list[str], database_url: str, folder: Path) -> set[str]:
    """The modules a fresh `solverq ARGUMENTS` process had imported when it finished."""
    output = folder / "modules.json"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SOLVERQ_BROKER_URL", "SOLVERQ_TIME_LIMIT")
    }
    environment["SOLVERQ_DATABASE_URL"] = database_url
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(output), *arguments],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(output.read_text()))


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An embedded SQLite store at the current revision, holding one job for `list` to show."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'solverq.db'}"
    assert open_database(url).schema_revision() == SCHEMA_REVISION
    return url


@pytest.mark.parametrize("command", list(ARGUMENTS))
def test_a_command_imports_only_what_it_uses(
    command: str, database_url: str, tmp_path: Path
) -> None:
    if command == "list":
        imported(ARGUMENTS["submit"], database_url, tmp_path)  # a job, so that its row is shown
    modules = imported(ARGUMENTS[command], database_url, tmp_path)
    assert "solverq.cli.main" in modules
    unneeded = {
        module
        for module in modules
        for package in UNNEEDED[command]
        if module == package or module.startswith(f"{package}.")
    }
    assert not unneeded, f"solverq {command} imported {sorted(unneeded)}"


def test_the_check_sees_the_imports_a_command_makes(database_url: str, tmp_path: Path) -> None:
    modules = imported(ARGUMENTS["submit"], database_url, tmp_path)
    assert {"numpy", "sqlalchemy", "solverq.worker.execution"} <= modules
