"""The reaper's decisions on SQLite and PostgreSQL: re-queue, give up, publish again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from solverq.worker.reaper import reap
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.models import JOBS, utcnow
from solverq.worker.store.recovery import QueuedJob

SETTINGS = Settings(
    database_url="unused",
    broker_url="redis://unused",
    time_limit=3600.0,
    heartbeat_interval=10.0,
    stale_after=60.0,
    requeue_after=600.0,
    max_attempts=3,
)


class Broker:
    """Keeps what the reaper publishes."""

    def __init__(self) -> None:
        self.published: list[QueuedJob] = []

    def __call__(self, jobs: list[QueuedJob]) -> None:
        self.published.extend(jobs)


@pytest.fixture
def broker() -> Broker:
    return Broker()


def backdate(store: JobStore, job_id: str, **seconds_ago: float) -> None:
    """Move the job's timestamps (`started_at=...`, `heartbeat_at=...`) into the past."""
    now = utcnow()
    values = {column: now - timedelta(seconds=ago) for column, ago in seconds_ago.items()}
    with store.database.transaction() as connection:
        connection.execute(update(JOBS).where(JOBS.c.id == job_id).values(**values))


def running_job(store: JobStore, *, queue: str | None = "solverq", **job: float) -> tuple[str, int]:
    created = store.create("sleep", {}, queue=queue, **job)
    return created.id, store.claim(created.id, "solverq-1@host")


def test_a_job_with_a_fresh_heartbeat_is_left_alone(store: JobStore, broker: Broker) -> None:
    job_id, _ = running_job(store)
    backdate(store, job_id, started_at=3000, heartbeat_at=59)
    assert reap(store, SETTINGS, broker).requeued == []
    assert store.get(job_id).status is JobStatus.RUNNING
    assert broker.published == []


def test_a_lost_job_is_queued_again_and_published(store: JobStore, broker: Broker) -> None:
    job_id, attempt = running_job(store, time_limit=900.0)
    backdate(store, job_id, started_at=100, heartbeat_at=61)

    assert reap(store, SETTINGS, broker).requeued == [job_id]

    job = store.get(job_id)
    assert (job.status, job.attempts, job.worker) == (JobStatus.QUEUED, 1, None)
    assert job.progress_message == "re-queued: worker lost during attempt 1"
    assert broker.published == [QueuedJob(job_id, "solverq", 900.0)]
    assert not store.heartbeat(job_id, attempt), "the lost attempt must not write any more"
    assert store.claim(job_id) == 2


def test_a_job_lost_too_often_fails_with_the_reason(store: JobStore, broker: Broker) -> None:
    job_id, _ = running_job(store)
    for attempt in (1, 2):
        backdate(store, job_id, started_at=100, heartbeat_at=61)
        assert reap(store, SETTINGS, broker).requeued == [job_id]
        assert store.claim(job_id) == attempt + 1
    backdate(store, job_id, started_at=100, heartbeat_at=61)

    assert reap(store, SETTINGS, broker).failed == [job_id]

    job = store.get(job_id)
    assert (job.status, job.error) == (JobStatus.FAILED, "worker lost 3 times; giving up")
    assert len(broker.published) == 2


@pytest.mark.parametrize("time_limit", [None, 50.0])
def test_a_job_killed_past_its_time_limit_fails_with_it(
    store: JobStore, broker: Broker, time_limit: float | None
) -> None:
    settings = replace(SETTINGS, time_limit=50.0)
    job_id, _ = running_job(store, time_limit=time_limit)
    backdate(store, job_id, started_at=200, heartbeat_at=140)

    assert reap(store, settings, broker).failed == [job_id]

    job = store.get(job_id)
    assert (job.status, job.error) == (JobStatus.FAILED, "job exceeded its time limit of 50 s")
    assert broker.published == []


def test_a_job_queued_long_ago_is_published_again_once(store: JobStore, broker: Broker) -> None:
    old = store.create("echo", {}, queue="gpu", time_limit=5.0)
    recent = store.create("echo", {}, queue="solverq")
    backdate(store, old.id, enqueued_at=601)
    backdate(store, recent.id, enqueued_at=599)

    assert reap(store, SETTINGS, broker).republished == [old.id]
    assert reap(store, SETTINGS, broker).republished == []

    assert broker.published == [QueuedJob(old.id, "gpu", 5.0)]
    assert store.get(old.id).status is JobStatus.QUEUED


def test_jobs_run_by_their_submitting_process_are_not_touched(
    store: JobStore, broker: Broker
) -> None:
    running_id, _ = running_job(store, queue=None)
    queued = store.create("echo", {})
    backdate(store, running_id, started_at=1000, heartbeat_at=1000)
    backdate(store, queued.id, created_at=1000)

    reaping = reap(store, SETTINGS, broker)

    assert (reaping.requeued, reaping.failed, reaping.republished) == ([], [], [])
    assert store.get(running_id).status is JobStatus.RUNNING


def test_finished_jobs_are_not_touched(store: JobStore, broker: Broker) -> None:
    job_id, attempt = running_job(store)
    store.succeed(job_id, attempt, {"slept": 1.0}, {})
    backdate(store, job_id, started_at=1000, heartbeat_at=1000, enqueued_at=1000)
    reap(store, SETTINGS, broker)
    assert store.get(job_id).status is JobStatus.SUCCEEDED
    assert broker.published == []


class Holdings:
    """A broker holding the messages of the given job ids, per queue; counts its full reads."""

    def __init__(self, held: dict[str, set[str]]) -> None:
        self.held = held
        self.reads = 0

    def count(self, queue: str) -> int:
        return len(self.held.get(queue, set()))

    def job_ids(self, queue: str) -> set[str]:
        self.reads += 1
        return set(self.held.get(queue, set()))


def queued_job(store: JobStore, seconds_ago: float, queue: str = "solverq") -> str:
    job_id = store.create("echo", {}, queue=queue).id
    backdate(store, job_id, enqueued_at=seconds_ago)
    return job_id


def test_messages_the_broker_lost_are_published_again_at_once(
    store: JobStore, broker: Broker
) -> None:
    kept, lost, fresh = (queued_job(store, 60), queued_job(store, 60), queued_job(store, 1))
    running_id, _ = running_job(store)
    holdings = Holdings({"solverq": {kept, running_id}})

    reaping = reap(store, SETTINGS, broker, holdings)

    assert reaping.republished == [lost]
    assert broker.published == [QueuedJob(lost, "solverq", None)]
    assert fresh not in reaping.republished  # its message may be on its way
    assert reap(store, SETTINGS, broker, holdings).republished == []  # published just now


def test_a_queue_whose_messages_are_all_held_is_only_counted(
    store: JobStore, broker: Broker
) -> None:
    job_ids = {queued_job(store, 60) for _ in range(20)}
    other = queued_job(store, 60, queue="gpu")
    holdings = Holdings({"solverq": job_ids, "gpu": {other, "a duplicate"}})

    assert reap(store, SETTINGS, broker, holdings).republished == []
    assert holdings.reads == 0 and broker.published == []
