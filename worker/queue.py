"""Publishing jobs to the broker: JSON messages that carry a job id, and nothing else; the time
limits ride in their headers, so that Celery stops a job that runs too long."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

from celery import Celery

from solverq.worker.settings import HARD_TIME_LIMIT_GRACE, Settings
from solverq.worker.store.recovery import QueuedJob

RUN_JOB_TASK = "solverq.run_job"


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
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
    )
    return app


@functools.cache
def _producer(settings: Settings) -> Celery:
    return create_app(settings)


os.register_at_fork(after_in_child=_producer.cache_clear)


def enqueue(jobs: Iterable[QueuedJob], settings: Settings) -> None:
    """Publish one message per job, over one broker connection, in pipelined batches (one round
    trip per thousand messages rather than one per message). Each queue is declared once, before
    its first message, rather than with every message.

    A job past its time limit gets `SoftTimeLimitExceeded` raised in it; one that does not stop
    within `HARD_TIME_LIMIT_GRACE` seconds more has its process killed.
    """
    app = _producer(settings)
    declared: set[str] = set()
    with app.producer_or_acquire() as producer, producer.batch():
        for job in jobs:
            already_declared = job.queue in declared
            declared.add(job.queue)
            time_limit = settings.job_time_limit(job.time_limit)
            app.send_task(
                RUN_JOB_TASK,
                args=[job.id],
                task_id=job.id,
                queue=job.queue,
                soft_time_limit=time_limit,
                time_limit=time_limit + HARD_TIME_LIMIT_GRACE,
                producer=producer,
                declare=[] if already_declared else None,  # None: the queue, as Celery does
            )


def revoke(job_id: str, settings: Settings) -> None:
    """Ask the workers to drop the job's message if it is still waiting in one of them."""
    _producer(settings).control.revoke(job_id)
