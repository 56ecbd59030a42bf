"""Publishing job ids to the broker."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from celery import Celery

from worker.celery_app import RUN_JOB_TASK, create_app
from worker.settings import Settings


@functools.cache
def _producer(broker_url: str, time_limit: float) -> Celery:
    return create_app(broker_url, time_limit)


def enqueue(job_ids: Iterable[str], settings: Settings) -> None:
    """Publish one message per job id, over one broker connection."""
    assert settings.broker_url is not None
    app = _producer(settings.broker_url, settings.time_limit)
    with app.producer_or_acquire() as producer:
        for job_id in job_ids:
            app.send_task(RUN_JOB_TASK, args=[job_id], task_id=job_id, producer=producer)


def revoke(job_id: str, settings: Settings) -> None:
    """Ask the workers to drop the job's message and stop it if it runs."""
    assert settings.broker_url is not None
    _producer(settings.broker_url, settings.time_limit).control.revoke(job_id, terminate=True)
