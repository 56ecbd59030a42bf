"""Running the jobs of an embedded sweep in several local processes.

Each process is a fresh `python -m solverq.worker.sweep_processes SWEEP_ID`: nothing of the caller's
`__main__` runs again in it, so a sweep starts processes alike from a script, a notebook or
standard input. A process takes the sweep's queued jobs one at a time, in grid order, until none
is left; taking a job is one conditional UPDATE, so no job runs twice. The caller follows the
progress in the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from solverq.plugins.errors import SolverqError
from solverq.worker.execution import ProgressListener, execute_job
from solverq.worker.settings import Settings
from solverq.worker.store import SweepStore
from solverq.worker.store.factory import job_store, sweep_store

POLL_INTERVAL = 0.2
SHOWN_ERROR_LINES = 5


def run_queued_jobs(sweep_id: str, settings: Settings) -> None:
    """Run the sweep's queued jobs in this process, in grid order, until none is left."""
    store = job_store(settings)
    sweeps = SweepStore(store.database)
    while (job_id := sweeps.next_queued(sweep_id)) is not None:
        execute_job(store, job_id, settings=settings)


def run_in_processes(
    sweep_id: str, processes: int, settings: Settings, listener: ProgressListener
) -> None:
    """Run the sweep's queued jobs in `processes` new processes, reporting the sweep's progress
    to `listener` until they are done; the processes are stopped if this is interrupted."""
    sweeps = sweep_store(settings)
    environment = {
        **os.environ,
        "SOLVERQ_DATABASE_URL": settings.database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    with tempfile.TemporaryFile() as errors:
        children = [
            subprocess.Popen(
                [sys.executable, "-m", __name__, sweep_id],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            for _ in range(processes)
        ]
        try:
            while any(child.poll() is None for child in children):
                sweep = sweeps.get(sweep_id)
                listener(sweep.done / sweep.size, f"{sweep.done}/{sweep.size} jobs")
                time.sleep(POLL_INTERVAL)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
                child.wait()
        failed = [child.returncode for child in children if child.returncode != 0]
        if failed:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            raise SolverqError(
                f"{len(failed)} of {processes} sweep processes failed (exit status {failed[0]}): "
                + " | ".join(lines[-SHOWN_ERROR_LINES:])
            )
    sweep = sweeps.get(sweep_id)
    listener(sweep.done / sweep.size, f"{sweep.done}/{sweep.size} jobs")


if __name__ == "__main__":
    run_queued_jobs(sys.argv[1], Settings.from_environment())
