"""The stores the settings (by default, the environment) name."""

from __future__ import annotations

from solverq.worker.settings import Settings
from solverq.worker.store.database import open_database
from solverq.worker.store.job_store import JobStore


def job_store(settings: Settings | None = None) -> JobStore:
    """The job store the settings (by default, the environment) name."""
    settings = settings or Settings.from_environment()
    return JobStore(open_database(settings.database_url))
