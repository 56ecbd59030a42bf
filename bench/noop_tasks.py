"""Plain Celery no-op tasks, configured as solverq's own Celery app is (JSON, late
acknowledgement, prefetch 1, no result backend): the peer of `bench/workers.py`."""

import os

from celery import Celery

app = Celery("noop", broker=os.environ["BENCH_BROKER_URL"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="noop",
)


@app.task(name="noop")
def noop(job_id: str) -> None:
    """Do nothing with the id, as fast as Celery allows."""
