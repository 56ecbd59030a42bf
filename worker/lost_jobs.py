"""Jobs lost with the submitting process that ran them: shown failed once their heartbeat is
older than ``SOLVERQ_STALE_AFTER``.

A module of its own, so that finding and showing jobs does not import what runs them.
"""

from __future__ import annotations

from datetime import timedelta

from solverq.worker.settings import Settings
from solverq.worker.store import JobStore
from solverq.worker.store.models import utcnow
from solverq.worker.store.recovery import fail_lost_in_place


def fail_lost(store: JobStore, settings: Settings) -> None:
    """Fail the jobs that were running in a submitting process which stopped without finishing
    them (killed, or its machine lost): their heartbeat is older than ``SOLVERQ_STALE_AFTER``."""
    heartbeat_before = utcnow() - timedelta(seconds=settings.stale_after)
    error = f"lost: the process running it stopped (no heartbeat for {settings.stale_after:g} s)"
    fail_lost_in_place(store.database, heartbeat_before, error)
