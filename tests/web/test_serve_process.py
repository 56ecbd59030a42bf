"""`solverq serve` without a broker, in a process of its own: a pool process killed with SIGKILL
is replaced, its job shown failed at once, and the next jobs run; requests addressed to another
host name are refused."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solverq.worker.store import JobStore, open_database
from tests.web.test_browser import serving

RECOVERY_TIMEOUT = 10.0
"""Seconds within which the job of a killed pool process shows as failed (its heartbeat goes
stale only after 20 s)."""


@pytest.fixture
def open_server(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, test_plugins: Path, tmp_path: Path
) -> Iterator[str]:
    """`solverq serve` on loopback without a token; its base URL."""
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    monkeypatch.delenv("SOLVERQ_API_TOKEN", raising=False)
    JobStore(open_database(sqlite_url))
    with serving(tmp_path) as base:
        yield base


def call(url: str, body: dict[str, Any] | None = None, **headers: str) -> tuple[int, Any]:
    """The status and JSON answer of a GET, or of a POST of `body`."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **headers}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def job_when(base: str, job_id: str, done: Any, timeout: float) -> dict[str, Any]:
    """The job once `done(job)` holds; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done(job := call(f"{base}/api/jobs/{job_id}")[1]):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def has_finished(job: dict[str, Any]) -> bool:
    return job["status"] not in ("queued", "running")


def test_a_killed_pool_process_is_replaced(open_server: str) -> None:
    sleeping = {"plugin": "sleep", "params": {"seconds": 60, "steps": 600}}
    status, job = call(f"{open_server}/api/jobs", sleeping)
    assert status == 201
    running = job_when(open_server, job["id"], lambda job: job["status"] == "running", 60)
    pid = int(running["worker"].removeprefix("local-"))
    os.kill(pid, signal.SIGKILL)
    lost = job_when(open_server, job["id"], has_finished, RECOVERY_TIMEOUT)
    assert lost["status"] == "failed"
    assert lost["error"] == "lost: the process running it stopped (was killed by SIGKILL)"
    assert not Path(f"/proc/{pid}").exists()
    status, echo = call(f"{open_server}/api/jobs", {"plugin": "echo", "params": {"scale": 2}})
    assert status == 201
    finished = job_when(open_server, echo["id"], has_finished, 60)
    assert finished["status"] == "succeeded" and finished["summary"]["total"] == 12.0


def test_requests_to_another_host_name_are_refused(open_server: str) -> None:
    rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
    body = {"plugin": "echo", "params": {"scale": 2}}
    status, answer = call(f"{open_server}/api/jobs", body, **rebound)
    assert status == 400 and "answers only to 127.0.0.1" in answer["detail"]
    assert call(f"{open_server}/api/jobs", Host="evil.example")[0] == 400
    status, listed = call(f"{open_server}/api/jobs")
    assert status == 200 and listed["jobs"] == []
