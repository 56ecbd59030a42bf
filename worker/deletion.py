"""Deleting jobs for good: their rows, input arrays and results.

A deletion is planned first (which jobs, how many bytes), so that a command can ask before it
deletes. A running job is refused unless forced: it is then cancelled first, and its worker
stops at its next heartbeat (what it stores afterwards matches no job). A sweep keeps its grid;
its table shows the points whose jobs were deleted as deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solverq.plugins.errors import RejectedRequest
from solverq.worker import service
from solverq.worker.job_search import find_jobs
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus
from solverq.worker.store.factory import job_store


@dataclass(frozen=True)
class Deletion:
    """The jobs a deletion would remove, and the bytes of their stored arrays."""

    jobs: list[JobRecord]
    bytes: int

    @property
    def running(self) -> list[JobRecord]:
        return [job for job in self.jobs if job.status is JobStatus.RUNNING]


def plan_deletion(
    job_ids: Sequence[str] = (),
    *,
    sweep: str | None = None,
    where: Mapping[str, Any] | None = None,
    until: datetime | str | None = None,
    settings: Settings | None = None,
    **filters: Any,
) -> Deletion:
    """The jobs named by id (or unique prefix), or every job of a `sweep`, or those that the
    filters of `find_jobs` select (`where`, `until`, `plugin`, `status`, `tags`, ...)."""
    store = job_store(settings)
    chosen = sum(bool(choice) for choice in (job_ids, sweep, where or until or filters))
    if chosen != 1:
        raise RejectedRequest(
            "name the jobs to delete in one way: by id, by --sweep, or by --where/--until"
        )
    if job_ids:
        jobs = list({job.id: job for job in (store.get(job_id) for job_id in job_ids)}.values())
    else:
        jobs = find_jobs(
            sweep=sweep, where=where, until=until, limit=None, settings=settings, **filters
        )
    return Deletion(jobs, store.stored_bytes([job.id for job in jobs]))


def delete_jobs(
    deletion: Deletion, *, force: bool = False, settings: Settings | None = None
) -> int:
    """Delete the planned jobs; how many were. A running job is refused unless `force`, which
    cancels it first."""
    settings = settings or Settings.from_environment()
    running = deletion.running
    if running and not force:
        shown = ", ".join(job.id[:12] for job in running[:3])
        more = f" and {len(running) - 3} more" if len(running) > 3 else ""
        raise RejectedRequest(
            f"{len(running)} of the jobs are running ({shown}{more}); cancel them first, "
            "or delete with --force"
        )
    for job in running:
        service.cancel(job.id, settings=settings)
    return job_store(settings).delete([job.id for job in deletion.jobs])
