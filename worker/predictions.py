"""Predictions of a stored model: a finished job's result applied by its plugin to new inputs."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from solverq.plugins.contract import Result, refuse_non_finite
from solverq.plugins.errors import SolverqError
from solverq.plugins.registry import get_plugin
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus
from solverq.worker.store.factory import job_store


def predict_job(
    job_id: str, inputs: Mapping[str, np.ndarray], *, settings: Settings | None = None
) -> dict[str, np.ndarray]:
    """The named arrays the plugin of the succeeded job `job_id` (an id or a unique prefix)
    predicts for `inputs`, with the model and the scaling the job stored."""
    store = job_store(settings)
    job = store.get(job_id)
    if job.status is not JobStatus.SUCCEEDED:
        reason = f": {job.error}" if job.error else ""
        raise SolverqError(f"job {job.id} {job.status.value}{reason}; it has no model to apply")
    plugin_class = get_plugin(job.plugin).plugin_class
    refuse_non_finite(inputs, job.plugin)
    params = plugin_class.validate(job.params, store.inputs(job.id))
    result = Result(job.summary or {}, store.result_arrays(job.id))
    return plugin_class().predict(params, result, inputs)
