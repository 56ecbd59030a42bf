"""Sweeps: one job per point of a parameter grid, stored together with their jobs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store.database import Database
from solverq.worker.store.job_store import JobStore, cancel_unfinished, resolve_id
from solverq.worker.store.models import Job, JobStatus, Sweep, utcnow
from solverq.worker.store.records import JobRecord


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
        time_limit: float | None = None,
        queue: str | None = None,
    ) -> tuple[SweepRecord, list[str]]:
        """Store the sweep and one queued job per parameter set (its points, in grid order) in
        one transaction; the sweep and its job ids."""
        sweep = Sweep(
            id=uuid.uuid4().hex,
            plugin=plugin,
            grid=[[key, list(values)] for key, values in grid.items()],
            params=dict(params),
            created_at=utcnow(),
        )
        job_ids = JobStore(self.database).create_many(
            plugin, param_sets, inputs, time_limit=time_limit, queue=queue, sweep=sweep
        )
        return self.get(sweep.id), job_ids

    def get(self, sweep_id: str) -> SweepRecord:
        """The sweep with this id (or unique id prefix)."""
        with self.database.session() as session:
            sweep = session.get_one(Sweep, resolve_id(session, Sweep, sweep_id, UnknownSweep))
            counts = dict.fromkeys(JobStatus, 0)
            for status, count in session.execute(
                select(Job.status, func.count())
                .where(Job.sweep_id == sweep.id)
                .group_by(Job.status)
            ):
                counts[JobStatus(status)] = count
            return SweepRecord(
                id=sweep.id,
                plugin=sweep.plugin,
                grid={key: values for key, values in sweep.grid},
                params=sweep.params,
                created_at=sweep.created_at,
                counts=counts,
            )

    def jobs(self, sweep_id: str) -> list[JobRecord]:
        """The jobs of the sweep, in the order of its grid's points."""
        return JobStore(self.database).list(sweep_id=self.resolve(sweep_id), limit=None)

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
