"""A pool process that dies while running a job: its worker's main process queues the job again
at once, instead of the reaper waiting for the job's heartbeat to go stale.

Celery's main process learns that a pool process exited while running a task (`WorkerLostError`,
after ``worker_lost_wait`` seconds) and, the task acknowledging late and rejecting on a lost
worker, puts its message back in the queue. Before that, `JobRequest` puts the job back in the
queued state if it is still running on this worker (or fails it after ``SOLVERQ_MAX_ATTEMPTS``
starts): the message, delivered again, then claims it and runs it. The job's row names the
worker that claimed it, so a job that meanwhile moved to another worker is left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from billiard.exceptions import WorkerLostError
from celery.worker.request import Request

from solverq.worker.settings import Settings
from solverq.worker.store.database import describe
from solverq.worker.store.factory import job_store
from solverq.worker.store.recovery import requeue_dead_attempt

log = logging.getLogger(__name__)


class JobRequest(Request):
    """The request of a job's message in a worker's main process."""

    def on_failure(
        self, exc_info: Any, send_failed_event: bool = True, return_ok: bool = False
    ) -> Any:
        """Queue the job again when its pool process died, then let Celery requeue the
        message."""
        error = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(error, WorkerLostError):
            requeue_lost_job(self.id, self.hostname)
        return super().on_failure(exc_info, send_failed_event, return_ok)


def requeue_lost_job(job_id: str, worker: str) -> None:
    """Queue the job again (or fail it) if it is still running on `worker`; errors are logged,
    and the reaper recovers the job once its heartbeat is stale."""
    settings = Settings.from_environment()
    note = "re-queued: its worker process died"
    try:
        database = job_store(settings).database
        status = requeue_dead_attempt(database, job_id, worker, settings.max_attempts, note)
    except Exception as error:
        log.warning(
            "job %s: cannot queue it again after its process died: %s", job_id, describe(error)
        )
        return
    if status is not None:
        log.warning("job %s %s after its worker process died", job_id, status.value)
