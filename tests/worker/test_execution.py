"""Running jobs in this process, as embedded mode and the workers do."""

import errno
import threading
import time
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy.exc import OperationalError

from solverq.plugins.errors import JobCancelled
from solverq.worker.execution import execute_job, refused_mapping, run_in_turn
from solverq.worker.heartbeat import Heartbeat
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore


def test_a_job_runs_and_stores_its_result(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"values": [1.0, 2.0], "scale": 3.0})
    seen: list[tuple[float, str]] = []
    assert execute_job(store, job.id, lambda fraction, message: seen.append((fraction, message)))
    done = store.get(job.id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.summary == {"total": 9.0, "count": 2}
    np.testing.assert_array_equal(store.result_arrays(job.id)["values"], [3.0, 6.0])
    assert seen == [(1.0, "echoed")]


def test_input_arrays_reach_the_plugin(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"values": [0.0], "scale": 1.0}, {"values": np.array([5.0, 6.0])})
    execute_job(store, job.id)
    assert store.get(job.id).summary["total"] == 11.0


def test_a_job_that_fails_keeps_its_reason(store: JobStore, test_plugins) -> None:
    job = store.create("explode", {"kind": "fail"})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert (done.status, done.error) == (JobStatus.FAILED, "diverged at x = 0.5")


def test_a_failed_job_keeps_the_arrays_its_failure_carries(store: JobStore, test_plugins) -> None:
    job = store.create("explode", {"kind": "keep"})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert (done.status, done.error) == (JobStatus.FAILED, "diverged at x = 0.5")
    assert done.summary == {} and list(done.array_descriptions) == ["history"]
    np.testing.assert_array_equal(store.result_arrays(job.id)["history"], [1.0, np.inf])


def test_a_failure_with_unstorable_arrays_is_stored_without_them(
    store: JobStore, test_plugins
) -> None:
    job = store.create("explode", {"kind": "garble"})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert (done.status, done.error) == (JobStatus.FAILED, "diverged at x = 0.5")
    assert done.array_descriptions == {} and store.result_arrays(job.id) == {}


def test_a_job_that_crashes_fails_with_what_happened(store: JobStore, test_plugins) -> None:
    job = store.create("explode", {"kind": "crash"})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert done.status is JobStatus.FAILED
    assert done.error == "plugin explode raised RuntimeError: boom"


def test_a_job_whose_plugin_is_gone_fails_clearly(store: JobStore, test_plugins) -> None:
    job = store.create("uninstalled", {})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert done.status is JobStatus.FAILED
    assert done.error.startswith("unknown plugin 'uninstalled' (known: ")


def test_stored_parameters_are_validated_again(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {"scale": -1})
    execute_job(store, job.id)
    done = store.get(job.id)
    assert done.status is JobStatus.FAILED
    assert done.error == "parameter 'scale' of echo must be greater than 0, got -1"


def test_a_second_delivery_does_nothing(store: JobStore, test_plugins) -> None:
    job = store.create("echo", {})
    assert execute_job(store, job.id)
    assert not execute_job(store, job.id)
    assert store.get(job.id).attempts == 1


def test_progress_reaches_the_row_and_cancellation_stops_the_job(
    store: JobStore, test_plugins
) -> None:
    job = store.create("sleep", {})
    heartbeat = Heartbeat(store, job.id, store.claim(job.id), interval=0.0)
    heartbeat.progress(0.4, "step 8 of 20")
    running = store.get(job.id)
    assert (running.progress, running.progress_message) == (0.4, "step 8 of 20")
    store.cancel(job.id)
    with pytest.raises(JobCancelled):
        heartbeat.progress(0.5, "step 10 of 20")
    assert store.get(job.id).status is JobStatus.CANCELLED


def test_progress_writes_are_throttled(store: JobStore, test_plugins) -> None:
    job = store.create("sleep", {})
    heartbeat = Heartbeat(store, job.id, store.claim(job.id), interval=0.3)
    heartbeat.progress(0.1, "just after the claim")
    assert store.get(job.id).progress_message == ""
    time.sleep(0.3)
    heartbeat.progress(0.2, "an interval later")
    heartbeat.progress(0.3, "too soon")
    assert store.get(job.id).progress_message == "an interval later"


def busy(seconds: float) -> None:
    """Compute for a while without reporting progress, as a plugin may."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_the_heartbeat_beats_while_the_plugin_is_silent(store: JobStore) -> None:
    job = store.create("sleep", {})
    attempt = store.claim(job.id)
    claimed_at = store.get(job.id).heartbeat_at
    with Heartbeat(store, job.id, attempt, interval=0.05) as heartbeat:
        heartbeat.progress(0.5, "half way")
        busy(0.3)
    running = store.get(job.id)
    assert running.heartbeat_at > claimed_at
    assert (running.progress, running.progress_message) == (0.5, "half way")


def test_one_thread_beats_for_all_the_jobs_of_a_process(store: JobStore) -> None:
    jobs = [store.create("sleep", {}) for _ in range(2)]
    attempts = [store.claim(job.id) for job in jobs]
    claimed_at = [store.get(job.id).heartbeat_at for job in jobs]
    beating: list[int] = []

    def run(job_id: str, attempt: int) -> None:
        with Heartbeat(store, job_id, attempt, interval=0.05):
            busy(0.3)
            beating.append(sum(t.name == "heartbeat" for t in threading.enumerate()))

    plugins = [
        threading.Thread(target=run, args=(job.id, attempt))
        for job, attempt in zip(jobs, attempts, strict=True)
    ]
    for plugin in plugins:
        plugin.start()
    for plugin in plugins:
        plugin.join()
    assert beating == [1, 1]
    for job, before in zip(jobs, claimed_at, strict=True):
        assert store.get(job.id).heartbeat_at > before


def test_the_heartbeat_stops_a_silent_plugin_once_the_job_is_cancelled(store: JobStore) -> None:
    job = store.create("sleep", {})
    attempt = store.claim(job.id)
    store.cancel(job.id)
    started = time.monotonic()
    with pytest.raises(JobCancelled), Heartbeat(store, job.id, attempt, interval=0.05):
        busy(10.0)
    assert time.monotonic() - started < 5.0


def careless(work: Callable[[], object]) -> str:
    """Run `work` inside the ``except Exception`` a careless plugin wraps its work in."""
    try:
        work()
    except Exception as error:
        return f"carried on past {error!r}"
    return "done"


def test_a_plugins_except_exception_lets_the_cancellation_through(store: JobStore) -> None:
    job = store.create("sleep", {})
    attempt = store.claim(job.id)
    store.cancel(job.id)
    with pytest.raises(JobCancelled), Heartbeat(store, job.id, attempt, interval=0.0) as beat:
        careless(lambda: beat.progress(0.5, "half way"))
    with pytest.raises(JobCancelled), Heartbeat(store, job.id, attempt, interval=0.05):
        careless(lambda: busy(10.0))


def test_a_careless_plugin_cancelled_while_running_stops(store: JobStore, test_plugins) -> None:
    settings = Settings(store.database.url, None, time_limit=60.0, heartbeat_interval=0.05)
    job = store.create("sleep", {"seconds": 20.0, "steps": 400, "careless": True})
    running = threading.Thread(
        target=execute_job, args=(store, job.id), kwargs={"settings": settings}
    )
    running.start()
    while store.get(job.id).status is JobStatus.QUEUED:
        time.sleep(0.01)
    store.cancel(job.id)
    running.join(timeout=5.0)
    assert not running.is_alive()
    assert store.get(job.id).status is JobStatus.CANCELLED


def test_jobs_run_in_turn_report_the_progress_of_the_batch(store: JobStore, test_plugins) -> None:
    job_ids = [store.create("echo", {}).id for _ in range(2)]
    heard: list[tuple[float, str]] = []
    run_in_turn(store, job_ids, lambda fraction, message: heard.append((fraction, message)))
    assert [store.get(job_id).status for job_id in job_ids] == [JobStatus.SUCCEEDED] * 2
    assert heard == [
        (0.5, "0/2 jobs echoed"),
        (0.5, "1/2 jobs"),
        (1.0, "1/2 jobs echoed"),
        (1.0, "2/2 jobs"),
    ]


def test_an_interrupted_batch_cancels_what_did_not_finish(store: JobStore, test_plugins) -> None:
    job_ids = [store.create("sleep", {"seconds": 0, "steps": 2}).id for _ in range(2)]

    def interrupt(fraction: float, message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_in_turn(store, job_ids, interrupt)
    for job_id in job_ids:
        job = store.get(job_id)
        assert (job.status, job.error) == (JobStatus.CANCELLED, "interrupted")


def test_a_result_that_cannot_be_stored_fails_the_job_once(
    store: JobStore, test_plugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> bool:
        raise ValueError("result too big for the database")

    monkeypatch.setattr(store, "succeed", refuse)
    job = store.create("echo", {})
    assert execute_job(store, job.id)
    done = store.get(job.id)
    assert (done.status, done.attempts) == (JobStatus.FAILED, 1)
    assert done.error == "cannot store the result: ValueError: result too big for the database"


def test_a_database_lost_while_storing_leaves_the_job_to_the_reaper(
    store: JobStore, test_plugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose(*args: object) -> bool:
        raise OperationalError("UPDATE jobs", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "succeed", lose)
    job = store.create("echo", {})
    with pytest.raises(OperationalError):
        execute_job(store, job.id)
    assert store.get(job.id).status is JobStatus.RUNNING


def test_an_embedded_job_past_its_time_limit_fails(store: JobStore, test_plugins) -> None:
    settings = Settings(store.database.url, None, time_limit=3600.0)
    job = store.create("sleep", {"seconds": 30.0, "steps": 300}, time_limit=0.5)
    started = time.monotonic()
    execute_job(store, job.id, settings=settings)
    assert time.monotonic() - started < 5.0
    done = store.get(job.id)
    assert (done.status, done.error) == (JobStatus.FAILED, "job exceeded its time limit of 0.5 s")


@pytest.mark.parametrize(
    ("kind", "summary"), [("memory", {"sum": float(2**27)}), ("map", {"mapped": 2**30})]
)
def test_a_job_beyond_its_memory_cap_fails_and_the_process_goes_on(
    store: JobStore, test_plugins, kind: str, summary: dict
) -> None:
    """Allocating (MemoryError) or mapping (OSError ENOMEM) a gigabyte under a cap of 200 MiB."""
    settings = Settings(store.database.url, None, time_limit=3600.0, max_job_memory=200 * 2**20)
    job = store.create("explode", {"kind": kind})
    execute_job(store, job.id, settings=settings)
    done = store.get(job.id)
    assert done.status is JobStatus.FAILED
    assert done.error == (
        "out of memory: the job needed more than 209,715,200 bytes (SOLVERQ_MAX_JOB_MEMORY)"
    )
    assert np.ones(2**27).sum() == 2**27  # the cap was lifted with the job
    uncapped = store.create("explode", {"kind": kind})
    execute_job(store, uncapped.id, settings=Settings(store.database.url, None, 3600.0))
    assert store.get(uncapped.id).summary == summary


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (OSError(errno.ENOMEM, "Cannot allocate memory"), True),
        (ImportError("libscipy_openblas.so: failed to map segment from shared object"), True),
        (ImportError("libfoo.so: cannot open shared object file"), False),
        (OSError(errno.ENOENT, "No such file or directory"), False),
        (ValueError("failed to map segment"), False),
    ],
)
def test_refused_mappings_are_told_from_other_errors(error: Exception, refused: bool) -> None:
    assert refused_mapping(error) is refused


def test_a_solve_near_the_float_range_runs_without_numpy_warnings(store: JobStore) -> None:
    """y' = -y from 1e308: the stability check's probes overflow, which numpy would warn of on
    the terminal of an embedded job; the run itself is fine."""
    job = store.create("euler", {"problem": "decay", "y0": 1e308})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        execute_job(store, job.id)
    done = store.get(job.id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert done.summary["y_end"] == pytest.approx(1e308 * (1 - 0.005) ** 1000)
