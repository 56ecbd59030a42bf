"""An embedded `solverq submit` stopped by a signal: SIGTERM and SIGHUP as Ctrl-C (the job is
cancelled), SIGKILL (the job is shown lost once its heartbeat is stale)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solverq.worker.store import JobStatus, JobStore, open_database

SOLVERQ = Path(sys.executable).with_name("solverq")


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch, sqlite_url: str, test_plugins) -> JobStore:
    """Embedded mode on a SQLite file, heartbeats every 0.25 s, stale after 1 s; its store."""
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    monkeypatch.setenv("SOLVERQ_HEARTBEAT_INTERVAL", "0.25")
    monkeypatch.setenv("SOLVERQ_STALE_AFTER", "1")
    return JobStore(open_database(sqlite_url))


def start_sleeping_job(store: JobStore) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [str(SOLVERQ), "submit", "sleep", "-p", "seconds=60", "-p", "steps=600", "--wait"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = store.list(status=JobStatus.RUNNING)
        if running:
            return process, running[0].id
        time.sleep(0.1)
    process.kill()
    pytest.fail("the job did not start")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_cancels_the_job_as_ctrl_c_does(embedded: JobStore, number) -> None:
    process, job_id = start_sleeping_job(embedded)
    process.send_signal(number)
    process.wait(timeout=10)
    assert process.returncode != 0
    job = embedded.get(job_id)
    assert (job.status, job.error) == (JobStatus.CANCELLED, "interrupted")


def test_a_job_whose_process_was_killed_is_shown_lost(embedded: JobStore, solverq) -> None:
    process, job_id = start_sleeping_job(embedded)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert embedded.get(job_id).status is JobStatus.RUNNING
    time.sleep(1.5)
    record = json.loads(solverq("status", job_id, "--json").stdout)
    assert record["status"] == "failed"
    assert record["error"] == "lost: the process running it stopped (no heartbeat for 1 s)"
    [listed] = json.loads(solverq("list", "--json").stdout)
    assert listed["status"] == "failed"
