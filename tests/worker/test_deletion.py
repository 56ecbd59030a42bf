"""Deleting jobs: by id, by sweep, by filters; running jobs only when forced."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import update

from solverq.plugins.errors import RejectedRequest
from solverq.worker import service
from solverq.worker.deletion import delete_jobs, plan_deletion
from solverq.worker.store import JobStatus, UnknownJob
from solverq.worker.store.models import JOBS, utcnow
from solverq.worker.sweep_service import DELETED, submit_sweep, sweep_table


def test_deleting_by_id_counts_the_jobs_and_their_bytes(solverq_env, test_plugins) -> None:
    inputs = {"values": np.arange(100.0) ** 2}  # not equally spaced: stored in full
    jobs = [service.submit("echo", {"scale": s}, inputs) for s in (1.0, 2.0, 3.0)]
    deletion = plan_deletion([jobs[0].id, jobs[1].id[:8], jobs[0].id])
    assert [job.id for job in deletion.jobs] == [jobs[0].id, jobs[1].id]
    assert deletion.bytes == solverq_env.stored_bytes([jobs[0].id, jobs[1].id])
    assert deletion.bytes > 2 * 2 * 100 * 8
    assert delete_jobs(deletion) == 2
    assert [job.id for job in solverq_env.list()] == [jobs[2].id]


def test_a_sweep_shows_its_deleted_points(solverq_env, test_plugins) -> None:
    sweep = submit_sweep("echo", {"scale": [1.0, 2.0, 3.0]})
    table = sweep_table(sweep.id, ["total"])
    delete_jobs(plan_deletion([table.rows[1]["job"]]))
    rows = sweep_table(sweep.id, ["total"]).rows
    assert [row["status"] for row in rows] == ["succeeded", DELETED, "succeeded"]
    assert (rows[1]["job"], rows[1]["total"], rows[1]["scale"]) == (None, None, 2.0)
    assert delete_jobs(plan_deletion(sweep=sweep.id[:8])) == 2
    assert [row["status"] for row in sweep_table(sweep.id).rows] == [DELETED] * 3


def test_deleting_by_parameter_and_age(solverq_env, test_plugins) -> None:
    old = service.submit("echo", {"scale": 2.0})
    recent = service.submit("echo", {"scale": 2.0})
    other = service.submit("echo", {"scale": 5.0})
    with solverq_env.database.transaction() as connection:
        ten_days_ago = utcnow() - timedelta(days=10)
        connection.execute(update(JOBS).where(JOBS.c.id == old.id).values(created_at=ten_days_ago))
    deletion = plan_deletion(where={"scale": 2.0}, until="3d")
    assert [job.id for job in deletion.jobs] == [old.id]
    delete_jobs(deletion)
    assert {job.id for job in solverq_env.list()} == {recent.id, other.id}


def test_a_running_job_is_refused_unless_forced(solverq_env, test_plugins) -> None:
    job = solverq_env.create("echo", {})
    solverq_env.claim(job.id)
    deletion = plan_deletion([job.id])
    with pytest.raises(RejectedRequest, match="1 of the jobs are running"):
        delete_jobs(deletion)
    assert solverq_env.get(job.id).status is JobStatus.RUNNING
    assert delete_jobs(deletion, force=True) == 1
    with pytest.raises(UnknownJob):
        solverq_env.get(job.id)
    assert solverq_env.succeed(job.id, 1, {}, {}) is False


def test_the_jobs_are_named_in_exactly_one_way(solverq_env) -> None:
    for named in ({}, {"job_ids": ["abcd"], "sweep": "abcd"}):
        with pytest.raises(RejectedRequest, match="name the jobs to delete in one way"):
            plan_deletion(**named)
