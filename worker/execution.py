"""Running one job: claim it, solve it with its plugin, store the outcome.

The same function serves the Celery task and embedded mode, so a job is stored the same way
wherever it ran.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from plugins.arrays import array_problem
from plugins.contract import jsonable
from plugins.errors import JobCancelled, RejectedRequest, SolveFailed
from plugins.registry import get_plugin
from worker.store import JobRecord, JobStore

log = logging.getLogger(__name__)

ProgressListener = Callable[[float, str], None]
HEARTBEAT_INTERVAL = 1.0


class ProgressReporter:
    """The progress callback a plugin is given: writes progress to the job row at most once per
    `interval` seconds, and raises `JobCancelled` once the row no longer belongs to this attempt."""

    def __init__(
        self,
        store: JobStore,
        job_id: str,
        attempt: int,
        listener: ProgressListener | None = None,
        interval: float = HEARTBEAT_INTERVAL,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.attempt = attempt
        self.listener = listener
        self.interval = interval
        self._last_write = float("-inf")

    def __call__(self, fraction: float, message: str = "") -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if self.listener is not None:
            self.listener(fraction, message)
        now = time.monotonic()
        if now - self._last_write < self.interval:
            return
        self._last_write = now
        if not self.store.heartbeat(self.job_id, self.attempt, fraction, message):
            raise JobCancelled(f"job {self.job_id} is no longer running")


def execute_job(
    store: JobStore, job_id: str, listener: ProgressListener | None = None
) -> JobRecord | None:
    """Run the queued job `job_id`; None when it was not queued (already taken or cancelled)."""
    attempt = store.claim(job_id)
    if attempt is None:
        return None
    job = store.get(job_id)
    try:
        outcome = _solve(store, job, attempt, listener)
    except JobCancelled:
        log.info("job %s stopped: no longer running", job_id)
    except (SolveFailed, RejectedRequest) as error:
        store.fail(job_id, attempt, str(error))
    except MemoryError:
        store.fail(job_id, attempt, "ran out of memory")
    except Exception as error:
        log.exception("job %s: plugin %s raised", job_id, job.plugin)
        store.fail(job_id, attempt, f"plugin {job.plugin} raised {type(error).__name__}: {error}")
    else:
        summary, arrays = outcome
        store.succeed(job_id, attempt, summary, arrays)
    return store.get(job_id)


def _solve(
    store: JobStore, job: JobRecord, attempt: int, listener: ProgressListener | None
) -> tuple[dict, dict]:
    plugin_class = get_plugin(job.plugin).plugin_class
    inputs = store.inputs(job.id)
    params = plugin_class.validate(job.params, inputs)
    result = plugin_class().solve(
        params, inputs, ProgressReporter(store, job.id, attempt, listener)
    )
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
