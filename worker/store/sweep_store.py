"""Sweeps: one job per point of a parameter grid, stored together with their jobs."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store.database import Database
from solverq.worker.store.job_store import JobStore, cancel_unfinished, resolve_id
from solverq.worker.store.models import Job, JobResult, JobStatus, Sweep, SweepJob, utcnow
from solverq.worker.store.records import JobRecord, job_record

T = TypeVar("T")


_ATTEMPT_ORDER = (SweepJob.point, SweepJob.added_at, Job.created_at, Job.id)
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
        sweep = Sweep(
            id=uuid.uuid4().hex,
            plugin=plugin,
            grid=[[key, list(values)] for key, values in grid.items()],
            params=dict(params),
            created_at=utcnow(),
        )
        job_ids = JobStore(self.database).create_many(
            plugin, param_sets, inputs, sweep=sweep, points=points, reused=reused, **options
        )
        return self.get(sweep.id), job_ids

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
        with self.database.session() as session:
            sweep = session.get_one(Sweep, resolve_id(session, Sweep, sweep_id, UnknownSweep))
        return JobStore(self.database).create_many(
            sweep.plugin,
            [job.params for job in points.values()],
            inputs,
            digests=[job.digest for job in points.values()],
            tags=first.tags,
            note=first.note,
            time_limit=first.time_limit,
            queue=queue,
            sweep=sweep,
            points=list(points),
        )

    def get(self, sweep_id: str) -> SweepRecord:
        """The sweep with this id (or unique id prefix)."""
        with self.database.session() as session:
            sweep = session.get_one(Sweep, resolve_id(session, Sweep, sweep_id, UnknownSweep))
            newest = _newest_per_point(
                session.execute(
                    select(SweepJob.point, Job.status)
                    .join(Job, Job.id == SweepJob.job_id)
                    .where(SweepJob.sweep_id == sweep.id)
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
            select(SweepJob.point, Job, JobResult.summary, JobResult.array_info)
            .join(Job, Job.id == SweepJob.job_id)
            .outerjoin(JobResult, JobResult.job_id == Job.id)
            .where(SweepJob.sweep_id == sweep_id)
            .order_by(*_ATTEMPT_ORDER)
        )
        with self.database.session() as session:
            newest = _newest_per_point(
                (point, job_record(job, summary, array_info))
                for point, job, summary, array_info in session.execute(query)
            )
        return dict(sorted(newest.items()))

    def jobs(self, sweep_id: str) -> list[JobRecord]:
        """The newest job at each point of the sweep, in the order of its grid's points."""
        return list(self.points(sweep_id).values())

    def next_queued(self, sweep_id: str) -> str | None:
        """The id of the sweep's first queued job in grid order, or None when none is left."""
        with self.database.session() as session:
            return session.scalar(
                select(Job.id)
                .where(Job.sweep_id == sweep_id, Job.status == JobStatus.QUEUED)
                .order_by(Job.sweep_point)
                .limit(1)
            )

    def cancel(self, sweep_id: str) -> SweepRecord:
        """Cancel the sweep's queued and running jobs, in one transaction."""
        with self.database.session() as session:
            sweep_id = resolve_id(session, Sweep, sweep_id, UnknownSweep)
            cancel_unfinished(session, Job.sweep_id == sweep_id)
        return self.get(sweep_id)

    def resolve(self, sweep_id: str) -> str:
        """The full id of the sweep `sweep_id` names (a full id or a unique prefix)."""
        with self.database.session() as session:
            return resolve_id(session, Sweep, sweep_id, UnknownSweep)


def _newest_per_point(rows: Iterable[tuple[int, T]]) -> dict[int, T]:
    """The last value of each point, of rows in `_ATTEMPT_ORDER`."""
    return {point: value for point, value in rows}
