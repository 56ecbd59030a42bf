"""Running one job: claim it, solve it with its plugin, store the outcome.

The same function serves the Celery task and embedded mode, so a job is stored the same way
wherever it ran.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace

import numpy as np

from solverq.plugins.arrays import array_problem
from solverq.plugins.contract import jsonable
from solverq.plugins.errors import JobCancelled, RejectedRequest, SolveFailed
from solverq.plugins.registry import get_plugin
from solverq.worker.deadline import Deadline, TimeLimitExceeded
from solverq.worker.heartbeat import Heartbeat, ProgressListener
from solverq.worker.memory_cap import memory_cap
from solverq.worker.provenance import job_provenance
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore
from solverq.worker.store.chunk_store import Outcome
from solverq.worker.store.database import database_unreachable, describe
from solverq.worker.store.models import utcnow
from solverq.worker.store.records import StartedJob

log = logging.getLogger(__name__)

__all__ = ["ProgressListener", "attempt_job", "execute_job", "run_in_turn", "store_outcome"]


def execute_job(
    store: JobStore,
    job_id: str,
    listener: ProgressListener | None = None,
    *,
    settings: Settings | None = None,
    worker: str | None = None,
) -> bool:
    """Run the queued job `job_id`; False when it was not queued (already taken or cancelled).

    `worker` names who runs it, for the job row. A database that cannot be reached while the
    outcome is stored (for longer than the retries) propagates: the job stays running without a
    heartbeat, and the reaper runs it again. Any other error storing a result (one too big for
    the database, say) fails the job with that error, once: running it again would not help.
    """
    settings = settings or Settings.from_environment()
    job = store.start(job_id, worker)
    if job is None:
        return False
    outcome = attempt_job(store, job, listener, settings=settings, worker=worker)
    if outcome is not None:
        store_outcome(store, outcome)
    return True


def attempt_job(
    store: JobStore,
    job: StartedJob,
    listener: ProgressListener | None = None,
    *,
    settings: Settings,
    worker: str | None,
) -> Outcome | None:
    """Run a claimed job, with its heartbeat, memory cap and time limit; how it ended, or None
    when it stopped because its attempt lost the job (cancelled, or given to another worker)."""
    started_at = utcnow()
    provenance = job_provenance(job.plugin, job.params, worker)
    limit = settings.job_time_limit(job.time_limit)
    deadline = Deadline(limit) if settings.embedded else nullcontext()

    def failed(error: str, arrays: dict[str, np.ndarray] | None = None) -> Outcome:
        return Outcome(
            job.id, job.attempt, provenance, error=error, arrays=arrays or {}, started_at=started_at
        )

    try:
        with (
            Heartbeat(store, job.id, job.attempt, settings.heartbeat_interval, listener) as beat,
            memory_cap(settings.max_job_memory),
            deadline,
        ):
            summary, arrays = _solve(job, beat)
    except JobCancelled:
        log.info("job %s stopped: no longer running", job.id)
        return None
    except time_limit_exceptions():
        return replace(failed(f"job exceeded its time limit of {limit:g} s"), timed_out=True)
    except SolveFailed as error:
        return failed(str(error), _storable(job, error.arrays))
    except RejectedRequest as error:
        return failed(str(error))
    except MemoryError:
        return failed(_out_of_memory(settings))
    except Exception as error:
        if settings.max_job_memory is not None and refused_mapping(error):
            return failed(_out_of_memory(settings))
        log.exception("job %s: plugin %s raised", job.id, job.plugin)
        return failed(f"plugin {job.plugin} raised {type(error).__name__}: {error}")
    return Outcome(
        job.id, job.attempt, provenance, summary=summary, arrays=arrays, started_at=started_at
    )


def store_outcome(store: JobStore, outcome: Outcome) -> None:
    """Store the outcome of an attempt (if the attempt still owns its job). A result the
    database refuses fails the job with the reason; a database that cannot be reached
    propagates."""
    if outcome.summary is None:
        store.fail(
            outcome.job_id,
            outcome.attempt,
            outcome.error or "",
            outcome.provenance,
            arrays=outcome.arrays,
        )
        return
    try:
        store.succeed(
            outcome.job_id, outcome.attempt, outcome.summary, outcome.arrays, outcome.provenance
        )
    except Exception as error:
        if database_unreachable(error):
            raise
        log.exception("job %s: cannot store its result", outcome.job_id)
        error_text = f"cannot store the result: {describe(error)}"
        store.fail(outcome.job_id, outcome.attempt, error_text, outcome.provenance)


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


def _out_of_memory(settings: Settings) -> str:
    if settings.max_job_memory is None:
        return "out of memory"
    return (
        f"out of memory: the job needed more than {settings.max_job_memory:,} bytes "
        "(SOLVERQ_MAX_JOB_MEMORY)"
    )


def refused_mapping(error: Exception) -> bool:
    """Whether `error` is the address-space cap refusing to map memory or a shared library,
    which the system reports as an `OSError` (ENOMEM) or, loading an extension module, as an
    `ImportError` rather than as `MemoryError`."""
    if isinstance(error, OSError) and error.errno == errno.ENOMEM:
        return True
    message = str(error).lower()
    return isinstance(error, ImportError) and (
        "failed to map segment" in message or "cannot allocate memory" in message
    )


def time_limit_exceptions() -> tuple[type[Exception], ...]:
    """The exceptions that stop a job past its time limit: ours (embedded mode) and Celery's
    soft time limit, without importing Celery where no worker runs."""
    exceptions = sys.modules.get("celery.exceptions")
    celery = (exceptions.SoftTimeLimitExceeded,) if exceptions else ()
    return (TimeLimitExceeded, *celery)


def _solve(job: StartedJob, heartbeat: Heartbeat) -> tuple[dict, dict]:
    plugin_class = get_plugin(job.plugin).plugin_class
    params = plugin_class.validate(job.params, job.inputs)
    # A plugin tells a run that overflowed or diverged by its values and says so in its result
    # or failure; numpy's warning of each overflow would only clutter the terminal or the log.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
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
