"""Running one job: claim it, solve it with its plugin, store the outcome.

The same function serves the Celery task and embedded mode, so a job is stored the same way
wherever it ran.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import numpy as np

from solverq.plugins.arrays import array_problem
from solverq.plugins.contract import jsonable
from solverq.plugins.errors import JobCancelled, RejectedRequest, SolveFailed
from solverq.plugins.registry import get_plugin
from solverq.worker.heartbeat import Heartbeat, ProgressListener
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore
from solverq.worker.store.records import StartedJob

log = logging.getLogger(__name__)

__all__ = ["ProgressListener", "execute_job", "run_in_turn"]


class _NoTimeLimit(Exception):
    """Stands for Celery's soft time limit where Celery is not loaded (embedded mode)."""


def execute_job(
    store: JobStore,
    job_id: str,
    listener: ProgressListener | None = None,
    *,
    settings: Settings | None = None,
    worker: str | None = None,
) -> bool:
    """Run the queued job `job_id`; False when it was not queued (already taken or cancelled).

    `worker` names who runs it, for the job row. A failure to store the outcome (the database
    went away for longer than the retries) propagates: the job stays running without a
    heartbeat, and the reaper runs it again.
    """
    settings = settings or Settings.from_environment()
    job = store.start(job_id, worker)
    if job is None:
        return False
    try:
        with Heartbeat(store, job_id, job.attempt, settings.heartbeat_interval, listener) as beat:
            summary, arrays = _solve(job, beat)
    except JobCancelled:
        log.info("job %s stopped: no longer running", job_id)
    except _soft_time_limit():
        limit = settings.job_time_limit(job.time_limit)
        store.fail(job_id, job.attempt, f"job exceeded its time limit of {limit:g} s")
    except SolveFailed as error:
        store.fail(job_id, job.attempt, str(error), arrays=_storable(job, error.arrays))
    except RejectedRequest as error:
        store.fail(job_id, job.attempt, str(error))
    except MemoryError:
        store.fail(job_id, job.attempt, "ran out of memory")
    except Exception as error:
        log.exception("job %s: plugin %s raised", job_id, job.plugin)
        error_text = f"plugin {job.plugin} raised {type(error).__name__}: {error}"
        store.fail(job_id, job.attempt, error_text)
    else:
        store.succeed(job_id, job.attempt, summary, arrays)
    return True


def run_in_turn(
    store: JobStore,
    job_ids: Sequence[str],
    listener: ProgressListener | None = None,
    *,
    settings: Settings | None = None,
) -> None:
    """Run stored jobs in this process one after the other (embedded mode). `listener` hears the
    progress of the whole batch. If this is interrupted (Ctrl-C), the jobs that did not finish
    are cancelled, since no worker would ever take them."""
    total = len(job_ids)
    try:
        for done, job_id in enumerate(job_ids):
            execute_job(store, job_id, _batch_listener(listener, done, total), settings=settings)
            if listener is not None and total > 1:
                listener((done + 1) / total, f"{done + 1}/{total} jobs")
    except BaseException:
        store.cancel_unfinished(job_ids, "interrupted")
        raise


def _batch_listener(
    listener: ProgressListener | None, done: int, total: int
) -> ProgressListener | None:
    """`listener` as one job of `total` (of which `done` finished) reports to it."""
    if listener is None or total == 1:
        return listener

    def report(fraction: float, message: str) -> None:
        listener((done + fraction) / total, f"{done}/{total} jobs {message}".strip())

    return report


def _soft_time_limit() -> type[Exception]:
    """Celery's soft time-limit exception, without importing Celery where no worker runs."""
    exceptions = sys.modules.get("celery.exceptions")
    return exceptions.SoftTimeLimitExceeded if exceptions else _NoTimeLimit


def _solve(job: StartedJob, heartbeat: Heartbeat) -> tuple[dict, dict]:
    plugin_class = get_plugin(job.plugin).plugin_class
    params = plugin_class.validate(job.params, job.inputs)
    result = plugin_class().solve(params, job.inputs, heartbeat.progress)
    try:
        summary = jsonable(result.summary)
    except TypeError as error:
        raise SolveFailed(
            f"plugin {job.plugin} returned a summary that is not JSON: {error}"
        ) from None
    for name, array in result.arrays.items():
        problem = array_problem(name, array)
        if problem:
            raise SolveFailed(f"plugin {job.plugin} returned an unstorable {problem}")
    return summary, result.arrays


def _storable(job: StartedJob, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays a failed job carries, or none if any of them cannot be stored (logged)."""
    for name, array in arrays.items():
        problem = array_problem(name, array)
        if problem:
            log.warning(
                "job %s: plugin %s failed with an unstorable %s", job.id, job.plugin, problem
            )
            return {}
    return arrays
