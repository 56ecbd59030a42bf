"""The job service: submit, wait for, look at and cancel jobs.

The command line and the Python API are thin layers over these functions. With a broker
configured a submitted job is stored and its id enqueued for the workers; without one (embedded
mode) it runs in this process and is stored exactly as a worker would store it.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

from solverq.plugins.arrays import array_problem
from solverq.plugins.errors import RejectedRequest, SolverqError
from solverq.plugins.parameters import assign, stored_parameters
from solverq.plugins.registry import get_plugin
from solverq.worker.digest import content_digest
from solverq.worker.execution import ProgressListener, run_in_turn
from solverq.worker.lost_jobs import fail_lost
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus, JobStore
from solverq.worker.store.database import redacted
from solverq.worker.store.factory import job_store
from solverq.worker.store.models import utcnow
from solverq.worker.store.recovery import QueuedJob
from solverq.worker.store.tagging import checked_queue

POLL_INTERVAL = 0.2


class _Finishes(Protocol):
    @property
    def finished(self) -> bool: ...


Finishing = TypeVar("Finishing", bound=_Finishes)

JobRunner = Callable[[Sequence[str]], None]
"""Runs stored embedded jobs by id somewhere other than in turn in this process (a pool of
local processes, for a server)."""


@dataclass(frozen=True)
class Submission:
    """A submitted job, and whether it is an earlier job reused in place of a new one."""

    job: JobRecord
    reused: bool


def submit(
    plugin: str,
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    **options: Any,
) -> JobRecord:
    """Validate and store a job, then run it here (embedded) or enqueue it (broker); with
    `reuse=True`, an earlier job with the same content digest instead. `options` as for
    `submit_job`."""
    return submit_job(plugin, params, inputs, **options).job


def submit_job(
    plugin: str,
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    reuse: bool = False,
    tags: Mapping[str, str] | None = None,
    note: str | None = None,
    time_limit: float | None = None,
    queue: str | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
    runner: JobRunner | None = None,
) -> Submission:
    """Validate and store a job, then run it here (embedded) or enqueue it (broker).

    With `reuse`, the job is not run when one with the same content digest (same plugin and
    version, parameters and inputs) succeeded, or is queued or running: that job is returned
    as it is, its own tags and note unchanged. `queue` is the broker queue (default:
    ``SOLVERQ_QUEUE``); `listener` hears the progress of a job run here; `runner`, when given,
    runs an embedded job instead.
    """
    settings = settings or Settings.from_environment()
    batch = submit_batch(
        plugin,
        [params or {}],
        inputs,
        reuse=reuse,
        tags=tags,
        note=note,
        time_limit=time_limit,
        queue=queue,
        settings=settings,
        listener=listener,
        runner=runner,
    )
    [job_id] = batch.job_ids
    return Submission(job_store(settings).get(job_id), reused=job_id in batch.reused)


def submit_many(
    plugin: str,
    param_sets: Sequence[Mapping[str, Any]],
    inputs: Mapping[str, np.ndarray] | None = None,
    **options: Any,
) -> list[str]:
    """`submit_batch`'s job ids."""
    return submit_batch(plugin, param_sets, inputs, **options).job_ids


@dataclass(frozen=True)
class Batch:
    """The jobs of submitted parameter sets, in their order, and those that were reused."""

    job_ids: list[str]
    reused: set[str]


def submit_batch(
    plugin: str,
    param_sets: Sequence[Mapping[str, Any]],
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    reuse: bool = False,
    tags: Mapping[str, str] | None = None,
    note: str | None = None,
    time_limit: float | None = None,
    queue: str | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
    runner: JobRunner | None = None,
) -> Batch:
    """Validate and store one job per parameter set (same plugin and inputs), in one
    transaction, then run them here one after the other or hand them to `runner` (embedded),
    or publish them over one broker connection. Nothing is stored unless every parameter set
    is valid. With `reuse`, a parameter set that an earlier job computed (see `submit_job`) is
    not stored again.

    Returns the job ids, in the order of `param_sets`, and which of them were reused.
    """
    settings = settings or Settings.from_environment()
    inputs = dict(inputs or {})
    stored = validate_many(plugin, param_sets, inputs, time_limit=time_limit, settings=settings)
    digests = job_digests(plugin, stored, inputs)
    checked_queue(queue)
    queue = None if settings.embedded else (queue or settings.queue)
    store = job_store(settings)
    reusable = store.reusable(digests) if reuse else {}
    fresh = [index for index, digest in enumerate(digests) if digest not in reusable]
    new_ids = store.create_many(
        plugin,
        [stored[index] for index in fresh],
        inputs,
        digests=[digests[index] for index in fresh],
        tags=tags,
        note=note,
        time_limit=time_limit,
        queue=queue,
    )

    def run_here(job_ids: Sequence[str]) -> None:
        run_in_turn(store, job_ids, listener, settings=settings)

    start_jobs(new_ids, queue, time_limit, settings, runner or run_here)
    created = dict(zip(fresh, new_ids, strict=True))
    job_ids = [created.get(index) or reusable[digest] for index, digest in enumerate(digests)]
    return Batch(job_ids, {reusable[digest] for digest in digests if digest in reusable})


def start_jobs(
    job_ids: Sequence[str],
    queue: str | None,
    time_limit: float | None,
    settings: Settings,
    run_embedded: JobRunner,
    chunks: Sequence[tuple[str | None, float]] | None = None,
) -> None:
    """Publish stored jobs to `queue` (in `chunks`, as `publish` takes them); without one
    (embedded mode), hand them to `run_embedded`."""
    if not job_ids:
        return
    if queue is not None:
        publish(job_ids, queue, time_limit, settings, chunks)
    else:
        run_embedded(job_ids)


def job_digests(
    plugin: str, stored: Sequence[Mapping[str, Any]], inputs: Mapping[str, np.ndarray]
) -> list[str]:
    """The content digests of jobs of `plugin` with the `stored` parameter sets and `inputs`."""
    info = get_plugin(plugin)
    return [content_digest(info, params, inputs) for params in stored]


def validate_many(
    plugin: str,
    param_sets: Sequence[Mapping[str, Any]],
    inputs: Mapping[str, np.ndarray],
    *,
    time_limit: float | None,
    settings: Settings,
    labels: Sequence[str] | None = None,
    estimates: list[float] | None = None,
) -> list[dict[str, Any]]:
    """The parameter sets as jobs store them (validated, defaults filled in), or
    `RejectedRequest` for the first bad one, prefixed with its label when `labels` name them.
    The seconds the plugin's cost model expects each to take are appended to `estimates` when
    given."""
    for name, array in inputs.items():
        problem = array_problem(name, array)
        if problem:
            raise RejectedRequest(problem)
    size = sum(array.nbytes for array in inputs.values())
    if size > settings.max_input_bytes:
        raise RejectedRequest(
            f"the input arrays take {size:,} bytes; a job's may take at most "
            f"{settings.max_input_bytes:,} (SOLVERQ_MAX_INPUT_BYTES)"
        )
    _check_time_limit(time_limit, settings)
    plugin_class = get_plugin(plugin).plugin_class
    limit = settings.job_time_limit(time_limit)
    stored = []
    for index, params in enumerate(param_sets):
        try:
            validated = plugin_class.validate(params, inputs)
            estimate = plugin_class.estimated_seconds(validated, inputs)
            if estimate > limit:
                raise RejectedRequest(
                    f"{plugin} would take about {_duration(estimate)} by its cost estimate, "
                    f"more than the time limit of {limit:g} s"
                )
            stored.append(stored_parameters(validated))
            if estimates is not None:
                estimates.append(estimate)
        except RejectedRequest as error:
            if labels is None:
                raise
            raise RejectedRequest(f"{labels[index]}: {error}") from None
    return stored


def wait(
    job_id: str,
    *,
    timeout: float | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> JobRecord:
    """Poll the store until the job has finished (or `timeout` seconds passed)."""
    settings = settings or Settings.from_environment()
    store = job_store(settings)

    def fetch() -> JobRecord:
        return _current(store, job_id, settings)

    def report(job: JobRecord) -> None:
        if listener is not None:
            listener(job.progress, job.progress_message or job.status.value)

    return poll_until_finished(fetch, report, timeout)


def job_status(job_id: str, *, settings: Settings | None = None) -> JobRecord:
    """The job as the store sees it now, a job lost with its process shown failed."""
    settings = settings or Settings.from_environment()
    return _current(job_store(settings), job_id, settings)


def _current(store: JobStore, job_id: str, settings: Settings) -> JobRecord:
    """The job, failed first if it was lost with the submitting process that ran it."""
    job = store.get(job_id)
    if job.queue is None and _lost(job, settings):
        fail_lost(store, settings)
        job = store.get(job_id)
    return job


def _lost(job: JobRecord, settings: Settings) -> bool:
    """True for a running job whose heartbeat is older than ``SOLVERQ_STALE_AFTER``."""
    if job.status is not JobStatus.RUNNING or job.heartbeat_at is None:
        return False
    return (utcnow() - job.heartbeat_at).total_seconds() > settings.stale_after


def poll_until_finished(
    fetch: Callable[[], Finishing], report: Callable[[Finishing], None], timeout: float | None
) -> Finishing:
    """Fetch a record every `POLL_INTERVAL` seconds, reporting each, until it has finished or
    `timeout` seconds passed; the last one fetched."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        record = fetch()
        report(record)
        if record.finished or (deadline is not None and time.monotonic() >= deadline):
            return record
        time.sleep(POLL_INTERVAL)


def cancel(job_id: str, *, settings: Settings | None = None) -> JobRecord:
    """Cancel a queued or running job; a running worker stops at its next progress report."""
    settings = settings or Settings.from_environment()
    job = job_store(settings).cancel(job_id)
    if job.queue is not None and settings.broker_url is not None:
        from solverq.worker.queue import revoke

        revoke(job.id, settings)
    return job


def _duration(seconds: float) -> str:
    """Seconds in the largest unit that keeps the number readable: '4.2 h', '13 days'."""
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _check_time_limit(time_limit: float | None, settings: Settings) -> None:
    if time_limit is None:
        return
    if not 0 < time_limit <= settings.max_time_limit:
        raise RejectedRequest(
            f"time limit must be a positive number of seconds up to {settings.max_time_limit:g} "
            f"(SOLVERQ_MAX_TIME_LIMIT), got {time_limit:g}"
        )


def publish(
    job_ids: Sequence[str],
    queue: str,
    time_limit: float | None,
    settings: Settings,
    chunks: Sequence[tuple[str | None, float]] | None = None,
) -> None:
    """Publish stored jobs over one broker connection; if the broker cannot be reached they stay
    queued in the store, and a worker's reaper publishes them once it can.

    `chunks` gives each job's chunk (None: a message of its own) and estimated seconds, the
    jobs of a chunk following each other: a chunk is published as one message."""
    from kombu.exceptions import BatchPublishError, OperationalError

    from solverq.worker.queue import QueuedChunk, enqueue, enqueue_chunks

    jobs: list[QueuedJob] = []
    chunked: list[QueuedChunk] = []
    grouped = itertools.groupby(
        zip(job_ids, chunks or [(None, 0.0)] * len(job_ids), strict=True),
        key=lambda job: job[1][0],
    )
    for chunk_id, members in grouped:
        listed = list(members)
        if chunk_id is None:
            jobs += [QueuedJob(job_id, queue, time_limit) for job_id, _ in listed]
        else:
            ids = [job_id for job_id, _ in listed]
            seconds = sum(estimate for _, (_, estimate) in listed)
            chunked.append(QueuedChunk(chunk_id, ids, queue, time_limit, seconds))
    try:
        if jobs:
            enqueue(jobs, settings)
        if chunked:
            enqueue_chunks(chunked, settings)
    except (OperationalError, BatchPublishError) as error:
        count = f"job {job_ids[0]} is" if len(job_ids) == 1 else f"{len(job_ids)} jobs are"
        raise SolverqError(
            f"{count} stored but the broker {redacted(settings.broker_url or '')} cannot be "
            f"reached ({error}); a worker will publish them once it can"
        ) from None


def rerun(
    job_id: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> JobRecord:
    """Submit a copy of a job, with its inputs, tags and time limit, and the parameters
    `overrides` names (dotted keys set an entry of a mapping: `constants.gamma`) set on top of
    its stored parameters."""
    settings = settings or Settings.from_environment()
    store = job_store(settings)
    job = store.get(job_id)
    params = copy.deepcopy(job.params)
    for key, value in (overrides or {}).items():
        assign(params, key, value)
    return submit(
        job.plugin,
        params,
        store.inputs(job.id),
        tags=job.tags,
        time_limit=job.time_limit,
        queue=job.queue,
        settings=settings,
        listener=listener,
    )


def tag_job(job_id: str, tags: Mapping[str, str], *, settings: Settings | None = None) -> JobRecord:
    """Set tags of a job (names like `run` or `data-set`, string values); a tag it has already
    takes the new value."""
    if not tags:
        raise RejectedRequest("give at least one tag as KEY=VALUE")
    return job_store(settings).tag(job_id, tags)


def note_job(job_id: str, note: str, *, settings: Settings | None = None) -> JobRecord:
    """Set the note of a job; an empty note removes it."""
    return job_store(settings).annotate(job_id, note)
