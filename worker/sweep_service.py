"""The sweep service: submit a grid of jobs as one batch, follow it, tabulate its results.

Every point is validated before anything is stored, and an error names the point. The sweep and
its jobs are stored in one transaction; with a broker the jobs are published over one connection,
without one (embedded mode) they run here, one after the other or in several local processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.registry import headline_metrics
from solverq.worker import service
from solverq.worker.chunks import chunked, new_chunk_id
from solverq.worker.execution import ProgressListener, run_in_turn
from solverq.worker.grid import build_grid, describe_point, grid_points, point_parameters
from solverq.worker.job_search import lookup
from solverq.worker.settings import Settings
from solverq.worker.store import (
    JobRecord,
    JobStatus,
    JobStore,
    SweepRecord,
    SweepStore,
)
from solverq.worker.store.factory import job_store, sweep_store
from solverq.worker.store.tagging import checked_queue
from solverq.worker.sweep_processes import run_in_processes

RESERVED_COLUMNS = ("job", "status", "error")
DELETED = "deleted"
"""The state of a point of a sweep whose jobs were all deleted."""


def submit_sweep(
    plugin: str,
    grid: Mapping[str, Sequence[Any] | str],
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    **options: Any,
) -> SweepRecord:
    """`start_sweep`'s sweep."""
    return start_sweep(plugin, grid, params, inputs, **options).sweep


@dataclass(frozen=True)
class SweepStart:
    """A submitted sweep, the jobs it created and those it reused, by grid point."""

    sweep: SweepRecord
    created: dict[int, str]
    reused: dict[int, str]


def start_sweep(
    plugin: str,
    grid: Mapping[str, Sequence[Any] | str],
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    reuse: bool = False,
    tags: Mapping[str, str] | None = None,
    note: str | None = None,
    time_limit: float | None = None,
    queue: str | None = None,
    processes: int = 1,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
    runner: service.JobRunner | None = None,
) -> SweepStart:
    """Validate every point of `grid` (on top of the shared `params`), store the sweep and its
    jobs, then run them here in `processes` processes or hand them to `runner` (embedded), or
    publish them (broker).

    `grid` maps parameter names to their values: a list, or a string as `--grid` takes it
    (`"0.1,0.01"`, `"logspace(-4,-1,4)"`). With `reuse`, a point that an earlier job computed
    (same content digest; see `service.submit_job`) gets no new job: that job is linked into
    the sweep at the point. `listener` hears the progress of the whole sweep.
    """
    settings = settings or Settings.from_environment()
    if processes < 1:
        raise RejectedRequest(f"the number of processes must be at least 1, got {processes}")
    grid = build_grid(grid)
    params = dict(params or {})
    inputs = dict(inputs or {})
    points = grid_points(grid)
    param_sets = [point_parameters(params, point) for point in points]
    labels = [f"point {describe_point(point)}" for point in points]
    estimates: list[float] = []
    stored = service.validate_many(
        plugin,
        param_sets,
        inputs,
        time_limit=time_limit,
        settings=settings,
        labels=labels,
        estimates=estimates,
    )
    digests = service.job_digests(plugin, stored, inputs)
    checked_queue(queue)
    queue = None if settings.embedded else (queue or settings.queue)
    store = sweep_store(settings)
    reusable = JobStore(store.database).reusable(digests) if reuse else {}
    reused = {point: reusable[digest] for point, digest in enumerate(digests) if digest in reusable}
    fresh = [point for point in range(len(points)) if point not in reused]
    chunks = _chunks([estimates[point] for point in fresh], settings.job_time_limit(time_limit))
    sweep, job_ids = store.create(
        plugin,
        grid,
        params,
        [stored[point] for point in fresh],
        inputs,
        points=fresh,
        reused=reused,
        digests=[digests[point] for point in fresh],
        tags=tags,
        note=note,
        time_limit=time_limit,
        queue=queue,
        chunks=[chunk for chunk, _ in chunks] if queue is not None else None,
    )
    _start(sweep.id, job_ids, queue, time_limit, processes, settings, listener, runner, chunks)
    return SweepStart(store.get(sweep.id), dict(zip(fresh, job_ids, strict=True)), reused)


def resume_sweep(
    sweep_id: str,
    *,
    processes: int = 1,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
    runner: service.JobRunner | None = None,
) -> SweepStart:
    """Queue the sweep's failed and cancelled points again (a job whose worker was lost too
    often failed), each as a new job, a copy of the point's newest one; run them here
    (embedded) or publish them (broker). The sweep's table then shows the new jobs."""
    settings = settings or Settings.from_environment()
    store = sweep_store(settings)
    retried = {
        point: job
        for point, job in store.points(sweep_id).items()
        if job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
    }
    sweep = store.get(sweep_id)
    if not retried:
        return SweepStart(sweep, {}, {})
    first = next(iter(retried.values()))
    queue = None if settings.embedded else (first.queue or settings.queue)
    inputs = JobStore(store.database).inputs(first.id)
    job_ids = store.add_attempts(sweep.id, retried, inputs, queue=queue)
    _start(sweep.id, job_ids, queue, first.time_limit, processes, settings, listener, runner)
    return SweepStart(store.get(sweep.id), dict(zip(retried, job_ids, strict=True)), {})


def _start(
    sweep_id: str,
    job_ids: list[str],
    queue: str | None,
    time_limit: float | None,
    processes: int,
    settings: Settings,
    listener: ProgressListener | None,
    runner: service.JobRunner | None,
    chunks: Sequence[tuple[str | None, float]] | None = None,
) -> None:
    """Publish the sweep's new jobs to `queue`, in `chunks` (see `service.publish`); without a
    queue, hand them to `runner` or run them here."""

    def run_here(job_ids: Sequence[str]) -> None:
        _run_here(sweep_id, list(job_ids), processes, settings, listener)

    service.start_jobs(job_ids, queue, time_limit, settings, runner or run_here, chunks)


def _chunks(seconds: Sequence[float], time_limit: float) -> list[tuple[str | None, float]]:
    """Each job's chunk (None: a message of its own) and estimated seconds, the jobs expected
    to take `seconds` each being grouped by `chunked`."""
    found: list[tuple[str | None, float]] = []
    for positions in chunked(seconds, time_limit):
        chunk_id = new_chunk_id() if len(positions) > 1 else None
        found += [(chunk_id, seconds[position]) for position in positions]
    return found


def wait_sweep(
    sweep_id: str,
    *,
    timeout: float | None = None,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> SweepRecord:
    """Poll the store until every job of the sweep has finished (or `timeout` seconds passed)."""
    store = sweep_store(settings)

    def report(sweep: SweepRecord) -> None:
        if listener is not None:
            fraction = sweep.done / sweep.size if sweep.size else 1.0
            listener(fraction, f"{sweep.done}/{sweep.size} jobs")

    return service.poll_until_finished(lambda: store.get(sweep_id), report, timeout)


@dataclass(frozen=True)
class SweepTable:
    """One row per point of a sweep: its newest job's id and state (`DELETED` when its jobs
    were deleted), the swept values and summary metrics."""

    sweep: SweepRecord
    columns: list[str]
    rows: list[dict[str, Any]]
    metrics: dict[str, str]
    """The column of each metric."""


def sweep_table(
    sweep_id: str,
    metrics: Sequence[str] | None = None,
    *,
    headline: bool = False,
    settings: Settings | None = None,
) -> SweepTable:
    """The sweep's table, in grid order, with the summary values `metrics` names. By default
    these are every number, flag and string the summaries hold or, with `headline`, the
    plugin's headline metrics that some summary holds (every one when it declares none). A
    metric named like a swept parameter or a fixed column gets the column `summary.METRIC`."""
    store = sweep_store(settings)
    sweep = store.get(sweep_id)
    jobs = store.points(sweep.id)
    summaries = [job.summary or {} for job in jobs.values()]
    if metrics is not None:
        _check_metrics(sweep, metrics, summaries)
    elif headline:
        metrics = _headline_metrics(sweep.plugin, summaries)
    if metrics is None:
        metrics = _scalar_keys(summaries)
    taken = {*RESERVED_COLUMNS, *sweep.grid}
    named = {metric: f"summary.{metric}" if metric in taken else metric for metric in metrics}
    rows = []
    for index, point in enumerate(grid_points(sweep.grid)):
        job = jobs.get(index)
        row: dict[str, Any] = {
            "job": job.id if job else None,
            "status": job.status.value if job else DELETED,
        }
        row.update(point)
        summary = (job.summary if job else None) or {}
        row.update({column: lookup(summary, metric) for metric, column in named.items()})
        row["error"] = job.error if job else None
        rows.append(row)
    columns = ["job", "status", *sweep.grid, *named.values(), "error"]
    return SweepTable(sweep, columns, rows, named)


def _check_metrics(
    sweep: SweepRecord, metrics: Sequence[str], summaries: Sequence[Mapping[str, Any]]
) -> None:
    """Refuse a metric the user named that no summary of the sweep holds, once some job has
    one (the default metrics are those the summaries hold)."""
    held = [summary for summary in summaries if summary]
    missing = object()
    for metric in metrics:
        if held and all(lookup(summary, metric, missing) is missing for summary in held):
            keys = ", ".join(_scalar_keys(held))
            raise RejectedRequest(
                f"no job of sweep {sweep.id[:12]} has the summary value '{metric}' "
                f"(its summaries have: {keys})"
            )


def unsuccessful_points(
    sweep_id: str, *, settings: Settings | None = None
) -> list[tuple[dict[str, Any], JobRecord]]:
    """The points whose jobs finished without success, with their jobs, in grid order."""
    store = sweep_store(settings)
    sweep = store.get(sweep_id)
    points = grid_points(sweep.grid)
    return [
        (points[index], job)
        for index, job in sorted(store.points(sweep.id).items())
        if job.finished and job.status is not JobStatus.SUCCEEDED
    ]


def _run_here(
    sweep_id: str,
    job_ids: list[str],
    processes: int,
    settings: Settings,
    listener: ProgressListener | None,
) -> None:
    """Run the stored jobs here, or in `processes` local processes; if this is interrupted (or
    a process fails), the jobs that did not run are cancelled."""
    store = job_store(settings)
    if processes == 1:
        run_in_turn(store, job_ids, listener, settings=settings)
        return
    try:
        run_in_processes(sweep_id, min(processes, len(job_ids)), settings, listener or _ignore)
    except BaseException:
        SweepStore(store.database).cancel(sweep_id)
        raise


def _ignore(fraction: float, message: str) -> None:
    """A listener that hears nothing."""


def _headline_metrics(plugin: str, summaries: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The plugin's headline metrics that some summary holds, or None when it declares none
    (or is not installed here)."""
    headline = headline_metrics(plugin)
    if not headline:
        return None
    return [key for key in headline if any(lookup(s, key) is not None for s in summaries)]


def _scalar_keys(summaries: Iterable[Mapping[str, Any]]) -> list[str]:
    """The keys of numbers, flags and strings in the summaries, sorted (JSONB keeps no order)."""
    return sorted(
        {
            key
            for summary in summaries
            for key, value in summary.items()
            if value is None or isinstance(value, bool | int | float | str)
        }
    )
