"""Sweeps: one job per point of a parameter grid, stored together with their jobs."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Connection, Row, select

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store.database import Database
from solverq.worker.store.job_store import JobStore, cancel_unfinished, resolve_id
from solverq.worker.store.models import JOB_RESULTS, JOBS, SWEEP_JOBS, SWEEPS, JobStatus, utcnow
from solverq.worker.store.records import JobRecord, job_record

T = TypeVar("T")


_ATTEMPT_ORDER = (SWEEP_JOBS.c.point, SWEEP_JOBS.c.added_at, JOBS.c.created_at, JOBS.c.id)
"""Each point's jobs, oldest first."""


class UnknownSweep(RejectedRequest):
    """No sweep has this id (or the prefix is ambiguous)."""


@dataclass(frozen=True)
class SweepRecord:
    """A sweep as the store last saw it, with the number of its jobs in each state."""

    id: str
    plugin: str
    grid: dict[str, list[Any]]
    params: dict[str, Any]
    created_at: datetime
    counts: dict[JobStatus, int]
    """The number of points whose newest job is in each state."""
    deleted: int = 0
    """The number of points whose jobs were all deleted."""

    @property
    def size(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """How many of its jobs have finished, whatever the outcome."""
        return sum(n for status, n in self.counts.items() if status.finished)

    @property
    def finished(self) -> bool:
        return self.done == self.size

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plugin": self.plugin,
            "grid": self.grid,
            "params": self.params,
            "created_at": self.created_at.isoformat(),
            "size": self.size,
            "counts": {status.value: n for status, n in self.counts.items()},
            "deleted": self.deleted,
        }


class SweepStore:
    """The sweeps of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create(
        self,
        plugin: str,
        grid: Mapping[str, Sequence[Any]],
        params: Mapping[str, Any],
        param_sets: Sequence[Mapping[str, Any]],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        points: Sequence[int] | None = None,
        reused: Mapping[int, str] | None = None,
        **options: Any,
    ) -> tuple[SweepRecord, list[str]]:
        """Store the sweep and one queued job per parameter set, at its `points` of the grid
        (by default all of them, in order), linking the `reused` jobs at the others, in one
        transaction; the sweep and the new job ids. `options` as for `JobStore.create_many`."""
        sweep: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "plugin": plugin,
            "grid": [[key, list(values)] for key, values in grid.items()],
            "params": dict(params),
            "created_at": utcnow(),
        }
        job_ids = JobStore(self.database).create_many(
            plugin,
            param_sets,
            inputs,
            sweep=sweep,
            new_sweep=True,
            points=points,
            reused=reused,
            **options,
        )
        return self.get(sweep["id"]), job_ids

    def add_attempts(
        self,
        sweep_id: str,
        points: Mapping[int, JobRecord],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        queue: str | None = None,
    ) -> list[str]:
        """Queue a new job at each of the sweep's `points` for `queue`, a copy of the job given
        for it (its parameters, digest, tags, note and time limit); the new job ids, in the
        order given."""
        if not points:
            return []
        first = next(iter(points.values()))
        with self.database.transaction() as connection:
            sweep = _sweep_row(connection, sweep_id)
        return JobStore(self.database).create_many(
            sweep.plugin,
            [job.params for job in points.values()],
            inputs,
            digests=[job.digest for job in points.values()],
            tags=first.tags,
            note=first.note,
            time_limit=first.time_limit,
            queue=queue,
            sweep=dict(sweep._mapping),
            points=list(points),
        )

    def get(self, sweep_id: str) -> SweepRecord:
        """The sweep with this id (or unique id prefix)."""
        with self.database.transaction() as connection:
            sweep = _sweep_row(connection, sweep_id)
            newest = _newest_per_point(
                connection.execute(
                    select(SWEEP_JOBS.c.point, JOBS.c.status)
                    .join(JOBS, JOBS.c.id == SWEEP_JOBS.c.job_id)
                    .where(SWEEP_JOBS.c.sweep_id == sweep.id)
                    .order_by(*_ATTEMPT_ORDER)
                )
            )
            counts = dict.fromkeys(JobStatus, 0)
            for status in newest.values():
                counts[JobStatus(status)] += 1
            size = math.prod(len(values) for _, values in sweep.grid)
            return SweepRecord(
                id=sweep.id,
                plugin=sweep.plugin,
                grid={key: values for key, values in sweep.grid},
                params=sweep.params,
                created_at=sweep.created_at,
                counts=counts,
                deleted=size - len(newest),
            )

    def points(self, sweep_id: str) -> dict[int, JobRecord]:
        """The newest job at each point of the sweep that has one, in grid order."""
        sweep_id = self.resolve(sweep_id)
        query = (
            select(SWEEP_JOBS.c.point, JOBS, JOB_RESULTS.c.summary, JOB_RESULTS.c.array_info)
            .join(JOBS, JOBS.c.id == SWEEP_JOBS.c.job_id)
            .outerjoin(JOB_RESULTS, JOB_RESULTS.c.job_id == JOBS.c.id)
            .where(SWEEP_JOBS.c.sweep_id == sweep_id)
            .order_by(*_ATTEMPT_ORDER)
        )
        with self.database.transaction() as connection:
            newest = _newest_per_point(
                (row.point, job_record(row)) for row in connection.execute(query)
            )
        return dict(sorted(newest.items()))

    def jobs(self, sweep_id: str) -> list[JobRecord]:
        """The newest job at each point of the sweep, in the order of its grid's points."""
        return list(self.points(sweep_id).values())

    def next_queued(self, sweep_id: str) -> str | None:
        """The id of the sweep's first queued job in grid order, or None when none is left."""
        with self.database.transaction() as connection:
            return connection.scalar(
                select(JOBS.c.id)
                .where(JOBS.c.sweep_id == sweep_id, JOBS.c.status == JobStatus.QUEUED)
                .order_by(JOBS.c.sweep_point)
                .limit(1)
            )

    def cancel(self, sweep_id: str) -> SweepRecord:
        """Cancel the sweep's queued and running jobs, in one transaction."""
        with self.database.transaction() as connection:
            sweep_id = resolve_id(connection, SWEEPS, sweep_id, UnknownSweep)
            cancel_unfinished(connection, JOBS.c.sweep_id == sweep_id)
        return self.get(sweep_id)

    def resolve(self, sweep_id: str) -> str:
        """The full id of the sweep `sweep_id` names (a full id or a unique prefix)."""
        with self.database.transaction() as connection:
            return resolve_id(connection, SWEEPS, sweep_id, UnknownSweep)


def _sweep_row(connection: Connection, sweep_id: str) -> Row[Any]:
    """The row of the sweep `sweep_id` names (a full id or a unique prefix)."""
    full_id = resolve_id(connection, SWEEPS, sweep_id, UnknownSweep)
    return connection.execute(select(SWEEPS).where(SWEEPS.c.id == full_id)).one()


def _newest_per_point(rows: Iterable[tuple[int, T]]) -> dict[int, T]:
    """The last value of each point, of rows in `_ATTEMPT_ORDER`."""
    return {point: value for point, value in rows}
