"""Configuration from the environment.

- ``SOLVERQ_DATABASE_URL``: the job store (default: a SQLite file in the user's data directory).
- ``SOLVERQ_BROKER_URL``: the Celery broker, e.g. ``redis://127.0.0.1:6379/0``. Unset means
  embedded mode: a submitted job runs in the submitting process.
- ``SOLVERQ_QUEUE``: the broker queue jobs are submitted to and workers serve (default
  ``solverq``).
- ``SOLVERQ_TIME_LIMIT``: the default time limit of a job in seconds (default 3600).
- ``SOLVERQ_MAX_TIME_LIMIT``: the longest time limit a job may ask for (default 86400); the
  broker's visibility timeout is set longer than it.
- ``SOLVERQ_API_TOKEN``: the bearer token `solverq serve` asks of every request (default: none,
  which it allows only on a loopback address).
- ``SOLVERQ_MAX_INPUT_BYTES``: the most bytes the input arrays of a job may take (default an
  eighth of the machine's memory, at most 512 MiB: a job's inputs are held in memory a few times
  over, and stored as one database value, which SQLite and PostgreSQL cap at 1 GB).
- ``SOLVERQ_MAX_JOB_MEMORY``: the most bytes of memory a running job may take beyond what its
  process had when it started (default: no cap); a job that needs more fails with "out of
  memory" (`solverq.worker.memory_cap`).

The worker pool's recovery (all in seconds, except the attempt count):

- ``SOLVERQ_HEARTBEAT_INTERVAL``: how often a running job writes its heartbeat (default 5).
- ``SOLVERQ_STALE_AFTER``: a running job whose heartbeat is older than this is presumed lost with
  its worker and is re-queued (default 20, four missed heartbeats; at least twice the heartbeat
  interval).
- ``SOLVERQ_REQUEUE_AFTER``: a job queued longer than this is published again whatever the
  broker holds, in case it lost the message in a way its counts do not show (default 600; a
  duplicate message is harmless, it finds the job taken).
- ``SOLVERQ_REAP_INTERVAL``: how often each worker looks for such jobs, and compares the jobs
  queued in the database with the messages the broker holds (default 5).
- ``SOLVERQ_MAX_ATTEMPTS``: how many times a job may be started before a lost worker fails it
  (default 3).

- ``SOLVERQ_DIRECT_STATEMENTS``: 1 (the default) runs a worker's per-job statements on PostgreSQL
  straight on psycopg's connection (`solverq.worker.store.direct`); 0 runs them through
  SQLAlchemy's engine like every other statement.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from solverq.plugins.errors import RejectedRequest

DEFAULT_QUEUE = "solverq"
DEFAULT_TIME_LIMIT = 3600.0
DEFAULT_MAX_TIME_LIMIT = 86400.0
DEFAULT_HEARTBEAT_INTERVAL = 5.0
DEFAULT_STALE_AFTER = 20.0
DEFAULT_REQUEUE_AFTER = 600.0
DEFAULT_REAP_INTERVAL = 5.0
DEFAULT_MAX_ATTEMPTS = 3
MAX_DEFAULT_INPUT_BYTES = 512 * 2**20
HARD_TIME_LIMIT_GRACE = 10.0
"""Seconds a job may run past its time limit to stop cleanly before its process is killed."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str | None
    time_limit: float
    queue: str = DEFAULT_QUEUE
    max_time_limit: float = DEFAULT_MAX_TIME_LIMIT
    heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL
    stale_after: float = DEFAULT_STALE_AFTER
    requeue_after: float = DEFAULT_REQUEUE_AFTER
    reap_interval: float = DEFAULT_REAP_INTERVAL
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    direct_statements: bool = True
    api_token: str | None = field(default=None, repr=False)
    max_input_bytes: int = MAX_DEFAULT_INPUT_BYTES
    max_job_memory: int | None = None

    @classmethod
    def from_environment(cls) -> Settings:
        database_url = os.environ.get("SOLVERQ_DATABASE_URL") or default_database_url()
        broker_url = os.environ.get("SOLVERQ_BROKER_URL") or None
        settings = cls(
            database_url=normalise_database_url(database_url),
            broker_url=broker_url,
            time_limit=_positive_float("SOLVERQ_TIME_LIMIT", DEFAULT_TIME_LIMIT),
            queue=os.environ.get("SOLVERQ_QUEUE") or DEFAULT_QUEUE,
            max_time_limit=_positive_float("SOLVERQ_MAX_TIME_LIMIT", DEFAULT_MAX_TIME_LIMIT),
            heartbeat_interval=_positive_float(
                "SOLVERQ_HEARTBEAT_INTERVAL", DEFAULT_HEARTBEAT_INTERVAL
            ),
            stale_after=_positive_float("SOLVERQ_STALE_AFTER", DEFAULT_STALE_AFTER),
            requeue_after=_positive_float("SOLVERQ_REQUEUE_AFTER", DEFAULT_REQUEUE_AFTER),
            reap_interval=_positive_float("SOLVERQ_REAP_INTERVAL", DEFAULT_REAP_INTERVAL),
            max_attempts=_positive_int("SOLVERQ_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS),
            direct_statements=_switch("SOLVERQ_DIRECT_STATEMENTS", default=True),
            api_token=os.environ.get("SOLVERQ_API_TOKEN") or None,
            max_input_bytes=_positive_int("SOLVERQ_MAX_INPUT_BYTES", default_max_input_bytes()),
            max_job_memory=_optional_positive_int("SOLVERQ_MAX_JOB_MEMORY"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that contradict each other."""
        if self.time_limit > self.max_time_limit:
            raise RejectedRequest(
                f"SOLVERQ_TIME_LIMIT ({self.time_limit:g} s) is longer than "
                f"SOLVERQ_MAX_TIME_LIMIT ({self.max_time_limit:g} s)"
            )
        if self.stale_after < 2 * self.heartbeat_interval:
            raise RejectedRequest(
                f"SOLVERQ_STALE_AFTER ({self.stale_after:g} s) must be at least twice "
                f"SOLVERQ_HEARTBEAT_INTERVAL ({self.heartbeat_interval:g} s)"
            )

    @property
    def embedded(self) -> bool:
        """True when jobs run in the submitting process (no broker configured)."""
        return self.broker_url is None

    @property
    def visibility_timeout(self) -> float:
        """Seconds the broker waits for an unacknowledged message before delivering it again.

        A message is acknowledged once its job ended; it may first wait in a worker's prefetch
        buffer for as long as one job runs, hence twice the longest run.
        """
        return 2 * (self.max_time_limit + HARD_TIME_LIMIT_GRACE)

    def job_time_limit(self, time_limit: float | None) -> float:
        """The time limit of a job: its own, or the default."""
        return time_limit if time_limit is not None else self.time_limit


def physical_memory() -> int | None:
    """The machine's memory in bytes, where the platform tells."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def default_max_input_bytes() -> int:
    """An eighth of the machine's memory, at most `MAX_DEFAULT_INPUT_BYTES`."""
    memory = physical_memory()
    return MAX_DEFAULT_INPUT_BYTES if memory is None else min(memory // 8, MAX_DEFAULT_INPUT_BYTES)


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
    if not value > 0 or value == float("inf"):
        raise RejectedRequest(f"{variable} must be a positive number of seconds, got '{text}'")
    return value


def _positive_int(variable: str, default: int) -> int:
    value = _optional_positive_int(variable)
    return default if value is None else value


def _optional_positive_int(variable: str) -> int | None:
    text = os.environ.get(variable)
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise RejectedRequest(f"{variable} must be a positive whole number, got '{text}'")
    return value


def _switch(variable: str, *, default: bool) -> bool:
    text = os.environ.get(variable)
    if not text:
        return default
    if text not in ("0", "1"):
        raise RejectedRequest(f"{variable} must be 0 (off) or 1 (on), got '{text}'")
    return text == "1"
