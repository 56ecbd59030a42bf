"""The entry point of the workers (``celery -A solverq.worker.celery_app``): the Celery app of
the settings in the environment, read when this module is imported (the only module that does),
with the reaper running in every worker.

`solverq worker` (or ``celery -A solverq.worker.celery_app worker``) serves the broker named by
``SOLVERQ_BROKER_URL``. The database is the source of truth: a message only says "job X may be
ready"; a worker claims the job in the database before running it, so a duplicate message is
harmless and a lost one is published again by the reaper that runs in every worker.
"""

from __future__ import annotations

from typing import ClassVar

from celery import bootsteps

from solverq.worker.queue import create_app
from solverq.worker.reaper import ReaperThread
from solverq.worker.settings import Settings


class ReaperStep(bootsteps.StartStopStep):
    """Runs the reaper in each worker's main process, once the pool processes exist."""

    requires: ClassVar = {"celery.worker.components:Pool"}

    def start(self, parent: object) -> None:
        self.reaper = ReaperThread(settings)
        self.reaper.start()

    def stop(self, parent: object) -> None:
        self.reaper.stop()


settings = Settings.from_environment()
app = create_app(settings)
app.steps["worker"].add(ReaperStep)
