"""The job store: the database is the source of truth for jobs, their inputs and results."""

from worker.store.database import Database, open_database
from worker.store.job_store import JobStore, UnknownJob
from worker.store.models import JobStatus
from worker.store.records import JobRecord
from worker.store.sweep_store import SweepRecord, SweepStore, UnknownSweep

__all__ = [
    "Database",
    "JobRecord",
    "JobStatus",
    "JobStore",
    "SweepRecord",
    "SweepStore",
    "UnknownJob",
    "UnknownSweep",
    "open_database",
]
