"""The job store: the database is the source of truth for jobs, their inputs and results."""

from solverq.worker.store.database import Database, open_database
from solverq.worker.store.job_store import JobStore, UnknownJob
from solverq.worker.store.models import JobStatus
from solverq.worker.store.records import JobRecord
from solverq.worker.store.sweep_store import SweepRecord, SweepStore, UnknownSweep

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
