"""The functions of the Python API: thin layers over the job and sweep services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

    from solverq.worker.job_search import Comparison
    from solverq.worker.store import JobRecord, SweepRecord


def submit(
    plugin: str,
    params: Mapping[str, Any] | None = None,
    *,
    inputs: Mapping[str, np.ndarray] | None = None,
    wait: bool = False,
    reuse: bool = False,
    tags: Mapping[str, str] | None = None,
    note: str | None = None,
    time_limit: float | None = None,
    queue: str | None = None,
    **keyword_params: Any,
) -> JobRecord:
    """Submit a job of `plugin` with `params` and the keyword parameters on top of them
    (`submit("sgd", eta=0.1)`; a parameter named like an argument of this function goes in
    `params`), and input arrays by name. Embedded, the job runs before this returns; with a
    broker, `wait=True` waits for it. With `reuse=True` an earlier job of the same plugin
    version, parameters and inputs (succeeded, or still queued or running) is returned instead
    of a new one. `tags` and `note` are kept with the job."""
    from solverq.worker import service

    job = service.submit(
        plugin,
        {**(params or {}), **keyword_params},
        inputs,
        reuse=reuse,
        tags=tags,
        note=note,
        time_limit=time_limit,
        queue=queue,
    )
    return service.wait(job.id) if wait and not job.finished else job


def status(job: JobRecord | str) -> JobRecord:
    """The job as the store sees it now (a record or an id; a unique prefix will do)."""
    from solverq.worker.service import job_status

    return job_status(_id(job))


def wait(job: JobRecord | str, timeout: float | None = None) -> JobRecord:
    """Wait until the job has finished (or `timeout` seconds passed), and return it."""
    from solverq.worker import service

    return service.wait(_id(job), timeout=timeout)


def result(
    job: JobRecord | str, timeout: float | None = None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The summary and the arrays of a job, once it has finished: `SolveFailed` when it
    failed or was cancelled, `SolverqError` when it is still running after `timeout`."""
    from solverq.plugins.errors import SolveFailed, SolverqError
    from solverq.worker import service
    from solverq.worker.store import JobStatus
    from solverq.worker.store.factory import job_store

    finished = service.wait(_id(job), timeout=timeout)
    if not finished.finished:
        raise SolverqError(f"job {finished.id} is still {finished.status.value}")
    if finished.status is not JobStatus.SUCCEEDED:
        raise SolveFailed(f"job {finished.id} {finished.status.value}: {finished.error}")
    return finished.summary or {}, job_store().result_arrays(finished.id)


def rerun(job: JobRecord | str, *, wait: bool = False, **overrides: Any) -> JobRecord:
    """Submit a copy of a job (its parameters, inputs, tags), with `overrides` set on top of its
    parameters (`rerun(job, eta=0.01)`; `**{"constants.gamma": 2}` for an entry)."""
    from solverq.worker import service

    copy = service.rerun(_id(job), overrides)
    return service.wait(copy.id) if wait and not copy.finished else copy


def tag(job: JobRecord | str, **tags: str) -> JobRecord:
    """Set tags of a job (`tag(job, run="baseline")`)."""
    from solverq.worker import service

    return service.tag_job(_id(job), tags)


def note(job: JobRecord | str, text: str) -> JobRecord:
    """Set the note of a job; an empty text removes it."""
    from solverq.worker import service

    return service.note_job(_id(job), text)


def delete(*jobs: JobRecord | str, force: bool = False) -> int:
    """Delete jobs for good, with their inputs and results; how many were deleted. A running
    job is refused unless `force=True`, which cancels it first."""
    from solverq.worker.deletion import delete_jobs, plan_deletion

    return delete_jobs(plan_deletion([_id(job) for job in jobs]), force=force)


def cancel(job: JobRecord | str) -> JobRecord:
    """Cancel a queued or running job; a finished job is returned as it is."""
    from solverq.worker import service

    return service.cancel(_id(job))


def list_jobs(
    *,
    plugin: str | None = None,
    status: str | None = None,
    sweep: SweepRecord | str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    where: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    sort: str | None = None,
    limit: int | None = 50,
    as_frame: bool = False,
) -> list[JobRecord] | pd.DataFrame:
    """Jobs by plugin, state, sweep, creation time (a datetime, an ISO date, or a time ago such
    as "2h"), parameter values (`where={"eta": 0.1, "constants.gamma": 2}`), tags
    (`tags={"run": "baseline"}`), newest first or sorted by a summary metric (`sort="mse"`, or
    `"-mse"` for the largest first). With `as_frame=True`, a pandas DataFrame: one row per job,
    with its id, plugin, state, times, note and tags (`tag.KEY`), then one column per parameter
    and summary value (dotted for nested ones, `summary.KEY` for a summary value named like a
    parameter)."""
    from solverq.worker.job_search import find_jobs, job_table

    jobs = find_jobs(
        plugin=plugin,
        status=status,
        sweep=_id(sweep) if sweep is not None else None,
        since=since,
        until=until,
        where=where,
        tags=tags,
        sort=sort,
        limit=limit,
    )
    if not as_frame:
        return jobs
    table = job_table(jobs)
    return _pandas().DataFrame(table.rows, columns=table.columns)


def compare(*jobs: JobRecord | str) -> Comparison:
    """Two or more jobs side by side: the parameters that differ, and their summaries."""
    from solverq.worker.job_search import compare_jobs

    return compare_jobs([_id(job) for job in jobs])


def sweep(
    plugin: str,
    grid: Mapping[str, Sequence[Any] | str],
    params: Mapping[str, Any] | None = None,
    *,
    inputs: Mapping[str, np.ndarray] | None = None,
    wait: bool = False,
    processes: int = 1,
    reuse: bool = False,
    tags: Mapping[str, str] | None = None,
    note: str | None = None,
    time_limit: float | None = None,
    queue: str | None = None,
) -> SweepRecord:
    """One job per point of `grid` (names to a list of values, or to a string as `--grid`
    takes it: "0.1,0.01", "logspace(-4,-1,4)"), on top of the shared `params`. Embedded, the
    points run before this returns, in `processes` local processes; with a broker,
    `wait=True` waits for all of them. With `reuse=True` a point that an earlier job computed
    (same plugin version, parameters and inputs) is linked into the sweep, not run again."""
    from solverq.worker.sweep_service import submit_sweep, wait_sweep

    submitted = submit_sweep(
        plugin,
        grid,
        params,
        inputs,
        reuse=reuse,
        tags=tags,
        note=note,
        time_limit=time_limit,
        queue=queue,
        processes=processes,
    )
    return wait_sweep(submitted.id) if wait and not submitted.finished else submitted


def resume_sweep(sweep: SweepRecord | str, *, wait: bool = False) -> SweepRecord:
    """Queue the failed and cancelled points of a sweep again, as new jobs."""
    from solverq.worker.sweep_service import resume_sweep as resume
    from solverq.worker.sweep_service import wait_sweep

    resumed = resume(_id(sweep)).sweep
    return wait_sweep(resumed.id) if wait and not resumed.finished else resumed


def sweep_status(sweep: SweepRecord | str) -> SweepRecord:
    """The sweep now, with the number of its jobs in each state."""
    from solverq.worker.store.factory import sweep_store

    return sweep_store().get(_id(sweep))


def sweep_table(
    sweep: SweepRecord | str, metrics: Sequence[str] | None = None, *, as_frame: bool = False
) -> list[dict[str, Any]] | pd.DataFrame:
    """One record per job of the sweep, in grid order: its id, state, swept values and the
    summary values `metrics` names (by default every number, flag and string); with
    `as_frame=True` a pandas DataFrame of the same columns."""
    from solverq.worker.sweep_service import sweep_table as table_of

    table = table_of(_id(sweep), metrics)
    if not as_frame:
        return table.rows
    return _pandas().DataFrame(table.rows, columns=table.columns)


def plot(
    target: JobRecord | SweepRecord | str,
    *,
    x: str | None = None,
    y: str | None = None,
    metric: str | None = None,
    out: str | Path | None = None,
) -> Figure:
    """The figure of a job's result, or of a sweep's `metric` over `x` (lines) or over `x` and
    `y` (a heat map); written to `out` (.png or .svg) when given."""
    from solverq.plugins.plotting import save_figure
    from solverq.worker.figures import figure_of

    _, figure = figure_of(_id(target), x=x, y=y, metric=metric)
    if out is not None:
        save_figure(figure, Path(out))
    return figure


def predict(job: JobRecord | str, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Apply the model a finished job stored (ffnn, sgd) to new inputs, named as for a job
    (`x` or `X`, or the columns trained on), scaled as the job scaled its data:
    `{"predictions": ...}`, with `"probabilities"` for a classification."""
    from solverq.worker.predictions import predict_job

    return predict_job(_id(job), inputs)


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        from solverq.plugins.errors import RejectedRequest

        raise RejectedRequest("as_frame=True needs pandas: pip install pandas") from None
    return pd


def _id(item: Any) -> str:
    return item if isinstance(item, str) else item.id
