"""The job store on SQLite and on PostgreSQL (every test runs on both)."""

from datetime import UTC
from types import SimpleNamespace

import numpy as np
import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store import JobStatus, JobStore, UnknownJob, job_store


def test_a_created_job_is_queued_with_its_parameters_and_inputs(store: JobStore) -> None:
    inputs = {"a": np.arange(5), "b": np.array([[1.5, 2j]])}
    job = store.create("echo", {"scale": 2.0, "values": [1, 2]}, inputs, time_limit=30)
    assert job.status is JobStatus.QUEUED
    assert job.params == {"scale": 2.0, "values": [1, 2]}
    assert job.attempts == 0 and job.time_limit == 30
    assert job.created_at.tzinfo is not None and job.created_at.utcoffset() == UTC.utcoffset(None)
    assert job.summary is None and job.array_descriptions == {}
    stored = store.inputs(job.id)
    np.testing.assert_array_equal(stored["a"], inputs["a"])
    np.testing.assert_array_equal(stored["b"], inputs["b"])
    assert store.inputs(store.create("echo", {}).id) == {}


def test_floats_keep_their_type_whatever_their_size(store: JobStore) -> None:
    params = {"a": [1e20, 2.5, -1e308, 1.0, 3], "nested": {"gamma": 1e16, "small": 1e-300}}
    summary = {"output": [5e19, 1.25], "dtype": "float64", "total": 1e300}
    job = store.create("convolution", params)
    store.succeed(job.id, store.claim(job.id), summary, {})
    stored = store.get(job.id)
    assert stored.params == params and stored.summary == summary
    assert [type(value) for value in stored.params["a"]] == [float, float, float, float, int]
    assert type(stored.params["nested"]["gamma"]) is float
    assert [type(value) for value in stored.summary["output"]] == [float, float]


def test_queue_names_are_checked_where_jobs_are_stored(store: JobStore) -> None:
    assert store.create("echo", {}, queue="gpu-2.fast:x_y").queue == "gpu-2.fast:x_y"
    with pytest.raises(RejectedRequest, match=r"^queue name has 201 characters; at most 200"):
        store.create("echo", {}, queue="q" * 201)
    for name in ("a b", "-q", "", "q\x00"):
        with pytest.raises(RejectedRequest, match=r"^malformed queue name"):
            store.create("echo", {}, queue=name)
    assert [job.queue for job in store.list()] == ["gpu-2.fast:x_y"]


def test_a_job_is_claimed_once(store: JobStore) -> None:
    job = store.create("echo", {})
    assert store.claim(job.id) == 1
    assert store.claim(job.id) is None
    running = store.get(job.id)
    assert running.status is JobStatus.RUNNING and running.attempts == 1
    assert running.started_at is not None and running.heartbeat_at is not None


def test_starting_a_job_claims_it_and_reads_what_running_it_takes(store: JobStore) -> None:
    inputs = {"a": np.arange(3.0)}
    job = store.create("echo", {"scale": 2.0}, inputs, time_limit=30)
    started = store.start(job.id, "first")
    assert (started.id, started.plugin, started.params) == (job.id, "echo", {"scale": 2.0})
    assert (started.attempt, started.time_limit) == (1, 30)
    np.testing.assert_array_equal(started.inputs["a"], inputs["a"])
    assert store.start(job.id, "second") is None
    running = store.get(job.id)
    assert (running.status, running.attempts, running.worker) == (JobStatus.RUNNING, 1, "first")


def test_success_stores_exactly_one_result(store: JobStore) -> None:
    job = store.create("echo", {})
    attempt = store.claim(job.id)
    arrays = {"values": np.linspace(0, 1, 4), "big": np.array([2**80], dtype=object)}
    assert store.succeed(job.id, attempt, {"total": 2.0}, arrays)
    assert not store.succeed(job.id, attempt, {"total": 3.0}, arrays)
    done = store.get(job.id)
    assert done.status is JobStatus.SUCCEEDED and done.progress == 1.0
    assert done.summary == {"total": 2.0}
    assert done.array_descriptions == {
        "values": {"shape": [4], "dtype": "float64"},
        "big": {"shape": [1], "dtype": "bigint"},
    }
    assert done.finished_at >= done.started_at >= done.created_at
    stored = store.result_arrays(job.id)
    np.testing.assert_array_equal(stored["values"], arrays["values"])
    assert stored["big"].tolist() == [2**80]


def test_a_lost_attempt_cannot_write(store: JobStore) -> None:
    job = store.create("echo", {})
    attempt = store.claim(job.id)
    store.cancel(job.id)
    assert not store.heartbeat(job.id, attempt, 0.5, "half way")
    assert not store.succeed(job.id, attempt, {}, {})
    assert not store.fail(job.id, attempt, "late")
    cancelled = store.get(job.id)
    assert cancelled.status is JobStatus.CANCELLED and cancelled.summary is None


def test_only_the_current_attempt_owns_the_job(store: JobStore) -> None:
    job = store.create("echo", {})
    attempt = store.claim(job.id)
    assert not store.heartbeat(job.id, attempt + 1)
    assert store.heartbeat(job.id, attempt, 0.25, "a quarter")
    running = store.get(job.id)
    assert (running.progress, running.progress_message) == (0.25, "a quarter")


def test_failure_keeps_the_reason(store: JobStore) -> None:
    job = store.create("euler", {})
    attempt = store.claim(job.id)
    assert store.fail(job.id, attempt, "diverged at x = 3.5")
    failed = store.get(job.id)
    assert failed.status is JobStatus.FAILED and failed.error == "diverged at x = 3.5"
    assert failed.finished


@pytest.mark.parametrize("claimed", [False, True])
def test_queued_and_running_jobs_can_be_cancelled(store: JobStore, claimed: bool) -> None:
    job = store.create("echo", {})
    if claimed:
        store.claim(job.id)
    assert store.cancel(job.id).status is JobStatus.CANCELLED
    assert store.claim(job.id) is None


def test_finished_jobs_stay_as_they_are_when_cancelled(store: JobStore) -> None:
    job = store.create("echo", {})
    store.succeed(job.id, store.claim(job.id), {}, {})
    assert store.cancel(job.id).status is JobStatus.SUCCEEDED


def test_jobs_are_found_by_a_unique_prefix(store: JobStore) -> None:
    job = store.create("echo", {})
    assert store.get(job.id[:8]).id == job.id
    assert store.get(job.id.upper()).id == job.id
    with pytest.raises(UnknownJob, match="no job 'abc'"):
        store.get("abc")
    with pytest.raises(UnknownJob, match="no job"):
        store.get("0000000000")
    with pytest.raises(UnknownJob, match="no job"):
        store.get("x%_z")
    with pytest.raises(UnknownJob, match=r"no job '\\x00abc'"):
        store.get("\x00abc")


def test_an_ambiguous_prefix_is_refused(store: JobStore, monkeypatch) -> None:
    ids = iter(["abcd" + "1" * 28, "abcd" + "2" * 28])
    monkeypatch.setattr(job_store.uuid, "uuid4", lambda: SimpleNamespace(hex=next(ids)))
    first = store.create("echo", {})
    store.create("echo", {})
    with pytest.raises(UnknownJob, match="prefix 'abcd' is ambiguous"):
        store.get("abcd")
    assert store.resolve("abcd1") == first.id


def test_listing_filters_and_orders_newest_first(store: JobStore) -> None:
    first = store.create("echo", {})
    second = store.create("sleep", {})
    third = store.create("echo", {})
    store.fail(third.id, store.claim(third.id), "no")
    assert [j.id for j in store.list()] == [third.id, second.id, first.id]
    assert [j.id for j in store.list(plugin="echo")] == [third.id, first.id]
    assert [j.id for j in store.list(status=JobStatus.QUEUED)] == [second.id, first.id]
    assert [j.id for j in store.list(limit=1)] == [third.id]
