"""What reaches the broker: one JSON message per job, carrying its id and its time limits."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import replace

import pytest
import redis

from solverq.plugins.errors import RejectedRequest, SolverqError
from solverq.worker import service, sweep_service
from solverq.worker.queue import RUN_JOBS_TASK, broker_holdings
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore

pytestmark = pytest.mark.redis


@pytest.fixture
def broker_settings(store: JobStore, redis_url: str, test_plugins) -> Settings:
    return Settings(
        database_url=store.database.url,
        broker_url=redis_url,
        time_limit=60.0,
        queue=f"solverq-test-{uuid.uuid4().hex[:12]}",
    )


def messages(redis_url: str, queue: str) -> list[dict]:
    """The messages waiting in `queue`, oldest first, with their bodies decoded."""
    client = redis.Redis.from_url(redis_url)
    raw = [json.loads(item) for item in reversed(client.lrange(queue, 0, -1))]
    client.close()
    for message in raw:
        assert message["properties"]["body_encoding"] == "base64"
        message["body"] = json.loads(base64.b64decode(message["body"]))
    return raw


def test_a_message_is_json_with_the_job_id_and_its_time_limits(
    store: JobStore, broker_settings: Settings, redis_url: str
) -> None:
    job = service.submit("echo", {"scale": 2.0}, time_limit=5.0, settings=broker_settings)

    [message] = messages(redis_url, broker_settings.queue)

    assert message["content-type"] == "application/json"
    args, kwargs, _ = message["body"]
    assert (args, kwargs) == ([job.id], {})
    assert message["headers"]["id"] == job.id
    assert message["headers"]["timelimit"] == [15.0, 5.0]
    assert (job.status, job.queue) == (JobStatus.QUEUED, broker_settings.queue)


def test_jobs_without_a_time_limit_get_the_default(
    broker_settings: Settings, redis_url: str
) -> None:
    service.submit("echo", settings=broker_settings)
    [message] = messages(redis_url, broker_settings.queue)
    assert message["headers"]["timelimit"] == [70.0, 60.0]


def test_many_jobs_are_stored_and_published_together(
    store: JobStore, broker_settings: Settings, redis_url: str
) -> None:
    param_sets = [{"scale": float(scale)} for scale in range(1, 6)]

    job_ids = service.submit_many("echo", param_sets, queue="gpu-test", settings=broker_settings)

    assert [store.get(job_id).params["scale"] for job_id in job_ids] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [message["body"][0] for message in messages(redis_url, "gpu-test")] == [
        [job_id] for job_id in job_ids
    ]


def test_a_sweep_of_short_jobs_goes_in_chunks_that_the_reaper_reads(
    store: JobStore, broker_settings: Settings, redis_url: str
) -> None:
    xs = [float(x) for x in range(1, 151)]
    sweep = sweep_service.start_sweep(
        "invert", {"x": xs, "seconds": [0.0, 0.001]}, time_limit=5.0, settings=broker_settings
    )
    job_ids = [sweep.created[point] for point in range(300)]

    sent = messages(redis_url, broker_settings.queue)

    assert [message["body"][0] for message in sent] == [
        [job_ids[:100]],
        [job_ids[100:200]],
        [job_ids[200:]],
    ]
    assert {message["headers"]["task"] for message in sent} == {RUN_JOBS_TASK}
    # The jobs' 5 s, and the 0.1 s the chunk is expected to take.
    assert sent[0]["headers"]["timelimit"] == pytest.approx([15.1, 5.1])
    with broker_holdings(broker_settings) as holdings:
        assert holdings is not None
        assert holdings.count(broker_settings.queue) == 3
        assert holdings.job_ids(broker_settings.queue) == set(job_ids)


def test_one_invalid_parameter_set_stores_nothing(
    store: JobStore, broker_settings: Settings, redis_url: str
) -> None:
    with pytest.raises(RejectedRequest, match="parameter 'scale' of echo must be greater than 0"):
        service.submit_many("echo", [{"scale": 1.0}, {"scale": -1.0}], settings=broker_settings)
    assert store.list() == []
    assert messages(redis_url, broker_settings.queue) == []


@pytest.mark.parametrize("time_limit", [0.0, -1.0, 86401.0])
def test_time_limits_beyond_the_bounds_are_refused(
    broker_settings: Settings, time_limit: float
) -> None:
    with pytest.raises(RejectedRequest, match="time limit must be a positive number of seconds"):
        service.submit("echo", time_limit=time_limit, settings=broker_settings)


def test_a_job_stays_queued_when_the_broker_cannot_be_reached(
    store: JobStore, broker_settings: Settings
) -> None:
    unreachable = replace(broker_settings, broker_url="redis://127.0.0.1:9/0")

    with pytest.raises(SolverqError, match=r"stored but the broker redis://127\.0\.0\.1:9/0"):
        service.submit("echo", settings=unreachable)

    [job] = store.list()
    assert (job.status, job.queue) == (JobStatus.QUEUED, broker_settings.queue)


def test_jobs_stay_queued_when_a_batch_of_messages_fails_midway(
    store: JobStore, broker_settings: Settings, monkeypatch
) -> None:
    from kombu.exceptions import BatchPublishError
    from kombu.transport.redis import PublishBatch

    def fail(batch: PublishBatch) -> None:
        raise BatchPublishError("Redis publish batch failed; delivery is uncertain")

    monkeypatch.setattr(PublishBatch, "flush", fail)

    with pytest.raises(SolverqError, match="3 jobs are stored but the broker"):
        service.submit_many("echo", [{}] * 3, settings=broker_settings)

    assert {job.status for job in store.list()} == {JobStatus.QUEUED}
