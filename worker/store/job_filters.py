"""Finding jobs: by plugin, state, sweep, time of creation and parameter values, sorted by a
summary metric. Everything is filtered and sorted in SQL, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, select

from solverq.plugins.errors import RejectedRequest, shortened
from solverq.plugins.parameters import parse_assignment
from solverq.worker.store.json_sql import JsonColumn, key_path
from solverq.worker.store.models import (
    JOB_METRICS,
    JOB_RESULTS,
    JOBS,
    SWEEP_JOBS,
    JobStatus,
    utcnow,
)
from solverq.worker.store.tagging import checked_tags

_RELATIVE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_ROWS = 2**63 - 1
"""The largest LIMIT and OFFSET a database takes (a signed 64-bit integer)."""


@dataclass(frozen=True)
class JobQuery:
    """Which jobs to list and in what order: sorted by the metric `sort` names, else newest
    first; a sweep's jobs (`sweep_id`) in the order of its grid's points."""

    plugin: str | None = None
    status: JobStatus | None = None
    sweep_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    where: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    sort: str | None = None
    limit: int | None = 50
    offset: int = 0
    """How many of the matching jobs to skip, in this order: the start of a page."""

    def __post_init__(self) -> None:
        for name, value in (("limit", self.limit), ("offset", self.offset)):
            if value is not None and not 0 <= value <= MAX_ROWS:
                raise RejectedRequest(f"{name} must be between 0 and {MAX_ROWS}, got {value}")

    def select(self, dialect: str) -> Select[Any]:
        """The SELECT of the jobs (with their summaries) this query names.

        A page of jobs is found first by id alone, each job's metric read once from the narrow
        table `job_metrics` (not from the summary's JSON), so that the database sorts narrow
        rows; only the jobs of the page are then read in full.
        """
        records = select(JOBS, JOB_RESULTS.c.summary, JOB_RESULTS.c.array_info).outerjoin(
            JOB_RESULTS, JOB_RESULTS.c.job_id == JOBS.c.id
        )
        if self.limit is None and not self.offset:
            return self._with_metric(self._filtered(records, dialect)).order_by(*self._order())
        page = self._filtered(select(JOBS.c.id), dialect)
        if self.sort is not None:
            metric = JOB_METRICS.c.value.label("metric")
            page = self._with_metric(page.add_columns(metric))
            ordered = metric.desc() if self.sort.startswith("-") else metric.asc()
            page = page.order_by(ordered.nulls_last(), *self._default_order())
        else:
            page = page.order_by(*self._default_order())
        page_ids = page.limit(self.limit).offset(self.offset or None).subquery()
        if self.sweep_id is not None:
            records = self._in_sweep(records)
        records = self._with_metric(records.where(JOBS.c.id.in_(select(page_ids.c.id))))
        return records.order_by(*self._order())

    def _with_metric(self, query: Select[Any]) -> Select[Any]:
        """`query` joined to the metric `sort` names (NULL where a job has none)."""
        if self.sort is None:
            return query
        key = ".".join(map(str, key_path(self.sort.lstrip("-"))))
        return query.outerjoin(
            JOB_METRICS, and_(JOB_METRICS.c.job_id == JOBS.c.id, JOB_METRICS.c.key == key)
        )

    def _filtered(self, query: Select[Any], dialect: str) -> Select[Any]:
        if self.plugin is not None:
            query = query.where(JOBS.c.plugin == self.plugin)
        if self.status is not None:
            query = query.where(JOBS.c.status == self.status)
        if self.sweep_id is not None:
            query = self._in_sweep(query)
        if self.since is not None:
            query = query.where(JOBS.c.created_at >= self.since)
        if self.until is not None:
            query = query.where(JOBS.c.created_at <= self.until)
        params = JsonColumn(JOBS.c.params, dialect)
        for key, value in self.where.items():
            query = query.where(params.equals(key_path(key), value))
        tags = JsonColumn(JOBS.c.tags, dialect)
        for key, value in self.tags.items():
            query = query.where(tags.equals((key,), value))
        return query

    def _in_sweep(self, query: Select[Any]) -> Select[Any]:
        return query.join(SWEEP_JOBS, SWEEP_JOBS.c.job_id == JOBS.c.id).where(
            SWEEP_JOBS.c.sweep_id == self.sweep_id
        )

    def _order(self) -> list[Any]:
        """By the metric (jobs without it last), then in the default order."""
        if self.sort is None:
            return self._default_order()
        metric = JOB_METRICS.c.value
        ordered = metric.desc() if self.sort.startswith("-") else metric.asc()
        return [metric.is_(None), ordered, *self._default_order()]

    def _default_order(self) -> list[Any]:
        """A sweep's jobs in grid order (a point's attempts oldest first), others newest first."""
        if self.sweep_id is not None:
            return [SWEEP_JOBS.c.point, JOBS.c.created_at]
        return [JOBS.c.created_at.desc(), JOBS.c.sweep_point, JOBS.c.id]


def parse_where(texts: list[str]) -> dict[str, Any]:
    """`--where KEY=VALUE` options as parameter names and JSON values."""
    where: dict[str, Any] = {}
    for text in texts:
        key, value = parse_assignment(text)
        key_path(key)
        where[key] = value
    return where


def parse_tags(texts: list[str]) -> dict[str, str]:
    """`--tag KEY=VALUE` options as tag names and their values (always strings)."""
    tags: dict[str, str] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep:
            raise RejectedRequest(f"expected a tag as KEY=VALUE, got '{text}'")
        tags[key.strip()] = value.strip()
    return checked_tags(tags)


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A moment given as an ISO date or time (local time unless it names a zone), or as a time
    ago: `30m`, `2h`, `3d`, `1w`."""
    text = text.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        amount, unit = relative.groups()
        try:
            return (now or utcnow()) - timedelta(**{_UNITS[unit]: float(amount)})
        except OverflowError:
            raise RejectedRequest(
                f"'{shortened(text)}' ago is before the earliest date (year 1)"
            ) from None
    try:
        moment = datetime.fromisoformat(text)
        moment = moment if moment.tzinfo is not None else moment.astimezone()
        moment.astimezone(UTC)  # as the store compares it: within the years 1 to 9999 in UTC
        return moment
    except ValueError:
        raise RejectedRequest(
            f"expected a date, a time (2024-05-01, 2024-05-01T14:30) or a time ago "
            f"(30m, 2h, 3d, 1w), got '{shortened(text)}'"
        ) from None
    except OverflowError:
        raise RejectedRequest(f"'{shortened(text)}' is beyond the dates a job can have") from None
