"""The Celery application: JSON messages that carry a job id, and nothing else.

``celery -A worker.celery_app worker`` (or `solverq worker`) serves the broker named by
``SOLVERQ_BROKER_URL``.
"""

from __future__ import annotations

from celery import Celery

from worker.settings import Settings

RUN_JOB_TASK = "solverq.run_job"


def create_app(broker_url: str, time_limit: float) -> Celery:
    app = Celery("solverq", broker=broker_url, include=["worker.tasks"])
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 2 * time_limit + 60},
    )
    return app


_settings = Settings.from_environment()
app = create_app(_settings.broker_url or "redis://127.0.0.1:6379/0", _settings.time_limit)
