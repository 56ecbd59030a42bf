"""The metrics of a summary, written with the result, and what sorting by a metric reads: the
same order as sorting by the numbers read out of each summary (the JSON path of the key)."""

import math
import random

import pytest
from sqlalchemy import select, text

from solverq.worker.store import JobStore
from solverq.worker.store.metrics import summary_metrics
from solverq.worker.store.models import JOB_METRICS, utcnow
from tests.worker.store.conftest import database_at


def reference_number(summary: dict, key: str) -> float | None:
    """The number at the dotted `key` of `summary`, read independently: None unless it is a
    finite int or float (booleans are not numbers here)."""
    value: object = summary
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def test_metrics_are_the_finite_numbers_at_mapping_keys() -> None:
    summary = {
        "mse": 0.25,
        "epochs": 1000,
        "converged": True,
        "status": "converged",
        "theta": [1.0, 2.0],
        "fit": {"r2": 0.9, "label": "x", "inner": {"depth": -3}},
        "nothing": None,
        "bad key": 1.0,
        "overflow": 10**400,
    }
    assert summary_metrics(summary) == {
        "mse": 0.25,
        "epochs": 1000.0,
        "fit.r2": 0.9,
        "fit.inner.depth": -3.0,
    }
    assert summary_metrics({}) == {}


def random_summary(rng: random.Random) -> dict:
    choices = [
        lambda: rng.uniform(-5, 5),
        lambda: rng.randrange(-3, 4),
        lambda: rng.random() < 0.5,
        lambda: "text",
        lambda: [rng.random()],
        lambda: {"inner": rng.uniform(-1, 1)},
    ]
    return {key: rng.choice(choices)() for key in ("mse", "fit") if rng.random() < 0.8}


@pytest.mark.parametrize("key", ["mse", "-mse", "fit.inner", "-fit.inner"])
def test_sorting_by_a_metric_follows_the_numbers_in_the_summaries(store: JobStore, key) -> None:
    rng = random.Random(7)
    summaries = {}
    for _ in range(30):
        job = store.create("echo", {})
        attempt = store.claim(job.id)
        if rng.random() < 0.15:
            store.fail(job.id, attempt, "diverged")
            summaries[job.id] = {}
        else:
            summaries[job.id] = random_summary(rng)
            assert store.succeed(job.id, attempt, summaries[job.id], {})
    name = key.lstrip("-")
    numbers = {job_id: reference_number(summary, name) for job_id, summary in summaries.items()}
    with_number = [job_id for job_id, number in numbers.items() if number is not None]
    expected = sorted(with_number, key=lambda job_id: numbers[job_id], reverse=key[0] == "-")
    listed = [job.id for job in store.list(sort=key, limit=None)]
    assert [numbers[job_id] for job_id in listed[: len(expected)]] == [
        numbers[job_id] for job_id in expected
    ]
    assert all(numbers[job_id] is None for job_id in listed[len(expected) :])
    paged = [
        job.id for offset in range(0, 30, 7) for job in store.list(sort=key, limit=7, offset=offset)
    ]
    assert paged == listed


def test_the_metrics_go_with_their_job(store: JobStore) -> None:
    job = store.create("echo", {})
    store.succeed(job.id, store.claim(job.id), {"mse": 1.5, "ok": True}, {})
    lost = store.create("echo", {})
    attempt = store.claim(lost.id)
    assert not store.succeed(lost.id, attempt + 1, {"mse": 0.5}, {})
    with store.database.transaction() as connection:
        rows = connection.execute(
            select(JOB_METRICS.c.job_id, JOB_METRICS.c.key, JOB_METRICS.c.value)
        ).all()
    assert [tuple(row) for row in rows] == [(job.id, "mse", 1.5)]
    store.delete([job.id])
    with store.database.transaction() as connection:
        assert connection.scalar(select(JOB_METRICS.c.job_id)) is None


def test_the_migration_measures_the_results_stored_before(database_url) -> None:
    database = database_at(database_url, "0006")
    summaries = {"a" * 32: '{"mse": 2.0, "fit": {"r2": 0.5}}', "b" * 32: '{"mse": true}'}
    summaries["c" * 32] = '{"mse": 0.5}'
    with database.engine.begin() as connection:
        for job_id, summary in summaries.items():
            connection.execute(
                text(
                    "INSERT INTO jobs (id, plugin, params, status, created_at, attempts, progress,"
                    " progress_message) VALUES (:id, 'echo', '{}', 'succeeded', :now, 1, 1.0, '')"
                ),
                {"id": job_id, "now": utcnow()},
            )
            connection.execute(
                text(
                    "INSERT INTO job_results (job_id, summary, array_info, arrays)"
                    " VALUES (:id, :summary, '{}', :arrays)"
                ),
                {"id": job_id, "summary": summary, "arrays": b""},
            )
    database.upgrade()
    store = JobStore(database)
    assert [job.id for job in store.list(sort="mse")] == ["c" * 32, "a" * 32, "b" * 32]
    assert [job.id for job in store.list(sort="-fit.r2", limit=1)] == ["a" * 32]
