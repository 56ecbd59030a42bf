"""SQLAlchemy models of the job store.

Migrations in ``worker/migrations`` create these tables; `SCHEMA_REVISION` names the newest one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


class Base(DeclarativeBase):
    __table__: ClassVar[Table]


class Job(Base):
    """A job. Its status has no index of its own: the reaper finds running jobs by heartbeat and
    queued jobs by when they were published, through partial indexes over those jobs only
    (`PARTIAL_INDEXES`, declared by `full_metadata`)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="ck_jobs_status",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONData())
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """Jobs are listed newest first through the index `ix_jobs_newest`."""
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str] = mapped_column(Text, default="")
    time_limit: Mapped[float | None] = mapped_column(Float)
    queue: Mapped[str | None] = mapped_column(String(200))
    """The broker queue of a worker-pool job; None for a job run by the submitting process."""
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the job's message was last published."""
    worker: Mapped[str | None] = mapped_column(String(255))
    """The worker that claimed the current attempt."""
    chunk: Mapped[str | None] = mapped_column(String(32))
    """The id of the message that carries the job with the other jobs of its chunk (a sweep's
    jobs are published in chunks); None for a job published in a message of its own."""
    sweep_id: Mapped[str | None] = mapped_column(
        ForeignKey("sweeps.id", name="fk_jobs_sweep_id"), index=True
    )
    sweep_point: Mapped[int | None] = mapped_column(Integer)
    """The position of the job's point in the grid of the sweep that created it."""
    digest: Mapped[str | None] = mapped_column(String(64), index=True)
    """The hash of what determines the result: see `solverq.worker.digest`."""
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    """The versions, platform, host and worker of the attempt that ran it; None before that,
    and for jobs stored before provenance was recorded."""
    tags: Mapped[dict[str, str]] = mapped_column(JSONData, server_default=text("'{}'"))
    note: Mapped[str | None] = mapped_column(Text)


Index("ix_jobs_newest", Job.created_at.desc(), Job.sweep_point, Job.id)

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
    table = Job.__table__
    declared = {index.name for index in table.indexes}
    for name, (column, status) in PARTIAL_INDEXES.items():
        if name not in declared:
            where = text(f"status = '{status.value}'")
            Index(name, table.c[column], postgresql_where=where, sqlite_where=where)
    return Base.metadata


class Sweep(Base):
    """A grid of jobs of one plugin: the parameters the points share and the swept values."""

    __tablename__ = "sweeps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    grid: Mapped[list[Any]] = mapped_column(JSONData())
    """[[name, [values...]], ...] in the order given (a JSON object would lose it in JSONB)."""
    params: Mapped[dict[str, Any]] = mapped_column(JSONData())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SweepJob(Base):
    """A job at a point of a sweep: the jobs a sweep created, those it reused (a job may be in
    several sweeps) and each new attempt at a point; a point shows its newest job."""

    __tablename__ = "sweep_jobs"
    __table_args__ = (
        PrimaryKeyConstraint("sweep_id", "point", "job_id", name="pk_sweep_jobs"),
        Index("ix_sweep_jobs_job_id", "job_id"),
    )

    sweep_id: Mapped[str] = mapped_column(
        ForeignKey("sweeps.id", name="fk_sweep_jobs_sweep_id", ondelete="CASCADE")
    )
    job_id: Mapped[str] = mapped_column(
        ForeignKey("jobs.id", name="fk_sweep_jobs_job_id", ondelete="CASCADE")
    )
    point: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobInput(Base):
    """The input arrays of a job (`.npz` bytes), stored so that a remote worker can read them."""

    __tablename__ = "job_inputs"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    arrays: Mapped[bytes] = mapped_column(LargeBinary)


class JobResult(Base):
    """The one result of a job: the plugin's summary and its arrays (`.npz` bytes) when it
    succeeded, the arrays it produced before it failed (and an empty summary) when it failed."""

    __tablename__ = "job_results"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONData())
    array_info: Mapped[dict[str, Any]] = mapped_column(JSONData())
    arrays: Mapped[bytes] = mapped_column(LargeBinary)


class JobMetric(Base):
    """A number of a job's summary by its dotted key (`solverq.worker.store.metrics`), written
    with the result: what sorting jobs by a metric reads."""

    __tablename__ = "job_metrics"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (PrimaryKeyConstraint("job_id", "key", name="pk_job_metrics"),)
