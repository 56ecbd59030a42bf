"""The job service: submit, wait for, look at and cancel jobs.

The command line and the Python API are thin layers over these functions. With a broker
configured a submitted job is stored and its id enqueued for the workers; without one (embedded
mode) it runs in this process and is stored exactly as a worker would store it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from plugins.arrays import array_problem
from plugins.errors import RejectedRequest
from plugins.parameters import stored_parameters
from plugins.registry import get_plugin
from worker.execution import ProgressListener, execute_job
from worker.settings import Settings
from worker.store import JobRecord, JobStore, open_database

POLL_INTERVAL = 0.2


def job_store(settings: Settings | None = None) -> JobStore:
    """The job store the settings (by default, the environment) name."""
    settings = settings or Settings.from_environment()
    return JobStore(open_database(settings.database_url))


def submit(
    plugin: str,
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    time_limit: float | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> JobRecord:
    """Validate and store a job, then run it here (embedded) or enqueue it (broker)."""
    settings = settings or Settings.from_environment()
    inputs = dict(inputs or {})
    for name, array in inputs.items():
        problem = array_problem(name, array)
        if problem:
            raise RejectedRequest(problem)
    if time_limit is not None and not time_limit > 0:
        raise RejectedRequest(f"time limit must be a positive number of seconds, got {time_limit}")
    validated = get_plugin(plugin).plugin_class.validate(params or {}, inputs)
    store = job_store(settings)
    job = store.create(plugin, stored_parameters(validated), inputs, time_limit=time_limit)
    if settings.embedded:
        execute_job(store, job.id, listener)
    else:
        from worker.queue import enqueue

        enqueue([job.id], settings)
    return store.get(job.id)


def wait(
    job_id: str,
    *,
    timeout: float | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> JobRecord:
    """Poll the store until the job has finished (or `timeout` seconds passed)."""
    store = job_store(settings)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        job = store.get(job_id)
        if listener is not None:
            listener(job.progress, job.progress_message)
        if job.finished or (deadline is not None and time.monotonic() >= deadline):
            return job
        time.sleep(POLL_INTERVAL)


def cancel(job_id: str, *, settings: Settings | None = None) -> JobRecord:
    """Cancel a queued or running job; a running worker stops at its next progress report."""
    settings = settings or Settings.from_environment()
    job = job_store(settings).cancel(job_id)
    if not settings.embedded:
        from worker.queue import revoke

        revoke(job.id, settings)
    return job
