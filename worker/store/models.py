"""The tables of the job store, as SQLAlchemy Core tables.

Migrations in ``worker/migrations`` create these tables; `SCHEMA_REVISION` names the newest one.
The store reads and writes them with Core statements only: SQLAlchemy's ORM, which would cost
every command a tenth of a second to import, is never loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SCHEMA_REVISION = "0008"


class JSONData(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL; the PostgreSQL dialect is imported only there."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


METADATA = MetaData()

JOBS = Table(
    "jobs",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("plugin", String(100), nullable=False, index=True),
    Column("params", JSONData(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("heartbeat_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("progress", Float, nullable=False, default=0.0),
    Column("progress_message", Text, nullable=False, default=""),
    Column("time_limit", Float),
    Column("queue", String(200)),
    Column("enqueued_at", UTCDateTime),
    Column("worker", String(255)),
    Column("chunk", String(32)),
    Column("sweep_id", String(32), ForeignKey("sweeps.id", name="fk_jobs_sweep_id"), index=True),
    Column("sweep_point", Integer),
    Column("digest", String(64), index=True),
    Column("provenance", JSONData),
    Column("tags", JSONData, nullable=False, server_default=text("'{}'")),
    Column("note", Text),
    CheckConstraint(
        "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
        name="ck_jobs_status",
    ),
)
"""The jobs. Beyond the plain ones, the columns say:

- `queue`: the broker queue of a worker-pool job; null for a job its submitting process runs;
- `enqueued_at`: when the job's message was last published;
- `worker`: the worker that claimed the current attempt;
- `chunk`: the id of the message that carries the job with the other jobs of its chunk (a
  sweep's jobs are published in chunks); null for a job published in a message of its own;
- `sweep_point`: the position of the job's point in the grid of the sweep that created it;
- `digest`: the hash of what determines the result (`solverq.worker.digest`);
- `provenance`: the versions, platform, host and worker of the attempt that ran it; null before
  that, and for jobs stored before provenance was recorded.

`status` has no index of its own: the reaper finds running jobs by heartbeat and queued jobs by
when they were published, through partial indexes over those jobs only (`PARTIAL_INDEXES`,
declared by `full_metadata`). Jobs are listed newest first through `ix_jobs_newest`."""

Index("ix_jobs_newest", JOBS.c.created_at.desc(), JOBS.c.sweep_point, JOBS.c.id)

PARTIAL_INDEXES = {
    "ix_jobs_running_heartbeat_at": ("heartbeat_at", JobStatus.RUNNING),
    "ix_jobs_queued_enqueued_at": ("enqueued_at", JobStatus.QUEUED),
}
"""The partial indexes of `jobs`, by name: the column indexed over the jobs in a status."""


def full_metadata() -> MetaData:
    """The metadata of the tables with every index the migrations create, for comparing a
    database with the models or generating a migration.

    The partial indexes are declared here, on first call, rather than with `Job`: their options
    for PostgreSQL import SQLAlchemy's PostgreSQL dialect with all its drivers, which the store's
    statements never need and a process on SQLite would import only for them.
    """
    declared = {index.name for index in JOBS.indexes}
    for name, (column, status) in PARTIAL_INDEXES.items():
        if name not in declared:
            where = text(f"status = '{status.value}'")
            Index(name, JOBS.c[column], postgresql_where=where, sqlite_where=where)
    return METADATA


SWEEPS = Table(
    "sweeps",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("plugin", String(100), nullable=False),
    Column("grid", JSONData(), nullable=False),
    Column("params", JSONData(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)
"""Grids of jobs of one plugin: the parameters the points share, and the swept values as
[[name, [values...]], ...] in the order given (a JSON object would lose it in JSONB)."""

SWEEP_JOBS = Table(
    "sweep_jobs",
    METADATA,
    Column(
        "sweep_id",
        String(32),
        ForeignKey("sweeps.id", name="fk_sweep_jobs_sweep_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "job_id",
        String(32),
        ForeignKey("jobs.id", name="fk_sweep_jobs_job_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("point", Integer, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("sweep_id", "point", "job_id", name="pk_sweep_jobs"),
    Index("ix_sweep_jobs_job_id", "job_id"),
)
"""The jobs at the points of sweeps: those a sweep created, those it reused (a job may be in
several sweeps) and each new attempt at a point; a point shows its newest job."""

JOB_INPUTS = Table(
    "job_inputs",
    METADATA,
    Column("job_id", String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("arrays", LargeBinary, nullable=False),
)
"""The input arrays of jobs (`solverq.plugins.arrays`, or a reference to a file beside an SQLite
database), stored so that a remote worker can read them."""

JOB_RESULTS = Table(
    "job_results",
    METADATA,
    Column("job_id", String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("summary", JSONData(), nullable=False),
    Column("array_info", JSONData(), nullable=False),
    Column("arrays", LargeBinary, nullable=False),
)
"""The one result of a job: the plugin's summary and its arrays when it succeeded, the arrays it
produced before it failed (and an empty summary) when it failed."""

JOB_METRICS = Table(
    "job_metrics",
    METADATA,
    Column("job_id", String(32), ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("job_id", "key", name="pk_job_metrics"),
)
"""The numbers of jobs' summaries by dotted key (`solverq.worker.store.metrics`), written with the
results: what sorting jobs by a metric reads."""
