"""Finding jobs, and putting jobs side by side: the parameters that differ and the summaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solverq.plugins.errors import RejectedRequest
from solverq.worker.service import fail_lost, job_store
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus, SweepStore
from solverq.worker.store.job_filters import parse_moment


def find_jobs(
    *,
    plugin: str | None = None,
    status: str | None = None,
    sweep: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    where: Mapping[str, Any] | None = None,
    sort: str | None = None,
    limit: int | None = 50,
    settings: Settings | None = None,
) -> list[JobRecord]:
    """Jobs by plugin, state, sweep (id or prefix), creation time (a datetime, an ISO date or
    time, or a time ago such as `2h`), parameter values (`{"eta": 0.1, "constants.gamma": 2}`),
    newest first or sorted by a summary metric (`mse`; `-mse` for the largest first, jobs
    without it last)."""
    settings = settings or Settings.from_environment()
    store = job_store(settings)
    fail_lost(store, settings)
    return store.list(
        plugin=plugin,
        status=_status(status) if status is not None else None,
        sweep_id=SweepStore(store.database).resolve(sweep) if sweep is not None else None,
        since=parse_moment(since) if isinstance(since, str) else since,
        until=parse_moment(until) if isinstance(until, str) else until,
        where=dict(where or {}),
        sort=sort,
        limit=limit,
    )


@dataclass(frozen=True)
class Comparison:
    """Values by key, one per job in the order given; None where a job has no such key."""

    jobs: list[JobRecord]
    params: dict[str, list[Any]]
    summary: dict[str, list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [
                {"id": job.id, "plugin": job.plugin, "status": job.status.value}
                for job in self.jobs
            ],
            "params": self.params,
            "summary": self.summary,
        }


def compare_jobs(job_ids: Sequence[str], *, settings: Settings | None = None) -> Comparison:
    """Compare two or more jobs: the parameters that differ, every summary value."""
    if len(job_ids) < 2:
        raise RejectedRequest("give at least two jobs to compare")
    store = job_store(settings)
    jobs = [store.get(job_id) for job_id in job_ids]
    params = _side_by_side([flatten(job.params) for job in jobs])
    differing = {key: values for key, values in params.items() if _differ(values)}
    return Comparison(jobs, differing, _side_by_side([flatten(job.summary or {}) for job in jobs]))


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys: {'constants': {'gamma': 1}} is {'constants.gamma': 1}."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def lookup(mapping: Mapping[str, Any], key: str) -> Any:
    """The value of a dotted key (`constants.gamma`) in nested mappings, or None."""
    value: Any = mapping
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _status(text: str) -> JobStatus:
    try:
        return JobStatus(text)
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise RejectedRequest(f"unknown status '{text}' (known: {known})") from None


def _side_by_side(mappings: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Values by key, the keys sorted (JSONB keeps no order)."""
    keys = sorted({key for mapping in mappings for key in mapping})
    return {key: [mapping.get(key) for mapping in mappings] for key in keys}


def _differ(values: list[Any]) -> bool:
    """Whether the values differ, with a number never equal to a flag (1 and true differ)."""
    typed = [(type(value) is bool, value) for value in values]
    return any(item != typed[0] for item in typed[1:])
