"""The dashboard and the API with 10,000 stored jobs, on SQLite and on PostgreSQL.

10,000 finished sgd jobs (parameters and summaries as the plugin stores them, result arrays of
a few kilobytes; some failed, some in sweeps, created over 30 days) are written straight to a
fresh database; `solverq serve`'s application then runs under uvicorn on a loopback port and
each page or API call below is asked for ROUNDS times over one kept-alive connection, as a
browser would. Reported: the median and 95th percentile of the answer time (goal: a median
under 100 ms for the jobs page, GET /api/jobs and a job page, sorted by a metric or not).

Run from the repository: ``.venv/bin/python bench/web.py``. PostgreSQL is the server of
``SOLVERQ_BENCH_POSTGRES_URL``, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import uvicorn
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from solverq.plugins.arrays import encode_arrays  # noqa: E402
from solverq.web.app import create_app  # noqa: E402
from solverq.worker.settings import Settings  # noqa: E402
from solverq.worker.store import open_database  # noqa: E402
from solverq.worker.store.database import close_databases  # noqa: E402
from solverq.worker.store.metrics import summary_metrics  # noqa: E402
from solverq.worker.store.models import (  # noqa: E402
    JOB_METRICS,
    JOB_RESULTS,
    JOBS,
    SWEEPS,
    JobStatus,
    utcnow,
)

POSTGRES_URL = os.environ.get(
    "SOLVERQ_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
JOB_COUNT = 10_000
SWEEP_SIZE = 20
SWEEP_COUNT = 100
ROUNDS = 40
GOAL_MS = 100.0
BATCH = 1_000


def sgd_params(rng: random.Random) -> dict:
    return {
        "data": "franke", "n": 100, "coefficients": [1.0, 2.0, 3.0], "noise": 0.1,
        "seed": rng.randrange(10), "degree": rng.randrange(1, 8), "intercept": True,
        "model": "ridge", "lambda": rng.choice([1e-4, 1e-3, 1e-2]), "optimizer": "adam",
        "batch_size": 32, "momentum": 0.9, "rho": 0.9, "beta1": 0.9, "beta2": 0.999,
        "epsilon": 1e-8, "eta": rng.choice([0.001, 0.01, 0.1]), "schedule": "constant",
        "t1": 50.0, "epochs": 1000, "tol": 1e-8, "gradient": "analytic",
    }  # fmt: skip


def sgd_summary(rng: random.Random) -> dict:
    return {
        "theta": [rng.gauss(0, 1) for _ in range(21)],
        "theta_closed_form": [rng.gauss(0, 1) for _ in range(21)],
        "mse": rng.lognormvariate(-3, 1), "r2": rng.random(), "mse_closed_form": 0.02,
        "r2_closed_form": 0.7, "eta": 0.01, "lambda_max": 3.8, "epochs": 1000,
        "converged": rng.random() < 0.5, "status": "converged", "gradient_norm": rng.random(),
    }  # fmt: skip


def fill(url: str) -> str:
    """Store the jobs; the id of one of them."""
    rng = random.Random(1)
    database = open_database(url, ensure_schema=False)
    database.upgrade()
    arrays = encode_arrays({"mse_history": np.linspace(1, 0, 500), "theta": np.ones(21)})
    info = {
        "mse_history": {"shape": [500], "dtype": "float64"},
        "theta": {"shape": [21], "dtype": "float64"},
    }
    now = utcnow()
    sweeps = [uuid.uuid4().hex for _ in range(SWEEP_COUNT)]
    with database.engine.begin() as connection:
        connection.execute(
            insert(SWEEPS),
            [
                {"id": sweep_id, "plugin": "sgd", "grid": [["eta", [0.1]]], "params": {},
                 "created_at": now}
                for sweep_id in sweeps
            ],
        )  # fmt: skip
        for start in range(0, JOB_COUNT, BATCH):
            jobs, results = [], []
            for index in range(start, start + BATCH):
                created = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
                failed = rng.random() < 0.05
                in_sweep = index < SWEEP_COUNT * SWEEP_SIZE
                job_id = uuid.uuid4().hex
                jobs.append({
                    "id": job_id, "plugin": "sgd", "params": sgd_params(rng),
                    "status": JobStatus.FAILED if failed else JobStatus.SUCCEEDED,
                    "error": "diverged: eta 0.1 above 2/lambda_max" if failed else None,
                    "created_at": created, "started_at": created,
                    "finished_at": created + timedelta(seconds=rng.uniform(0.01, 5)),
                    "attempts": 1, "progress": 1.0, "progress_message": "done",
                    "sweep_id": sweeps[index // SWEEP_SIZE] if in_sweep else None,
                    "sweep_point": index % SWEEP_SIZE if in_sweep else None,
                })  # fmt: skip
                if not failed:
                    results.append(
                        {"job_id": job_id, "summary": sgd_summary(rng), "array_info": info,
                         "arrays": arrays}
                    )  # fmt: skip
            metrics = [
                {"job_id": result["job_id"], "key": key, "value": value}
                for result in results
                for key, value in summary_metrics(result["summary"]).items()
            ]
            connection.execute(insert(JOBS), jobs)
            connection.execute(insert(JOB_RESULTS), results)
            connection.execute(insert(JOB_METRICS), metrics)
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return jobs[-1]["id"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(url: str) -> Iterator[int]:
    """The application over `url` under uvicorn in a thread; its port."""
    settings = replace(Settings.from_environment(), database_url=url, api_token=None)
    app = create_app(settings, runner=lambda job_ids: None)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join()


def timed(port: int, path: str) -> list[float]:
    """Milliseconds for each of ROUNDS answers to GET `path` (after one to warm up)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(ROUNDS + 1):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status, body[:200])
    connection.close()
    return times[1:]


def measure(name: str, url: str) -> None:
    started = time.perf_counter()
    job_id = fill(url)
    print(f"\n{name}: {JOB_COUNT} jobs stored in {time.perf_counter() - started:.1f} s")
    paths = [
        ("jobs page", "/jobs"),
        ("GET /api/jobs", "/api/jobs"),
        ("jobs page, sorted by mse", "/jobs?sort=mse"),
        ("GET /api/jobs?sort=-mse", "/api/jobs?sort=-mse"),
        ("jobs page, failed", "/jobs?status=failed"),
        ("jobs page, plugin + where", "/jobs?plugin=sgd&where=lambda%3D0.001"),
        ("jobs page, 100 per page", "/jobs?limit=100"),
        ("jobs page, page 100", "/jobs?offset=4950"),
        ("job page", f"/jobs/{job_id}"),
        ("GET /api/jobs/ID", f"/api/jobs/{job_id}"),
    ]
    print(f"{'':28} {'median ms':>10} {'p95 ms':>8}")
    with serving(url) as port:
        for label, path in paths:
            times = sorted(timed(port, path))
            median = statistics.median(times)
            p95 = times[int(0.95 * (len(times) - 1))]
            flag = "" if median < GOAL_MS else f"  over {GOAL_MS:g} ms"
            print(f"{label:28} {median:10.1f} {p95:8.1f}{flag}")
    close_databases()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    backend = parser.parse_args().backend
    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            measure("SQLite", f"sqlite:///{folder}/bench.db")
    if backend in ("postgresql", "both"):
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            separator = "&" if "?" in POSTGRES_URL else "?"
            measure("PostgreSQL", f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
