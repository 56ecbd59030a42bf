"""Celery tasks: thin wrappers over `solverq.worker.execution`."""

from __future__ import annotations

from celery import Task

from solverq.worker.celery_app import app, settings
from solverq.worker.execution import execute_job
from solverq.worker.queue import RUN_JOB_TASK
from solverq.worker.store.factory import job_store


@app.task(name=RUN_JOB_TASK, bind=True, Request="solverq.worker.lost_processes:JobRequest")
def run_job(self: Task, job_id: str) -> None:
    """Run the stored job `job_id` unless another delivery already took it."""
    execute_job(job_store(settings), job_id, settings=settings, worker=self.request.hostname)
