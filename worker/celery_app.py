"""The Celery application: JSON messages that carry a job id, and nothing else.

`solverq worker` (or ``celery -A worker.celery_app worker``) serves the broker named by
``SOLVERQ_BROKER_URL``. The database is the source of truth: a message only says "job X may be
ready"; a worker claims the job in the database before running it, so a duplicate message is
harmless and a lost one is published again by the reaper that runs in every worker.
"""

from __future__ import annotations

from typing import ClassVar

from celery import Celery, bootsteps

from solverq.worker.settings import Settings

RUN_JOB_TASK = "solverq.run_job"
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


class ReaperStep(bootsteps.StartStopStep):
    """Runs the reaper in each worker's main process, once the pool processes exist."""

    requires: ClassVar = {"celery.worker.components:Pool"}

    def start(self, parent: object) -> None:
        from solverq.worker.reaper import ReaperThread

        self.reaper = ReaperThread(settings)
        self.reaper.start()

    def stop(self, parent: object) -> None:
        self.reaper.stop()


settings = Settings.from_environment()
app = create_app(settings)
app.steps["worker"].add(ReaperStep)
