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
from solverq.worker import service
from solverq.worker.execution import ProgressListener, run_in_turn
from solverq.worker.grid import build_grid, describe_point, grid_points, point_parameters
from solverq.worker.job_search import lookup
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore, SweepRecord, SweepStore, open_database
from solverq.worker.sweep_processes import run_in_processes

RESERVED_COLUMNS = ("job", "status", "error")


def sweep_store(settings: Settings | None = None) -> SweepStore:
    settings = settings or Settings.from_environment()
    return SweepStore(open_database(settings.database_url))


def submit_sweep(
    plugin: str,
    grid: Mapping[str, Sequence[Any] | str],
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    time_limit: float | None = None,
    queue: str | None = None,
    processes: int = 1,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
    runner: service.JobRunner | None = None,
) -> SweepRecord:
    """Validate every point of `grid` (on top of the shared `params`), store the sweep and its
    jobs, then run them here in `processes` processes or hand them to `runner` (embedded), or
    publish them (broker).

    `grid` maps parameter names to their values: a list, or a string as `--grid` takes it
    (`"0.1,0.01"`, `"logspace(-4,-1,4)"`). `listener` hears the progress of the whole sweep.
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
    stored = service.validate_many(
        plugin, param_sets, inputs, time_limit=time_limit, settings=settings, labels=labels
    )
    queue = None if settings.embedded else (queue or settings.queue)
    store = sweep_store(settings)
    sweep, job_ids = store.create(
        plugin, grid, params, stored, inputs, time_limit=time_limit, queue=queue
    )
    if queue is not None:
        service.publish(job_ids, queue, time_limit, settings)
    elif runner is not None:
        runner(job_ids)
    else:
        _run_here(sweep.id, job_ids, processes, settings, listener)
    return store.get(sweep.id)


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
            listener(sweep.done / sweep.size, f"{sweep.done}/{sweep.size} jobs")

    return service.poll_until_finished(lambda: store.get(sweep_id), report, timeout)


@dataclass(frozen=True)
class SweepTable:
    """One row per job of a sweep: its id, state, swept values and summary metrics."""

    sweep: SweepRecord
    columns: list[str]
    rows: list[dict[str, Any]]
    metrics: dict[str, str]
    """The column of each metric."""


def sweep_table(
    sweep_id: str, metrics: Sequence[str] | None = None, *, settings: Settings | None = None
) -> SweepTable:
    """The sweep's table, in grid order, with the summary values `metrics` names (by default
    every number, flag and string the summaries hold). A metric named like a swept parameter
    or a fixed column gets the column `summary.METRIC`."""
    store = sweep_store(settings)
    sweep = store.get(sweep_id)
    jobs = store.jobs(sweep.id)
    if metrics is None:
        metrics = _scalar_keys(job.summary or {} for job in jobs)
    taken = {*RESERVED_COLUMNS, *sweep.grid}
    named = {metric: f"summary.{metric}" if metric in taken else metric for metric in metrics}
    points = grid_points(sweep.grid)
    rows = []
    for job in jobs:
        row: dict[str, Any] = {"job": job.id, "status": job.status.value}
        row.update(points[job.sweep_point])
        summary = job.summary or {}
        row.update({column: lookup(summary, metric) for metric, column in named.items()})
        row["error"] = job.error
        rows.append(row)
    columns = ["job", "status", *sweep.grid, *named.values(), "error"]
    return SweepTable(sweep, columns, rows, named)


def _run_here(
    sweep_id: str,
    job_ids: list[str],
    processes: int,
    settings: Settings,
    listener: ProgressListener | None,
) -> None:
    """Run the stored jobs here, or in `processes` local processes; if this is interrupted (or
    a process fails), the jobs that did not run are cancelled."""
    store = JobStore(open_database(settings.database_url))
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
