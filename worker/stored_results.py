"""A succeeded job's result as its plugin sees it again: the plugin, the validated parameters,
the inputs and the result, for drawing it or applying the model it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from solverq.plugins.contract import Plugin, Result
from solverq.plugins.errors import SolverqError
from solverq.plugins.registry import get_plugin
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus
from solverq.worker.store.factory import job_store


@dataclass(frozen=True)
class StoredResult:
    job: JobRecord
    plugin: Plugin[Any]
    params: BaseModel
    inputs: dict[str, np.ndarray]
    result: Result


def stored_result(job_id: str, use: str, *, settings: Settings | None = None) -> StoredResult:
    """The succeeded job `job_id` (an id or a unique prefix) with its plugin, parameters, inputs
    and result; a job that did not succeed is refused, saying it has no `use` ("result to
    plot")."""
    store = job_store(settings)
    job = store.get(job_id)
    if job.status is not JobStatus.SUCCEEDED:
        reason = f": {job.error}" if job.error else ""
        raise SolverqError(f"job {job.id} {job.status.value}{reason}; it has no {use}")
    plugin_class = get_plugin(job.plugin).plugin_class
    inputs = store.inputs(job.id)
    params = plugin_class.validate(job.params, inputs)
    result = Result(job.summary or {}, store.result_arrays(job.id))
    return StoredResult(job, plugin_class(), params, inputs, result)
