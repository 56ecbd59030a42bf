"""Running one job: claim it, solve it with its plugin, store the outcome.

The same function serves the Celery task and embedded mode, so a job is stored the same way
wherever it ran.
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded

from plugins.arrays import array_problem
from plugins.contract import jsonable
from plugins.errors import JobCancelled, RejectedRequest, SolveFailed
from plugins.registry import get_plugin
from worker.heartbeat import Heartbeat, ProgressListener
from worker.settings import Settings
from worker.store import JobRecord, JobStore

log = logging.getLogger(__name__)

__all__ = ["ProgressListener", "execute_job"]


def execute_job(
    store: JobStore,
    job_id: str,
    listener: ProgressListener | None = None,
    *,
    settings: Settings | None = None,
    worker: str | None = None,
) -> JobRecord | None:
    """Run the queued job `job_id`; None when it was not queued (already taken or cancelled).

    `worker` names who runs it, for the job row. A failure to store the outcome (the database
    went away for longer than the retries) propagates: the job stays running without a
    heartbeat, and the reaper runs it again.
    """
    settings = settings or Settings.from_environment()
    attempt = store.claim(job_id, worker)
    if attempt is None:
        return None
    job = store.get(job_id)
    try:
        with Heartbeat(store, job_id, attempt, settings.heartbeat_interval, listener) as heartbeat:
            summary, arrays = _solve(store, job, heartbeat)
    except JobCancelled:
        log.info("job %s stopped: no longer running", job_id)
    except SoftTimeLimitExceeded:
        limit = settings.job_time_limit(job.time_limit)
        store.fail(job_id, attempt, f"job exceeded its time limit of {limit:g} s")
    except (SolveFailed, RejectedRequest) as error:
        store.fail(job_id, attempt, str(error))
    except MemoryError:
        store.fail(job_id, attempt, "ran out of memory")
    except Exception as error:
        log.exception("job %s: plugin %s raised", job_id, job.plugin)
        store.fail(job_id, attempt, f"plugin {job.plugin} raised {type(error).__name__}: {error}")
    else:
        store.succeed(job_id, attempt, summary, arrays)
    return store.get(job_id)


def _solve(store: JobStore, job: JobRecord, heartbeat: Heartbeat) -> tuple[dict, dict]:
    plugin_class = get_plugin(job.plugin).plugin_class
    inputs = store.inputs(job.id)
    params = plugin_class.validate(job.params, inputs)
    result = plugin_class().solve(params, inputs, heartbeat.progress)
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
