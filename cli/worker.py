"""`solverq worker`: serve the broker's queue with a pool of processes."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer


def worker(
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", "-c", min=1, help="Jobs run at once (default: the number of CPUs)."
        ),
    ] = os.cpu_count() or 1,
    queue: Annotated[
        str | None,
        typer.Option("--queue", "-Q", help="The queue to serve (default: SOLVERQ_QUEUE)."),
    ] = None,
) -> None:
    """Run jobs from the broker (SOLVERQ_BROKER_URL) until stopped with Ctrl-C or SIGTERM."""
    from solverq.plugins.errors import RejectedRequest
    from solverq.worker.settings import Settings
    from solverq.worker.store.factory import configured_database

    settings = Settings.from_environment()
    if settings.embedded:
        raise RejectedRequest(
            "solverq worker needs a broker: set SOLVERQ_BROKER_URL, e.g. redis://127.0.0.1:6379/0"
        )
    configured_database(settings)

    from solverq.worker.celery_app import app

    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={queue or settings.queue}",
            f"--hostname={node_name(os.getpid(), socket.gethostname())}",
            "--pool=prefork",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ]
    )


def node_name(pid: int, host: str) -> str:
    """The worker's Celery node name: unique per process, so that several workers may share a
    machine; the rows of the jobs it runs name it."""
    return f"solverq-{pid}@{host}"
