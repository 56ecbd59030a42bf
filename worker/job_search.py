"""Finding jobs, and putting jobs side by side: the parameters that differ and the summaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solverq.plugins.errors import RejectedRequest
from solverq.worker.lost_jobs import fail_lost
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus, SweepStore
from solverq.worker.store.factory import job_store
from solverq.worker.store.job_filters import parse_moment


def find_jobs(
    *,
    plugin: str | None = None,
    status: str | None = None,
    sweep: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    where: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    sort: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    settings: Settings | None = None,
) -> list[JobRecord]:
    """Jobs by plugin, state, sweep (id or prefix), creation time (a datetime, an ISO date or
    time, or a time ago such as `2h`), parameter values (`{"eta": 0.1, "constants.gamma": 2}`),
    tags (`{"run": "baseline"}`), newest first or sorted by a summary metric (`mse`; `-mse` for
    the largest first, jobs without it last); `limit` of them after skipping `offset`."""
    for name, value in (("plugin", plugin), ("sort", sort), ("where", where), ("tags", tags)):
        if _holds_nul(value):
            raise RejectedRequest(f"{name} holds a NUL character, which no stored text does")
    settings = settings or Settings.from_environment()
    store = job_store(settings)
    fail_lost(store, settings)
    return store.list(
        plugin=plugin,
        status=_status(status) if status is not None else None,
        sweep_id=SweepStore(store.database).resolve(sweep) if sweep is not None else None,
        since=_moment("since", since),
        until=_moment("until", until),
        where=dict(where or {}),
        tags=dict(tags or {}),
        sort=sort,
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True)
class Comparison:
    """Values by key, one per job in the order given; None where a job has no such key."""

    jobs: list[JobRecord]
    params: dict[str, list[Any]]
    summary: dict[str, list[Any]]
    tags: dict[str, list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [
                {"id": job.id, "plugin": job.plugin, "status": job.status.value, "note": job.note}
                for job in self.jobs
            ],
            "tags": self.tags,
            "params": self.params,
            "summary": self.summary,
        }


def compare_jobs(job_ids: Sequence[str], *, settings: Settings | None = None) -> Comparison:
    """Compare two or more jobs: the parameters that differ, every summary value."""
    if len(job_ids) < 2:
        raise RejectedRequest("give at least two jobs to compare")
    settings = settings or Settings.from_environment()
    store = job_store(settings)
    fail_lost(store, settings)
    jobs = [store.get(job_id) for job_id in job_ids]
    differing = differing_parameters(jobs)
    summary = _side_by_side([flatten(job.summary or {}) for job in jobs])
    return Comparison(jobs, differing, summary, _side_by_side([job.tags for job in jobs]))


@dataclass(frozen=True)
class JobTable:
    """One row per job: its id, plugin, state, times, tags and note, then one column per
    parameter and summary value (dotted for nested ones; a summary value named like another
    column gets the column `summary.KEY`)."""

    columns: list[str]
    rows: list[dict[str, Any]]


JOB_TABLE_COLUMNS = ("id", "plugin", "status", "sweep_id", "created_at", "finished_at", "error")


def job_table(jobs: Sequence[JobRecord]) -> JobTable:
    """The jobs as a table, as `list_jobs(as_frame=True)` gives it."""
    rows = []
    for job in jobs:
        row: dict[str, Any] = {column: getattr(job, column) for column in JOB_TABLE_COLUMNS}
        row["status"] = job.status.value
        row["note"] = job.note
        row.update(flatten(job.tags, "tag."))
        row.update(flatten(job.params))
        taken = set(row)
        for key, value in flatten(job.summary or {}).items():
            row[f"summary.{key}" if key in taken else key] = value
        rows.append(row)
    fixed = [*JOB_TABLE_COLUMNS, "note"]
    seen = dict.fromkeys(column for row in rows for column in row if column not in fixed)
    return JobTable([*fixed, *seen], rows)


def differing_parameters(jobs: Sequence[JobRecord]) -> dict[str, list[Any]]:
    """The parameters (dotted keys) whose values differ between the jobs, one value per job."""
    params = _side_by_side([flatten(job.params) for job in jobs])
    return {key: values for key, values in params.items() if _differ(values)}


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys: {'constants': {'gamma': 1}} is {'constants.gamma': 1}."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def lookup(mapping: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The value of a dotted key (`constants.gamma`) in nested mappings, or `default`."""
    value: Any = mapping
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return default
        value = value[part]
    return value


def _moment(name: str, value: datetime | str | None) -> datetime | None:
    """A `since` or `until` filter as a datetime; a rejected text names the filter."""
    if not isinstance(value, str):
        return value
    try:
        return parse_moment(value)
    except RejectedRequest as error:
        raise RejectedRequest(f"{name}: {error}") from None


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


def _holds_nul(value: Any) -> bool:
    """Whether a filter holds the NUL character, which PostgreSQL refuses in text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False
