"""Publishing jobs to the broker: JSON messages that carry a job id, or the ids of a chunk of a
sweep's jobs, and nothing else; the time limits ride in their headers, so that Celery stops a job
that runs too long. And what a Redis broker holds of them, for the reaper to notice messages the
broker lost."""

from __future__ import annotations

import base64
import functools
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from celery import Celery

from solverq.worker.settings import HARD_TIME_LIMIT_GRACE, Settings
from solverq.worker.store.recovery import QueuedJob

RUN_JOB_TASK = "solverq.run_job"
RUN_JOBS_TASK = "solverq.run_jobs"


WORKER_LOST_WAIT = 2.0
"""Seconds the main process waits for the outcome of a pool process that exited before it calls
the process lost (Celery's default, 10, delays the job's recovery by as much); the outcome is
in the database in any case."""


def create_app(settings: Settings) -> Celery:
    """A Celery app for the settings' broker: JSON only, acknowledged once the job ended."""
    app = Celery("solverq", broker=settings.broker_url, include=["solverq.worker.tasks"])
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_default_queue=settings.queue,
        worker_prefetch_multiplier=1,
        worker_lost_wait=WORKER_LOST_WAIT,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
    )
    return app


@functools.cache
def _producer(settings: Settings) -> Celery:
    return create_app(settings)


os.register_at_fork(after_in_child=_producer.cache_clear)


def enqueue(jobs: Iterable[QueuedJob], settings: Settings) -> None:
    """Publish one message per job (see `_publish`).

    A job past its time limit gets `SoftTimeLimitExceeded` raised in it; one that does not stop
    within `HARD_TIME_LIMIT_GRACE` seconds more has its process killed.
    """
    _publish(
        (
            _Message(
                RUN_JOB_TASK, [job.id], job.id, job.queue, settings.job_time_limit(job.time_limit)
            )
            for job in jobs
        ),
        settings,
    )


@dataclass(frozen=True)
class QueuedChunk:
    """Jobs of one queue and time limit to publish in one message, to be run in this order by
    one worker; `seconds` is their estimated run time in all."""

    id: str
    job_ids: list[str]
    queue: str
    time_limit: float | None
    seconds: float


def enqueue_chunks(chunks: Iterable[QueuedChunk], settings: Settings) -> None:
    """Publish one message per chunk, as `enqueue` publishes one per job. Its time limit is the
    jobs' time limit plus the chunk's estimated seconds: a job of a chunk that started late by
    as much as its predecessors were expected to take still has its whole limit."""
    _publish(
        (
            _Message(
                RUN_JOBS_TASK,
                [chunk.job_ids],
                chunk.id,
                chunk.queue,
                settings.job_time_limit(chunk.time_limit) + chunk.seconds,
            )
            for chunk in chunks
        ),
        settings,
    )


@dataclass(frozen=True)
class _Message:
    """A task to publish: its arguments, id, queue and time limit in seconds."""

    task: str
    args: list[Any]
    id: str
    queue: str
    time_limit: float


def _publish(messages: Iterable[_Message], settings: Settings) -> None:
    """Publish the messages over one broker connection, in pipelined batches (one round trip
    per thousand messages rather than one per message), each queue declared once, before its
    first message, rather than with every message."""
    app = _producer(settings)
    declared: set[str] = set()
    with app.producer_or_acquire() as producer, producer.batch():
        for message in messages:
            already_declared = message.queue in declared
            declared.add(message.queue)
            app.send_task(
                message.task,
                args=message.args,
                task_id=message.id,
                queue=message.queue,
                soft_time_limit=message.time_limit,
                time_limit=message.time_limit + HARD_TIME_LIMIT_GRACE,
                producer=producer,
                declare=[] if already_declared else None,  # None: the queue, as Celery does
            )


def revoke(job_id: str, settings: Settings) -> None:
    """Ask the workers to drop the job's message if it is still waiting in one of them."""
    _producer(settings).control.revoke(job_id)


class BrokerHoldings(Protocol):
    """What the broker holds for a queue: the messages waiting in it and those delivered but
    not yet acknowledged (a job's message is acknowledged once the job ended)."""

    def count(self, queue: str) -> int:
        """How many messages it holds for `queue` (a chunk's is one)."""

    def job_ids(self, queue: str) -> set[str]:
        """The ids of the jobs its messages for `queue` carry."""


class RedisHoldings:
    """`BrokerHoldings` of a Redis broker, as kombu keeps them: a list per queue and priority,
    and one hash of unacknowledged messages. `count` costs a length per list and a read of the
    unacknowledged messages (a few per worker process), whatever the depth of the queue;
    `job_ids` reads the whole queue, for when the counts show a loss."""

    def __init__(self, channel: Any) -> None:
        self.channel = channel
        self.client = channel.client

    def count(self, queue: str) -> int:
        waiting = sum(self.client.llen(key) for key in self._lists(queue))
        return waiting + len(self._unacknowledged(queue))

    def job_ids(self, queue: str) -> set[str]:
        ids = {job_id for message in self._unacknowledged(queue) for job_id in _job_ids(message)}
        for key in self._lists(queue):
            for entry in self.client.lrange(key, 0, -1):
                ids.update(_job_ids(json.loads(entry)))
        return ids

    def _lists(self, queue: str) -> list[str]:
        return [self.channel._q_for_pri(queue, step) for step in self.channel.priority_steps]

    def _unacknowledged(self, queue: str) -> list[dict[str, Any]]:
        entries = (json.loads(entry) for entry in self.client.hvals(self.channel.unacked_key))
        return [message for message, _, routing_key in entries if routing_key == queue]


@contextmanager
def broker_holdings(settings: Settings) -> Iterator[BrokerHoldings | None]:
    """What the broker holds, over one connection; None for a broker other than Redis."""
    with _producer(settings).connection_for_write() as connection:
        if connection.transport.driver_type != "redis":
            yield None
            return
        yield RedisHoldings(connection.default_channel)


def _job_ids(message: dict[str, Any]) -> list[str]:
    """The ids of the jobs a message (as kombu keeps it in Redis) carries: its task id, or for
    a chunk the ids its body lists."""
    headers = message.get("headers", {})
    if headers.get("task") != RUN_JOBS_TASK:
        return [headers.get("id", "")]
    body = message.get("body", "")
    if message.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args, _, _ = json.loads(body)
    return list(args[0])
