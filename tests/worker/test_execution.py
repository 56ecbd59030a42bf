"""Running jobs in this process, as embedded mode and the workers do."""

import numpy as np
import pytest

from plugins.errors import JobCancelled
from worker.execution import ProgressReporter, execute_job
from worker.store import JobStatus, JobStore


def test_a_job_runs_and_stores_its_result(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"values": [1.0, 2.0], "scale": 3.0})
    seen: list[tuple[float, str]] = []
    done = execute_job(store, job.id, lambda fraction, message: seen.append((fraction, message)))
    assert done.status is JobStatus.SUCCEEDED
    assert done.summary == {"total": 9.0, "count": 2}
    np.testing.assert_array_equal(store.result_arrays(job.id)["values"], [3.0, 6.0])
    assert seen == [(1.0, "echoed")]


def test_input_arrays_reach_the_plugin(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"values": [0.0], "scale": 1.0}, {"values": np.array([5.0, 6.0])})
    assert execute_job(store, job.id).summary["total"] == 11.0


def test_a_job_that_fails_keeps_its_reason(store: JobStore, test_plugins) -> None:
    job = store.create("explode", {"kind": "fail"})
    done = execute_job(store, job.id)
    assert (done.status, done.error) == (JobStatus.FAILED, "diverged at x = 0.5")


def test_a_job_that_crashes_fails_with_what_happened(store: JobStore, test_plugins) -> None:
    job = store.create("explode", {"kind": "crash"})
    done = execute_job(store, job.id)
    assert done.status is JobStatus.FAILED
    assert done.error == "plugin explode raised RuntimeError: boom"


def test_a_job_whose_plugin_is_gone_fails_clearly(store: JobStore, test_plugins) -> None:
    job = store.create("uninstalled", {})
    done = execute_job(store, job.id)
    assert done.status is JobStatus.FAILED
    assert done.error.startswith("unknown plugin 'uninstalled' (known: ")


def test_stored_parameters_are_validated_again(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"scale": -1})
    done = execute_job(store, job.id)
    assert done.status is JobStatus.FAILED
    assert done.error == "parameter 'scale' of echo must be greater than 0, got -1"


def test_a_second_delivery_does_nothing(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {})
    execute_job(store, job.id)
    assert execute_job(store, job.id) is None
    assert store.get(job.id).attempts == 1


def test_progress_reaches_the_row_and_cancellation_stops_the_job(
    store: JobStore, test_plugins
) -> None:
    job = store.create("sleep", {})
    attempt = store.claim(job.id)
    reporter = ProgressReporter(store, job.id, attempt, interval=0.0)
    reporter(0.4, "step 8 of 20")
    running = store.get(job.id)
    assert (running.progress, running.progress_message) == (0.4, "step 8 of 20")
    store.cancel(job.id)
    with pytest.raises(JobCancelled):
        reporter(0.5, "step 10 of 20")
    assert store.get(job.id).status is JobStatus.CANCELLED


def test_progress_writes_are_throttled(store: JobStore, test_plugins) -> None:
    job = store.create("sleep", {})
    reporter = ProgressReporter(store, job.id, store.claim(job.id), interval=3600)
    reporter(0.1, "first")
    reporter(0.9, "second")
    assert store.get(job.id).progress_message == "first"
