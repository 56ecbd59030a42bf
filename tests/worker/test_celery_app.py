"""The Celery configuration the design relies on."""

from __future__ import annotations

from solverq.worker.celery_app import ReaperStep, app
from solverq.worker.queue import create_app
from solverq.worker.settings import Settings


def test_messages_are_json_only_and_acknowledged_once_the_job_ended() -> None:
    settings = Settings(
        database_url="unused", broker_url="redis://broker:6379/0", time_limit=60.0, queue="gpu"
    )
    conf = create_app(settings).conf
    assert (conf.task_serializer, conf.accept_content) == ("json", ["json"])
    assert conf.result_backend is None and conf.task_ignore_result
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_default_queue == "gpu"
    assert conf.broker_transport_options["visibility_timeout"] == settings.visibility_timeout


def test_every_worker_runs_the_reaper() -> None:
    assert ReaperStep in app.steps["worker"]
