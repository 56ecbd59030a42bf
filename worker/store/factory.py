"""The stores the settings (by default, the environment) name."""

from __future__ import annotations

from solverq.worker.settings import Settings
from solverq.worker.store.database import Database, open_database
from solverq.worker.store.job_store import JobStore
from solverq.worker.store.sweep_store import SweepStore


def configured_database(settings: Settings) -> Database:
    """The process's `Database` for the settings' URL, run as the settings say."""
    return open_database(settings.database_url, direct_statements=settings.direct_statements)


def job_store(settings: Settings | None = None) -> JobStore:
    """The job store the settings (by default, the environment) name."""
    settings = settings or Settings.from_environment()
    return JobStore(configured_database(settings))


def sweep_store(settings: Settings | None = None) -> SweepStore:
    """The sweep store the settings (by default, the environment) name."""
    settings = settings or Settings.from_environment()
    return SweepStore(configured_database(settings))
