"""The worker pool against plain Celery: throughput, latency and 10,000 tiny jobs.

Tiny jobs (a convolution of 8 by 3 numbers) go through Redis and PostgreSQL to one `solverq
worker` with 2 pool processes; plain Celery no-op tasks go through the same Redis to a Celery
worker with the same settings and the same pool (prefork, 2 processes). Reported:

- jobs per second for both, from the first submission to the last stored outcome (or, for the
  no-op tasks, to the last acknowledgement), and their ratio (goal: at least 0.6). Both workers
  stay up and the two kinds of batches alternate, round after round, so that a change in the
  machine's load hits both alike; the medians over the rounds are reported;
- the CPU time each process spent per task or job in those batches, by role (the submitting
  process, the worker's main and pool processes, PostgreSQL, Redis; read from /proc, so on
  Linux): on two cores the rate is set by their sum, not by the worker's share alone;
- the latency from submitting a job to its stored outcome, p50 and p95, for jobs submitted one
  at a time at a pace the pool keeps up with;
- the time to submit (one transaction, one broker connection) and finish 10,000 tiny jobs;
- a sweep of N tiny jobs (default 10,000; `--sweep-jobs`), which goes to the workers in chunks,
  from the start of its submission to its last stored outcome, against as many no-op tasks,
  alternating, several times (`--sweep-rounds`): jobs per second and their ratio, medians
  (goal: at least 1.5). `--sweep-only` measures this row alone.

The end of a run of jobs is read from the stored `finished_at` times, so that watching the
database does not slow down what it measures.

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
from datetime import datetime
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, func, select, text

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from process_cpu import CpuMeter, roles_of_worker  # noqa: E402

from solverq.worker import service, sweep_service  # noqa: E402
from solverq.worker.settings import Settings  # noqa: E402
from solverq.worker.store import JobStore, open_database  # noqa: E402
from solverq.worker.store.database import close_databases  # noqa: E402
from solverq.worker.store.models import JOBS, utcnow  # noqa: E402

POSTGRES_URL = os.environ.get(
    "SOLVERQ_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SOLVERQ_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TINY_JOB = {"a": [1, 2, 3, 4, 5, 6, 7, 8], "b": [1.0, -1.0, 0.5]}
PROCESSES = 2
WARM_UP = 50
NOOP_QUEUE = "noop"


def wait_until(condition: Callable[[], bool], poll: float, timeout: float = 3600.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done within {timeout} s")
        time.sleep(poll)


@contextmanager
def worker_process(
    command: list[str], environment: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker in a process group of its own, once ready; the group is killed afterwards."""
    paths = [str(BENCH), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths)), **environment}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 0.1, timeout=60)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
def postgres_store() -> Iterator[JobStore]:
    """A job store on a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        database = open_database(
            f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", ensure_schema=False
        )
        database.upgrade()
        yield JobStore(database)
    finally:
        close_databases()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def noop_seconds(broker: redis.Redis, count: int) -> float:
    """Seconds from publishing `count` no-op tasks to the last acknowledgement."""
    from noop_tasks import app

    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task("noop", args=[uuid.uuid4().hex], queue=NOOP_QUEUE, producer=producer)
    wait_until(lambda: broker.llen(NOOP_QUEUE) == 0 and broker.hlen("unacked") == 0, 0.002)
    return time.perf_counter() - started


def job_seconds(store: JobStore, settings: Settings, count: int) -> tuple[float, float]:
    """Seconds from submitting `count` jobs at once (one transaction, one broker connection) to
    the submission's end and to the last stored outcome."""
    started = utcnow()
    job_ids = service.submit_many("convolution", [TINY_JOB] * count, settings=settings)
    submitted = (utcnow() - started).total_seconds()
    last = last_finished(store, JOBS.c.id.in_(job_ids), count, poll=max(0.2, count / 5000))
    return submitted, (last - started).total_seconds()


def sweep_seconds(store: JobStore, settings: Settings, count: int) -> float:
    """Seconds from submitting a sweep of `count` tiny jobs (each point a different first
    number of `a`) to its last stored outcome."""
    grid = {"a": [[index, *TINY_JOB["a"][1:]] for index in range(count)]}
    started = utcnow()
    sweep = sweep_service.submit_sweep("convolution", grid, {"b": TINY_JOB["b"]}, settings=settings)
    last = last_finished(store, JOBS.c.sweep_id == sweep.id, count, poll=max(0.05, count / 20000))
    return (last - started).total_seconds()


def last_finished(store: JobStore, batch: Any, count: int, poll: float) -> datetime:
    """When the last of the `count` jobs that `batch` selects finished, once all have; raises
    when any did not succeed."""

    def done() -> bool:
        with store.database.transaction() as connection:
            unfinished = select(func.count()).where(batch, JOBS.c.finished_at.is_(None))
            return connection.scalar(unfinished) == 0

    wait_until(done, poll=poll)
    with store.database.transaction() as connection:
        last = connection.scalar(select(func.max(JOBS.c.finished_at)).where(batch))
        failed = connection.scalar(select(func.count()).where(batch, JOBS.c.status != "succeeded"))
    if failed:
        raise RuntimeError(f"{failed} of the {count} jobs did not succeed")
    return last


def latencies(store: JobStore, settings: Settings, count: int, rate: float) -> list[float]:
    """Submit-to-stored seconds of `count` jobs submitted one at a time, `rate` per second."""
    job_ids = []
    for _ in range(count):
        job_ids.append(service.submit("convolution", TINY_JOB, settings=settings).id)
        time.sleep(1 / rate)
    wait_until(lambda: store.get(job_ids[-1]).finished, 0.1)
    jobs = [store.get(job_id) for job_id in job_ids]
    return [(job.finished_at - job.created_at).total_seconds() for job in jobs]


def print_cpu_per_job(noop: dict[str, float], jobs: dict[str, float], count: int) -> None:
    """Milliseconds of CPU per task or job, by role, of the throughput batches."""
    print(f"CPU per task or job, by process, over the {count} of each kind:")
    print(f"  {'process':<24} {'no-op task':>11} {'solverq job':>12}")
    for role in dict.fromkeys([*noop, *jobs]):
        noop_ms, job_ms = (1000 * used.get(role, 0.0) / count for used in (noop, jobs))
        print(f"  {role:<24} {noop_ms:8.2f} ms {job_ms:9.2f} ms")
    noop_ms, job_ms = (1000 * sum(used.values()) / count for used in (noop, jobs))
    print(f"  {'all':<24} {noop_ms:8.2f} ms {job_ms:9.2f} ms")


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per throughput batch")
    parser.add_argument("--rounds", type=int, default=5, help="batches of each kind")
    parser.add_argument("--latency-jobs", type=int, default=200, help="jobs timed one by one")
    parser.add_argument("--rate", type=float, default=20.0, help="their submissions per second")
    parser.add_argument("--many", type=int, default=10_000, help="jobs of the end-to-end run")
    parser.add_argument("--sweep-jobs", type=int, default=10_000, help="jobs of each sweep")
    parser.add_argument("--sweep-rounds", type=int, default=3, help="sweeps (and no-op runs)")
    parser.add_argument("--sweep-only", action="store_true", help="measure the sweep row alone")
    options = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="solverq-bench-"))
    print(f"tiny job: convolution {TINY_JOB}; {PROCESSES} pool processes; logs in {logs}")
    pool = ["--concurrency", str(PROCESSES), "--pool", "prefork", "--loglevel", "INFO"]

    os.environ["BENCH_BROKER_URL"] = REDIS_URL
    celery = [sys.executable, "-m", "celery", "-A", "noop_tasks", "worker", "-Q", NOOP_QUEUE]
    celery += [*pool, "--without-mingle", "--without-gossip"]
    solverq = [str(Path(sys.executable).with_name("solverq")), "worker", *pool[:2]]
    with redis_database() as broker, postgres_store() as store:
        settings = Settings(database_url=store.database.url, broker_url=REDIS_URL, time_limit=60.0)
        environment = {
            "SOLVERQ_DATABASE_URL": settings.database_url,
            "SOLVERQ_BROKER_URL": REDIS_URL,
        }
        with (
            worker_process(celery, {}, logs / "noop.log") as noop_worker,
            worker_process(solverq, environment, logs / "solverq.log") as solverq_worker,
        ):
            noop_seconds(broker, WARM_UP)
            job_seconds(store, settings, WARM_UP)
            sweep_seconds(store, settings, WARM_UP)
            sweep_noop_rates, sweep_rates = [], []
            for _ in range(options.sweep_rounds):
                count = options.sweep_jobs
                sweep_noop_rates.append(count / noop_seconds(broker, count))
                sweep_rates.append(count / sweep_seconds(store, settings, count))
            if not options.sweep_only:
                noop_rates, job_rates = [], []
                noop_cpu = CpuMeter(roles_of_worker(noop_worker.pid))
                job_cpu = CpuMeter(roles_of_worker(solverq_worker.pid))
                for _ in range(options.rounds):
                    with noop_cpu.measuring():
                        noop_rates.append(options.jobs / noop_seconds(broker, options.jobs))
                    with job_cpu.measuring():
                        _, finished = job_seconds(store, settings, options.jobs)
                    job_rates.append(options.jobs / finished)
                timed = latencies(store, settings, options.latency_jobs, options.rate)
                submitted, finished = job_seconds(store, settings, options.many)

    ratios = [job / noop for job, noop in zip(sweep_rates, sweep_noop_rates, strict=True)]
    rounds = f"median of {options.sweep_rounds} runs of {options.sweep_jobs}"
    print(f"plain Celery no-op tasks: {statistics.median(sweep_noop_rates):7.1f} per s ({rounds})")
    print(f"solverq sweep, in chunks: {statistics.median(sweep_rates):7.1f} per s ({rounds})")
    print(
        f"ratio sweep / Celery:     {statistics.median(ratios):7.2f} (goal: at least 1.5; "
        f"by round: {', '.join(f'{ratio:.2f}' for ratio in ratios)})"
    )
    if options.sweep_only:
        return
    ratios = [job / noop for job, noop in zip(job_rates, noop_rates, strict=True)]
    rounds = f"median of {options.rounds} batches of {options.jobs}"
    print(f"plain Celery no-op tasks: {statistics.median(noop_rates):7.1f} per s ({rounds})")
    print(f"solverq tiny jobs:        {statistics.median(job_rates):7.1f} per s ({rounds})")
    print(
        f"ratio solverq / Celery:   {statistics.median(ratios):7.2f} (goal: at least 0.6; "
        f"by round: {', '.join(f'{ratio:.2f}' for ratio in ratios)})"
    )
    print_cpu_per_job(noop_cpu.used, job_cpu.used, options.rounds * options.jobs)
    print(
        f"submit-to-stored latency ({options.latency_jobs} jobs, {options.rate:g} per s): "
        f"p50 {1000 * percentile(timed, 0.5):.1f} ms, p95 {1000 * percentile(timed, 0.95):.1f} ms"
    )
    print(
        f"{options.many} tiny jobs: submitted in {submitted:.2f} s, all stored after "
        f"{finished:.2f} s ({options.many / finished:.1f} jobs per s)"
    )


if __name__ == "__main__":
    main()
