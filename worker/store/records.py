"""`JobRecord`: a plain snapshot of a job, as commands and the Python API see it; `StartedJob`:
what a worker reads when it claims one.

The job's columns are defined once, by the `JOBS` table: a record has one field per column (but
those in `UNSHOWN_COLUMNS`), of the column's Python type, and then the summary and the array
descriptions of the job's result. A new column is a new field of every record, and of its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Column, Row

from solverq.worker.store.models import JOBS, JobStatus

UNSHOWN_COLUMNS = frozenset({"enqueued_at", "chunk"})
"""Columns that only the reaper reads."""

COLUMN_FIELDS = tuple(column.key for column in JOBS.columns if column.key not in UNSHOWN_COLUMNS)
"""The record's fields that are columns of the job, in the table's order."""


class JobRecordMethods:
    """What every `JobRecord` can do beyond holding its fields."""

    status: JobStatus
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def run_seconds(self) -> float | None:
        """How long the job ran, or has run so far; None before it started."""
        if self.started_at is None:
            return None
        end = self.finished_at or datetime.now(self.started_at.tzinfo)
        return (end - self.started_at).total_seconds()

    def to_json(self) -> dict[str, Any]:
        """The job record as `status --json` and `result --json` print it."""
        return {item.name: _json_value(getattr(self, item.name)) for item in fields(self)}  # type: ignore[arg-type]


def _field_type(column: Column[Any]) -> Any:
    kind = JobStatus if column.key == "status" else column.type.python_type
    return kind | None if column.nullable else kind


if TYPE_CHECKING:

    class JobRecord(JobRecordMethods):
        """A job as the store last saw it: one attribute per column of `JOBS`, and `summary`
        and `array_descriptions`."""

        def __init__(self, **values: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

else:
    JobRecord = make_dataclass(
        "JobRecord",
        [
            *(
                (column.key, _field_type(column))
                for column in JOBS.columns
                if column.key in COLUMN_FIELDS
            ),
            ("summary", dict[str, Any] | None, field(default=None)),
            ("array_descriptions", dict[str, Any], field(default_factory=dict)),
        ],
        bases=(JobRecordMethods,),
        frozen=True,
        kw_only=True,
        namespace={
            "__doc__": "A job as the store last saw it: one field per column of `JOBS`, "
            "and the summary and array descriptions of its result."
        },
    )
    JobRecord.__module__ = __name__


@dataclass(frozen=True)
class StartedJob:
    """A job a worker has just claimed, as its `attempt`: what running it takes."""

    id: str
    plugin: str
    params: dict[str, Any]
    attempt: int
    time_limit: float | None
    inputs: dict[str, np.ndarray]


def job_record(row: Row[Any]) -> JobRecord:
    """The record of a row of the jobs table's columns and its result's `summary` and
    `array_info` (null without a result)."""
    values = {name: getattr(row, name) for name in COLUMN_FIELDS}
    values["status"] = JobStatus(row.status)
    return JobRecord(**values, summary=row.summary, array_descriptions=row.array_info or {})


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
