"""The worker pool against plain Celery: throughput, latency and 10,000 tiny jobs.

Tiny jobs (a convolution of 8 by 3 numbers) go through Redis and PostgreSQL to one `solverq
worker` with 2 pool processes; plain Celery no-op tasks go through the same Redis to a Celery
worker with the same settings and the same pool (prefork, 2 processes). Reported:

- jobs per second for both, from the first submission to the last stored outcome (or, for the
  no-op tasks, to the last acknowledgement), and their ratio (goal: at least 0.5);
- the latency from submitting a job to its stored outcome, p50 and p95, for jobs submitted one
  at a time at a pace the pool keeps up with;
- the time to submit (one transaction, one broker connection) and finish 10,000 tiny jobs.

Run from the repository: ``.venv/bin/python bench/workers.py``. It needs the PostgreSQL server
of ``SOLVERQ_BENCH_POSTGRES_URL`` (it creates and drops a schema of its own) and the Redis
database of ``SOLVERQ_BENCH_REDIS_URL`` (default db 11, which it empties before and after: give
it a database nothing else uses).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugins.registry import discover  # noqa: E402
from worker import service  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.store import JobStatus, JobStore, open_database  # noqa: E402
from worker.store.database import close_databases  # noqa: E402
from worker.store.models import Job  # noqa: E402

POSTGRES_URL = os.environ.get(
    "SOLVERQ_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SOLVERQ_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TEST_PLUGINS = ROOT / "tests" / "fixtures" / "dists" / "testplugins"
PROCESSES = 2
WARM_UP = 50
FINISHED = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED]


def tiny_job() -> tuple[str, dict]:
    """A tiny convolution, or the `echo` test plugin where `convolution` is not installed."""
    if "convolution" in discover():
        return "convolution", {"a": [1, 2, 3, 4, 5, 6, 7, 8], "b": [1.0, -1.0, 0.5]}
    sys.path.insert(0, str(TEST_PLUGINS))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TEST_PLUGINS), *sys.path[:1]]))
    discover.cache_clear()
    return "echo", {"values": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]}


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        close_databases()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def redis_database() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@contextmanager
def worker_process(command: list[str], environment: dict[str, str], log: Path) -> Iterator[None]:
    """A worker in a process group of its own, ready; the group is killed afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 60)
        yield
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(condition: Callable[[], bool], timeout: float, poll: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done within {timeout} s")
        time.sleep(poll)


def finished_count(store: JobStore) -> int:
    with store.database.session() as session:
        return session.scalar(select(func.count()).where(Job.status.in_(FINISHED)))


def run_jobs(store: JobStore, settings: Settings, plugin: str, params: dict, count: int) -> float:
    """Seconds from submitting `count` jobs at once to the last stored outcome."""
    before = finished_count(store)
    started = time.perf_counter()
    service.submit_many(plugin, [params] * count, settings=settings)
    wait_until(lambda: finished_count(store) >= before + count, 3600, poll=0.02)
    return time.perf_counter() - started


def latencies(
    store: JobStore, settings: Settings, plugin: str, params: dict, count: int, rate: float
) -> list[float]:
    """Submit-to-stored seconds of `count` jobs submitted one at a time, `rate` per second."""
    job_ids = []
    for _ in range(count):
        job_ids.append(service.submit(plugin, params, settings=settings).id)
        time.sleep(1 / rate)
    wait_until(lambda: all(store.get(job_id).finished for job_id in job_ids), 600, poll=0.05)
    jobs = [store.get(job_id) for job_id in job_ids]
    assert all(job.status is JobStatus.SUCCEEDED for job in jobs), "a job failed"
    return [(job.finished_at - job.created_at).total_seconds() for job in jobs]


def run_noop_tasks(broker: redis.Redis, count: int) -> float:
    """Seconds from publishing `count` no-op tasks to the last acknowledgement."""
    from noop_tasks import app

    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task("noop", args=[uuid.uuid4().hex], queue="noop", producer=producer)
    wait_until(lambda: broker.llen("noop") == 0 and broker.hlen("unacked") == 0, 3600)
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per throughput run")
    parser.add_argument("--latency-jobs", type=int, default=200, help="jobs timed one by one")
    parser.add_argument("--rate", type=float, default=20.0, help="their submissions per second")
    parser.add_argument("--many", type=int, default=10_000, help="jobs of the end-to-end run")
    options = parser.parse_args()
    plugin, params = tiny_job()
    folder = Path(tempfile.mkdtemp(prefix="solverq-bench-"))
    print(f"tiny job: {plugin} {params}; {PROCESSES} pool processes; logs in {folder}")

    os.environ["BENCH_BROKER_URL"] = REDIS_URL
    sys.path.insert(0, str(Path(__file__).parent))
    celery = [sys.executable, "-m", "celery", "-A", "noop_tasks", "worker", "-Q", "noop"]
    pool = ["--concurrency", str(PROCESSES), "--pool", "prefork", "--loglevel", "INFO"]
    quiet = ["--without-mingle", "--without-gossip"]
    with redis_database() as broker:
        paths = os.pathsep.join(
            filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])
        )
        with worker_process(celery + pool + quiet, {"PYTHONPATH": paths}, folder / "noop.log"):
            run_noop_tasks(broker, WARM_UP)
            noop_seconds = run_noop_tasks(broker, options.jobs)

    with redis_database(), postgres_schema() as database_url:
        settings = Settings(database_url=database_url, broker_url=REDIS_URL, time_limit=3600.0)
        database = open_database(database_url, ensure_schema=False)
        database.upgrade()
        store = JobStore(database)
        environment = {"SOLVERQ_DATABASE_URL": database_url, "SOLVERQ_BROKER_URL": REDIS_URL}
        solverq = [str(Path(sys.executable).with_name("solverq")), "worker"]
        with worker_process(
            solverq + ["--concurrency", str(PROCESSES)], environment, folder / "solverq.log"
        ):
            run_jobs(store, settings, plugin, params, WARM_UP)
            job_seconds = run_jobs(store, settings, plugin, params, options.jobs)
            timed = latencies(store, settings, plugin, params, options.latency_jobs, options.rate)
            submit_started = time.perf_counter()
            before = finished_count(store)
            service.submit_many(plugin, [params] * options.many, settings=settings)
            submitted = time.perf_counter() - submit_started
            wait_until(lambda: finished_count(store) >= before + options.many, 3600, poll=0.05)
            many_seconds = time.perf_counter() - submit_started

    noop_rate = options.jobs / noop_seconds
    job_rate = options.jobs / job_seconds
    print(
        f"plain Celery no-op tasks: {noop_rate:8.1f} per s ({options.jobs} in {noop_seconds:.2f} s)"
    )
    print(
        f"solverq tiny jobs:        {job_rate:8.1f} per s ({options.jobs} in {job_seconds:.2f} s)"
    )
    print(f"ratio solverq / Celery:   {job_rate / noop_rate:8.2f} (goal: at least 0.5)")
    print(
        f"submit-to-stored latency at {options.rate:g} jobs/s: "
        f"p50 {1000 * percentile(timed, 0.5):.1f} ms, p95 {1000 * percentile(timed, 0.95):.1f} ms"
    )
    print(
        f"{options.many} tiny jobs: submitted in {submitted:.2f} s, all stored after "
        f"{many_seconds:.2f} s ({options.many / many_seconds:.1f} jobs/s)"
    )


if __name__ == "__main__":
    main()
