"""`solverq info` and `solverq db`: where solverq keeps its data, and its schema."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from solverq.cli.output import key_value_table, print_json, stdout

db_app = typer.Typer(help="Manage the job database.")


def info(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show the version, the database, the broker and the installed plugins."""
    from importlib.metadata import version

    from solverq.plugins.registry import discover
    from solverq.worker.settings import Settings, data_directory
    from solverq.worker.store.database import redacted

    settings = Settings.from_environment()
    details: dict[str, Any] = {
        "version": version("solverq"),
        "database": redacted(settings.database_url),
        "broker": settings.broker_url and redacted(settings.broker_url),
        "mode": "embedded" if settings.embedded else "workers",
        "data_directory": str(data_directory()),
        "time_limit": settings.time_limit,
        "plugins": list(discover()),
    }
    if as_json:
        print_json(details)
    else:
        details["broker"] = details["broker"] or "none (jobs run in the submitting process)"
        details["plugins"] = ", ".join(details["plugins"])
        stdout.print(key_value_table("solverq", details))


@db_app.command("upgrade")
def upgrade() -> None:
    """Apply the schema migrations to the database (SOLVERQ_DATABASE_URL)."""
    from solverq.worker.settings import Settings
    from solverq.worker.store import open_database
    from solverq.worker.store.database import redacted

    settings = Settings.from_environment()
    database = open_database(settings.database_url, ensure_schema=False)
    database.upgrade()
    typer.echo(f"{redacted(settings.database_url)} is at revision {database.schema_revision()}")
