"""Configuration from the environment.

- ``SOLVERQ_DATABASE_URL``: the job store (default: a SQLite file in the user's data directory).
- ``SOLVERQ_BROKER_URL``: the Celery broker, e.g. ``redis://127.0.0.1:6379/0``. Unset means
  embedded mode: a submitted job runs in the submitting process.
- ``SOLVERQ_TIME_LIMIT``: the default time limit of a job in seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plugins.errors import RejectedRequest

DEFAULT_TIME_LIMIT = 3600.0


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str | None
    time_limit: float

    @classmethod
    def from_environment(cls) -> Settings:
        database_url = os.environ.get("SOLVERQ_DATABASE_URL") or default_database_url()
        broker_url = os.environ.get("SOLVERQ_BROKER_URL") or None
        return cls(
            database_url=normalise_database_url(database_url),
            broker_url=broker_url,
            time_limit=_positive_float("SOLVERQ_TIME_LIMIT", DEFAULT_TIME_LIMIT),
        )

    @property
    def embedded(self) -> bool:
        """True when jobs run in the submitting process (no broker configured)."""
        return self.broker_url is None


def data_directory() -> Path:
    """Where the embedded database lives (the platform's per-user data directory)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("solverq", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_directory() / 'solverq.db'}"


def normalise_database_url(url: str) -> str:
    """Plain PostgreSQL URLs use the psycopg 3 driver."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _positive_float(variable: str, default: float) -> float:
    text = os.environ.get(variable)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise RejectedRequest(f"{variable} must be a positive number of seconds, got '{text}'")
    return value
