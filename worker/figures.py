"""Figures of stored results: a job's, drawn by its plugin, and a sweep's metric over its grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.plotting import new_figure, plot_sweep_heatmap, plot_sweep_lines
from solverq.worker.settings import Settings
from solverq.worker.store import SweepStore, UnknownJob, UnknownSweep
from solverq.worker.store.factory import job_store
from solverq.worker.stored_results import stored_result
from solverq.worker.sweep_service import sweep_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_of(
    target: str,
    *,
    x: str | None = None,
    y: str | None = None,
    metric: str | None = None,
    settings: Settings | None = None,
) -> tuple[str, Figure]:
    """The full id of the job or sweep `target` names (an id or a unique prefix), and its
    figure. `x`, `y` and `metric` choose what a sweep's figure shows."""
    store = job_store(settings)
    try:
        sweep_id = SweepStore(store.database).resolve(target)
    except UnknownSweep:
        sweep_id = None
    try:
        job_id = store.resolve(target)
    except UnknownJob:
        if sweep_id is None:
            raise UnknownJob(f"no job or sweep '{target.strip().lower()}'") from None
        return sweep_id, sweep_figure(sweep_id, x=x, y=y, metric=metric, settings=settings)
    if sweep_id is not None:
        raise RejectedRequest(
            f"'{target}' is the prefix of a job and a sweep; give more characters"
        )
    if x is not None or y is not None or metric is not None:
        raise RejectedRequest(
            f"--x, --y and --metric choose what a sweep's figure shows; {job_id} is a job"
        )
    return job_id, job_figure(job_id, settings=settings)


def job_figure(job_id: str, *, settings: Settings | None = None) -> Figure:
    """The figure the job's plugin draws of its result."""
    stored = stored_result(job_id, "result to plot", settings=settings)
    figure = new_figure()
    stored.plugin.plot(figure, stored.params, stored.inputs, stored.result)
    figure.suptitle(f"{stored.job.plugin} {stored.job.id[:12]}")
    return figure


def sweep_figure(
    sweep_id: str,
    *,
    x: str | None = None,
    y: str | None = None,
    metric: str | None = None,
    settings: Settings | None = None,
) -> Figure:
    """A summary metric over the sweep's grid: one line per value of the other swept
    parameters against `x` (by default the first swept), or a heat map over `x` and `y`."""
    if metric is None:
        raise RejectedRequest("give the summary value to plot over the sweep with --metric")
    table = sweep_table(sweep_id, [metric], settings=settings)
    swept = list(table.sweep.grid)
    x = x or swept[0]
    for key in (x, y):
        if key is not None and key not in swept:
            raise RejectedRequest(
                f"'{key}' is not swept in sweep {table.sweep.id} (swept: {', '.join(swept)})"
            )
    if x == y:
        raise RejectedRequest(f"--x and --y are both '{x}'; a heat map needs two swept keys")
    others = [key for key in swept if key not in (x, y) and len(table.sweep.grid[key]) > 1]
    if y is not None and others:
        raise RejectedRequest(
            f"sweep {table.sweep.id} also sweeps {', '.join(others)}; "
            "a heat map shows two swept keys"
        )
    column = table.metrics[metric]
    if not any(isinstance(row[column], int | float) for row in table.rows):
        raise RejectedRequest(f"no job of sweep {table.sweep.id} has a number '{metric}'")
    figure = new_figure()
    if y is None:
        plot_sweep_lines(figure, table.rows, x, column, others)
    else:
        plot_sweep_heatmap(figure, table.rows, x, y, column)
    figure.suptitle(f"{table.sweep.plugin} sweep {table.sweep.id[:12]}")
    return figure
