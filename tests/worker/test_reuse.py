"""Reuse of identical results, sweep resume and rerun, embedded, on both databases."""

import numpy as np

from solverq.worker import service
from solverq.worker.store import JobStatus, JobStore, SweepStore
from solverq.worker.sweep_service import resume_sweep, start_sweep, sweep_table


def all_jobs(store: JobStore) -> list:
    return store.list(limit=None)


def test_two_identical_submissions_with_reuse_run_one_job(solverq_env, test_plugins) -> None:
    first = service.submit_job("echo", {"scale": 2.0}, reuse=True)
    again = service.submit_job("echo", {"scale": 2.0, "values": [1.0, 2.0, 3.0]}, reuse=True)
    assert (first.reused, again.reused) == (False, True)
    assert again.job.id == first.job.id and again.job.status is JobStatus.SUCCEEDED
    assert len(all_jobs(solverq_env)) == 1
    assert service.submit_job("echo", {"scale": 2.0}).reused is False
    assert len(all_jobs(solverq_env)) == 2


def test_reuse_needs_the_same_inputs_and_a_success(solverq_env, test_plugins) -> None:
    inputs = {"values": np.array([1.0, 2.0])}
    first = service.submit("echo", {}, inputs, reuse=True)
    assert service.submit("echo", {}, {"values": np.array([1.0, 2.5])}, reuse=True).id != first.id
    assert service.submit("echo", {}, dict(inputs), reuse=True).id == first.id
    failed = service.submit("explode", {"kind": "fail"}, reuse=True)
    retried = service.submit("explode", {"kind": "fail"}, reuse=True)
    assert failed.status is JobStatus.FAILED and retried.id != failed.id


def test_a_job_of_another_plugin_version_is_not_reused(solverq_env, test_plugins) -> None:
    stale = solverq_env.create("echo", {"values": [1.0, 2.0, 3.0], "scale": 1.0}, digests=["x"])
    solverq_env.claim(stale.id)
    solverq_env.succeed(stale.id, 1, {"total": 6.0}, {})
    [digest] = service.job_digests("echo", [stale.params], {})
    assert digest != "x"
    assert service.submit_job("echo", {}, reuse=True).reused is False


def test_a_grown_grid_with_reuse_runs_exactly_the_new_points(solverq_env, test_plugins) -> None:
    first = start_sweep("echo", {"scale": [1.0, 2.0]}, reuse=True)
    assert len(first.created) == 2 and first.reused == {}
    grown = start_sweep(
        "echo", {"scale": [1.0, 2.0, 3.0], "values": [[1.0], [1.0, 2.0, 3.0]]}, reuse=True
    )
    # Points in grid order: (1,[1]) (1,[1,2,3]) (2,[1]) (2,[1,2,3]) (3,[1]) (3,[1,2,3]); the
    # defaults [1,2,3] of the first sweep are points 1 and 3.
    assert grown.reused == {1: first.created[0], 3: first.created[1]}
    assert sorted(grown.created) == [0, 2, 4, 5]
    assert len(all_jobs(solverq_env)) == 2 + 4
    table = sweep_table(grown.sweep.id, ["total"])
    assert [row["total"] for row in table.rows] == [1.0, 6.0, 2.0, 12.0, 3.0, 18.0]
    assert {row["status"] for row in table.rows} == {"succeeded"}
    assert grown.sweep.size == 6 and grown.sweep.counts[JobStatus.SUCCEEDED] == 6
    again = start_sweep("echo", {"scale": [1.0, 2.0]}, reuse=True)
    assert again.created == {} and len(all_jobs(solverq_env)) == 6
    assert SweepStore(solverq_env.database).get(again.sweep.id).finished


def test_resume_queues_failed_and_cancelled_points_again(solverq_env, test_plugins) -> None:
    sweeps = SweepStore(solverq_env.database)
    sweep, job_ids = sweeps.create(
        "echo", {"scale": [1.0, 2.0, 3.0]}, {}, [{"scale": s} for s in (1.0, 2.0, 3.0)]
    )
    solverq_env.claim(job_ids[0])
    solverq_env.succeed(job_ids[0], 1, {"total": 6.0}, {})
    solverq_env.claim(job_ids[1])
    solverq_env.fail(job_ids[1], 1, "worker lost 3 times; giving up")
    solverq_env.cancel(job_ids[2])
    resumed = resume_sweep(sweep.id)
    assert sorted(resumed.created) == [1, 2]
    assert resumed.sweep.counts[JobStatus.SUCCEEDED] == 3
    rows = sweep_table(sweep.id, ["total"]).rows
    assert [row["job"] for row in rows] == [job_ids[0], resumed.created[1], resumed.created[2]]
    assert [row["total"] for row in rows] == [6.0, 12.0, 18.0]
    assert solverq_env.get(job_ids[1]).status is JobStatus.FAILED
    assert resume_sweep(sweep.id).created == {}


def test_rerun_copies_a_job_with_overrides(solverq_env, test_plugins) -> None:
    original = service.submit(
        "echo", {"scale": 2.0}, {"values": np.array([1.0, 4.0])}, tags={"run": "a"}, note="n"
    )
    copy = service.rerun(original.id[:8], {"scale": 3.0})
    assert copy.id != original.id and copy.status is JobStatus.SUCCEEDED
    assert copy.params == {**original.params, "scale": 3.0}
    assert copy.summary["total"] == 15.0 and copy.tags == {"run": "a"} and copy.note is None
    assert solverq_env.get(original.id).params["scale"] == 2.0
    same = service.rerun(original.id)
    assert same.digest == original.digest and same.id != original.id
