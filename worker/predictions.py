"""Predictions of a stored model: a finished job's result applied by its plugin to new inputs."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from solverq.plugins.contract import refuse_non_finite
from solverq.worker.settings import Settings
from solverq.worker.stored_results import stored_result


def predict_job(
    job_id: str, inputs: Mapping[str, np.ndarray], *, settings: Settings | None = None
) -> dict[str, np.ndarray]:
    """The named arrays the plugin of the succeeded job `job_id` (an id or a unique prefix)
    predicts for `inputs`, with the model and the scaling the job stored."""
    stored = stored_result(job_id, "model to apply", settings=settings)
    refuse_non_finite(inputs, stored.job.plugin)
    return stored.plugin.predict(stored.params, stored.result, inputs)
