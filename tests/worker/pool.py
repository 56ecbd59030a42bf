"""`solverq worker` processes for the tests, each in a process group of its own so that it can
be killed whole, and ways to wait for what they do."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import redis
from sqlalchemy import func, select

from solverq.cli.worker import node_name
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.models import JOB_RESULTS

SOLVERQ = Path(sys.executable).with_name("solverq")
FAST_RECOVERY = {
    "SOLVERQ_HEARTBEAT_INTERVAL": "0.25",
    "SOLVERQ_STALE_AFTER": "2",
    "SOLVERQ_REAP_INTERVAL": "0.5",
    "SOLVERQ_REQUEUE_AFTER": "3",
    "SOLVERQ_MAX_ATTEMPTS": "3",
}
T = TypeVar("T")


class WorkerProcess:
    """One `solverq worker` in a process group of its own; its log is a file."""

    def __init__(self, concurrency: int, log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [str(SOLVERQ), "worker", "--concurrency", str(concurrency)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.process.pid

    @property
    def nodename(self) -> str:
        """The name the worker records in the rows of the jobs it claims."""
        return node_name(self.pid, socket.gethostname())

    def pool_processes(self) -> list[int]:
        """The pids of the worker's pool processes."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def wait_ready(self, timeout: float = 30.0) -> None:
        wait_for(lambda: "ready." in self.log.read_text(errors="replace"), timeout, self.log)

    def kill(self) -> None:
        """SIGKILL the whole process group (main process and pool processes)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


class WorkerPool:
    """Starts workers for a test, and kills them all when it ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workers: list[WorkerProcess] = []

    def start(self, concurrency: int = 1, *, wait: bool = True) -> WorkerProcess:
        """A new worker, once it is ready unless `wait` is false."""
        worker = WorkerProcess(concurrency, self.folder / f"worker-{len(self.workers)}.log")
        self.workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    def start_ready(self, count: int, concurrency: int = 1) -> list[WorkerProcess]:
        """`count` new workers, started at once, once all are ready."""
        started = [self.start(concurrency, wait=False) for _ in range(count)]
        for worker in started:
            worker.wait_ready()
        return started

    def logs(self) -> str:
        return "\n".join(f"--- {worker.log.name}\n{_tail(worker.log)}" for worker in self.workers)

    def kill_all(self) -> None:
        for worker in self.workers:
            worker.kill()


def wait_for(condition: Callable[[], T], timeout: float, log: Path | WorkerPool) -> T:
    """Poll `condition` until it returns something true; fail with the workers' logs."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = log.logs() if isinstance(log, WorkerPool) else _tail(log)
            pytest.fail(f"not done within {timeout} s; worker logs:\n{logs}")
        time.sleep(0.1)


def result_counts(store: JobStore) -> dict[str, int]:
    """How many result rows each job has."""
    with store.database.transaction() as connection:
        rows = connection.execute(
            select(JOB_RESULTS.c.job_id, func.count()).group_by(JOB_RESULTS.c.job_id)
        ).all()
    return dict(rows)


def running_on(store: JobStore, job_id: str, nodename: str) -> bool:
    """True while the job runs on the worker `nodename`."""
    job = store.get(job_id)
    return job.status == JobStatus.RUNNING and job.worker == nodename


def lose_messages(broker: redis.Redis, queue: str) -> int:
    """Delete what Redis holds for `queue` (its waiting messages, the unacknowledged ones and its
    bindings), as a flush or a restart without persistence does; the number of messages lost."""
    lost = broker.llen(queue)
    for tag, entry in broker.hgetall("unacked").items():
        if json.loads(entry)[2] == queue:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)
            lost += 1
    broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    return lost


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
