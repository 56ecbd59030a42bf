"""Celery tasks: thin wrappers over `solverq.worker.execution` and `solverq.worker.chunks`."""

from __future__ import annotations

from celery import Task

from solverq.worker.celery_app import app, settings
from solverq.worker.chunks import execute_chunk
from solverq.worker.execution import execute_job
from solverq.worker.queue import RUN_JOB_TASK, RUN_JOBS_TASK, enqueue
from solverq.worker.store.factory import job_store


@app.task(name=RUN_JOB_TASK, bind=True, Request="solverq.worker.lost_processes:JobRequest")
def run_job(self: Task, job_id: str) -> None:
    """Run the stored job `job_id` unless another delivery already took it."""
    execute_job(job_store(settings), job_id, settings=settings, worker=self.request.hostname)


@app.task(name=RUN_JOBS_TASK, bind=True)
def run_jobs(self: Task, job_ids: list[str]) -> None:
    """Run the stored jobs of a chunk that no other delivery took, in order; publish again, each
    on its own, those it gave back."""
    store = job_store(settings)
    given_back = execute_chunk(store, job_ids, settings=settings, worker=self.request.hostname)
    if given_back:
        enqueue(given_back, settings)
