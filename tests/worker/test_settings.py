"""Settings from the environment: defaults, bounds, and what must agree."""

from __future__ import annotations

import os

import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.worker.settings import HARD_TIME_LIMIT_GRACE, Settings

VARIABLES = [
    "SOLVERQ_BROKER_URL",
    "SOLVERQ_QUEUE",
    "SOLVERQ_TIME_LIMIT",
    "SOLVERQ_MAX_TIME_LIMIT",
    "SOLVERQ_HEARTBEAT_INTERVAL",
    "SOLVERQ_STALE_AFTER",
    "SOLVERQ_REQUEUE_AFTER",
    "SOLVERQ_REAP_INTERVAL",
    "SOLVERQ_MAX_ATTEMPTS",
    "SOLVERQ_DIRECT_STATEMENTS",
    "SOLVERQ_MAX_INPUT_BYTES",
    "SOLVERQ_MAX_JOB_MEMORY",
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", "sqlite:///unused.db")
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_defaults(environment: pytest.MonkeyPatch) -> None:
    settings = Settings.from_environment()
    assert settings.embedded and settings.queue == "solverq"
    assert (settings.time_limit, settings.max_time_limit) == (3600.0, 86400.0)
    assert (settings.heartbeat_interval, settings.stale_after) == (5.0, 20.0)
    assert (settings.requeue_after, settings.reap_interval, settings.max_attempts) == (600, 5, 3)
    assert settings.max_job_memory is None
    assert settings.direct_statements


def test_the_input_limit_is_an_eighth_of_memory_up_to_512_mib(
    environment: pytest.MonkeyPatch,
) -> None:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert Settings.from_environment().max_input_bytes == min(memory // 8, 512 * 2**20)
    environment.setenv("SOLVERQ_MAX_INPUT_BYTES", "1000")
    environment.setenv("SOLVERQ_MAX_JOB_MEMORY", "2000000000")
    settings = Settings.from_environment()
    assert (settings.max_input_bytes, settings.max_job_memory) == (1000, 2_000_000_000)
    environment.setenv("SOLVERQ_MAX_JOB_MEMORY", "lots")
    with pytest.raises(RejectedRequest, match="SOLVERQ_MAX_JOB_MEMORY must be a positive whole"):
        Settings.from_environment()


def test_recovery_is_configured_in_seconds(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("SOLVERQ_BROKER_URL", "redis://broker:6379/0")
    environment.setenv("SOLVERQ_QUEUE", "gpu")
    environment.setenv("SOLVERQ_HEARTBEAT_INTERVAL", "0.5")
    environment.setenv("SOLVERQ_STALE_AFTER", "2")
    environment.setenv("SOLVERQ_REQUEUE_AFTER", "3")
    environment.setenv("SOLVERQ_REAP_INTERVAL", "1")
    environment.setenv("SOLVERQ_MAX_ATTEMPTS", "5")
    environment.setenv("SOLVERQ_DIRECT_STATEMENTS", "0")
    settings = Settings.from_environment()
    assert not settings.direct_statements
    assert not settings.embedded and settings.queue == "gpu"
    assert (settings.heartbeat_interval, settings.stale_after) == (0.5, 2.0)
    assert (settings.requeue_after, settings.reap_interval, settings.max_attempts) == (3, 1, 5)


def test_the_visibility_timeout_outlasts_the_longest_job(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("SOLVERQ_TIME_LIMIT", "100")
    environment.setenv("SOLVERQ_MAX_TIME_LIMIT", "100")
    settings = Settings.from_environment()
    assert settings.visibility_timeout > settings.max_time_limit + HARD_TIME_LIMIT_GRACE


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOLVERQ_STALE_AFTER", "0", "SOLVERQ_STALE_AFTER must be a positive number of seconds"),
        ("SOLVERQ_REAP_INTERVAL", "soon", "SOLVERQ_REAP_INTERVAL must be a positive number"),
        ("SOLVERQ_REQUEUE_AFTER", "inf", "SOLVERQ_REQUEUE_AFTER must be a positive number"),
        ("SOLVERQ_MAX_ATTEMPTS", "0", "SOLVERQ_MAX_ATTEMPTS must be a positive whole number"),
        ("SOLVERQ_MAX_ATTEMPTS", "2.5", "SOLVERQ_MAX_ATTEMPTS must be a positive whole number"),
        ("SOLVERQ_STALE_AFTER", "9", "SOLVERQ_STALE_AFTER (9 s) must be at least twice"),
        ("SOLVERQ_MAX_TIME_LIMIT", "60", "SOLVERQ_TIME_LIMIT (3600 s) is longer than"),
        ("SOLVERQ_DIRECT_STATEMENTS", "off", "SOLVERQ_DIRECT_STATEMENTS must be 0 (off) or 1 (on)"),
    ],
)
def test_bad_values_are_refused_clearly(
    environment: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    environment.setenv(variable, value)
    with pytest.raises(RejectedRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_environment()
