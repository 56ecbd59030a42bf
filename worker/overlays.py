"""One result array of several jobs in one figure: MSE per epoch for six optimisers, the error
of Euler's method for three step sizes. Each line is labelled by the parameters in which its job
differs from the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from solverq.plugins.errors import RejectedRequest, SolverqError
from solverq.plugins.plotting import Line, new_figure, plot_lines
from solverq.worker.grid import shown
from solverq.worker.job_search import differing_parameters
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus, SweepStore
from solverq.worker.store.factory import job_store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_LINES = 50


def overlay_figure(
    job_ids: Sequence[str] = (),
    *,
    y: str,
    x: str | None = None,
    sweep: str | None = None,
    settings: Settings | None = None,
) -> Figure:
    """The result array `y` of the jobs (or of the succeeded jobs of a `sweep`) as lines,
    against their array `x` or, without one, against the index."""
    store = job_store(settings)
    if bool(job_ids) == (sweep is not None):
        raise RejectedRequest("give the jobs to overlay, or a sweep with --sweep, not both")
    if sweep is not None:
        jobs = [job for job in SweepStore(store.database).jobs(sweep) if _succeeded(job)]
        if not jobs:
            raise SolverqError(f"no job of sweep {sweep} has succeeded; nothing to plot")
    else:
        jobs = [store.get(job_id) for job_id in job_ids]
        for job in jobs:
            if not _succeeded(job):
                reason = f": {job.error}" if job.error else ""
                raise SolverqError(f"job {job.id} {job.status.value}{reason}; it has no result")
    if len(jobs) > MAX_LINES:
        raise RejectedRequest(f"{len(jobs)} jobs make too many lines; at most {MAX_LINES}")
    labels = line_labels(jobs)
    lines = []
    for job, label in zip(jobs, labels, strict=True):
        arrays = store.result_arrays(job.id)
        values = _array(job, arrays, y)
        position = _array(job, arrays, x) if x is not None else np.arange(values.size)
        if position.size != values.size:
            raise RejectedRequest(
                f"job {job.id[:12]}: '{x}' has {position.size} entries and '{y}' {values.size}"
            )
        lines.append(Line(label, position, values))
    figure = new_figure()
    plot_lines(figure, lines, x or "index", y)
    return figure


def line_labels(jobs: Sequence[JobRecord]) -> list[str]:
    """Each job's label: the parameters (and plugin) in which it differs from the others, or
    its short id when nothing differs."""
    differing = differing_parameters(jobs)
    if len({job.plugin for job in jobs}) > 1:
        differing = {"plugin": [job.plugin for job in jobs], **differing}
    labels = []
    for index, job in enumerate(jobs):
        parts = [f"{key}={shown(values[index])}" for key, values in differing.items()]
        labels.append(", ".join(parts) or job.id[:12])
    if len(set(labels)) < len(labels):
        labels = [f"{label} ({job.id[:8]})" for label, job in zip(labels, jobs, strict=True)]
    return labels


def _succeeded(job: JobRecord) -> bool:
    return job.status is JobStatus.SUCCEEDED


def _array(job: JobRecord, arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    """The 1-D array of numbers `name` of a job's result, or why it has none."""
    if name not in arrays:
        known = ", ".join(arrays) or "none"
        raise RejectedRequest(f"job {job.id[:12]} has no array '{name}' (it has: {known})")
    array = arrays[name]
    if array.ndim != 1 or array.dtype.kind not in "biuf":
        raise RejectedRequest(
            f"array '{name}' of job {job.id[:12]} is not a 1-D array of real numbers"
        )
    return array
