"""`solverq worker`, and submitting to the workers' queues."""

from __future__ import annotations

import json

import pytest
import redis


def test_a_worker_needs_a_broker(solverq, solverq_env) -> None:
    result = solverq("worker")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: solverq worker needs a broker: set SOLVERQ_BROKER_URL, "
        "e.g. redis://127.0.0.1:6379/0\n"
    )


def test_a_worker_needs_the_schema(solverq, monkeypatch, postgres_url) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("SOLVERQ_BROKER_URL", "redis://127.0.0.1:6379/9")
    result = solverq("worker", "--concurrency", "1")
    assert result.exit_code == 2
    assert "has no solverq schema; run `solverq db upgrade`" in result.stderr


def test_a_worker_refuses_bad_settings(solverq, solverq_env, monkeypatch) -> None:
    monkeypatch.setenv("SOLVERQ_BROKER_URL", "redis://127.0.0.1:6379/9")
    monkeypatch.setenv("SOLVERQ_MAX_ATTEMPTS", "none")
    result = solverq("worker")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: SOLVERQ_MAX_ATTEMPTS must be a positive whole number")


@pytest.mark.redis
def test_submit_publishes_to_the_named_queue(
    solverq, solverq_env, monkeypatch, redis_url, test_plugins
) -> None:
    monkeypatch.setenv("SOLVERQ_BROKER_URL", redis_url)
    submitted = solverq("submit", "echo", "-p", "scale=2", "--queue", "gpu", "--json")
    assert submitted.exit_code == 0, submitted.output
    job = json.loads(submitted.stdout)
    assert (job["status"], job["queue"], job["worker"]) == ("queued", "gpu", None)
    assert redis.Redis.from_url(redis_url).llen("gpu") == 1
    cancelled = solverq("cancel", job["id"])
    assert cancelled.exit_code == 0
    assert solverq_env.get(job["id"]).status.value == "cancelled"
