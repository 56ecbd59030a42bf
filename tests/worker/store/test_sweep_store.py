"""Sweeps in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from solverq.worker.store import JobStore, SweepStore
from solverq.worker.store.models import JOBS


@pytest.mark.parametrize("seconds_apart", [0, 1, -1], ids=["equal", "ascending", "descending"])
def test_a_sweeps_jobs_come_back_in_grid_order_whenever_they_were_created(
    store: JobStore, seconds_apart: int
) -> None:
    points = [{"scale": scale} for scale in (4.0, 1.0, 3.0, 2.0)]
    sweep, job_ids = SweepStore(store.database).create("echo", {"scale": [4, 1, 3, 2]}, {}, points)
    store.create("echo", {"scale": 9.0})  # another job, created after the sweep
    with store.database.transaction() as connection:
        for point, job_id in enumerate(job_ids):
            created_at = sweep.created_at + timedelta(seconds=point * seconds_apart)
            connection.execute(
                update(JOBS).where(JOBS.c.id == job_id).values(created_at=created_at)
            )

    jobs = SweepStore(store.database).jobs(sweep.id)

    assert [job.id for job in jobs] == job_ids
    assert [job.sweep_point for job in jobs] == [0, 1, 2, 3]
    assert [job.params["scale"] for job in jobs] == [4.0, 1.0, 3.0, 2.0]
