"""The reaper: recovers worker-pool jobs whose worker died or whose message the broker lost.

Every worker runs it in its main process, at start and then every ``SOLVERQ_REAP_INTERVAL``
seconds. Each pass:

1. A running job whose heartbeat is older than ``SOLVERQ_STALE_AFTER`` lost its worker. If its
   last heartbeat came after its time limit, the worker was killed for running too long: the job
   fails with the time-limit message. If it has been started ``SOLVERQ_MAX_ATTEMPTS`` times, it
   fails ("worker lost 3 times; giving up"). Otherwise it is queued again and published.
2. Lost messages: for each queue, the messages the broker should hold (one per job queued for
   more than `PUBLISH_GRACE` seconds or running, one per chunk for the jobs of a chunk) are
   counted in the database and compared with the messages the broker holds (waiting and
   unacknowledged). Fewer messages than that means the broker lost some (flushed, or restarted
   without its data): the queued jobs whose ids none of its messages carries are published
   again, each on its own. A healthy queue, however deep, costs two counts.
3. A job queued longer than ``SOLVERQ_REQUEUE_AFTER`` is published again whatever the broker
   holds; a duplicate message finds the job taken and does nothing.

A worker's pool process that dies while running a job is seen by the worker's main process,
which queues the job again at once (`solverq.worker.lost_processes`).

Several workers reaping at once is safe: each change is a conditional UPDATE that one of them wins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kombu.exceptions import OperationalError
from sqlalchemy.exc import SQLAlchemyError

from solverq.worker.queue import broker_holdings, enqueue
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore
from solverq.worker.store.database import first_line
from solverq.worker.store.factory import job_store
from solverq.worker.store.models import utcnow
from solverq.worker.store.recovery import (
    QueuedJob,
    give_up,
    queued_ids,
    requeue,
    stale_attempts,
    take_unclaimed,
    waiting_by_queue,
)

if TYPE_CHECKING:
    from solverq.worker.queue import BrokerHoldings

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
"""The most jobs of each kind one pass handles; the next pass takes the rest."""
PUBLISH_GRACE = 10.0
"""Seconds a job may be stored as queued before its message is expected in the broker (a job is
stored, then published)."""

Publisher = Callable[[list[QueuedJob]], None]


@dataclass
class Reaping:
    """What one pass did, by job id."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    republished: list[str] = field(default_factory=list)


def reap(
    store: JobStore,
    settings: Settings,
    publish: Publisher,
    holdings: BrokerHoldings | None = None,
) -> Reaping:
    """One pass of the reaper over `store`; `publish` sends jobs to their queues, `holdings`
    tells what the broker holds (None: messages are found lost by age only)."""
    now = utcnow()
    reaping = Reaping()
    to_publish: list[QueuedJob] = []
    heartbeat_before = now - timedelta(seconds=settings.stale_after)
    for attempt in stale_attempts(store.database, heartbeat_before, BATCH_SIZE):
        limit = settings.job_time_limit(attempt.time_limit)
        if attempt.ran_for >= limit:
            error = f"job exceeded its time limit of {limit:g} s"
        elif attempt.attempt >= settings.max_attempts:
            error = f"worker lost {attempt.attempt} times; giving up"
        else:
            note = f"re-queued: worker lost during attempt {attempt.attempt}"
            job = requeue(store.database, attempt, note)
            if job is not None:
                log.warning("job %s %s", job.id, note)
                reaping.requeued.append(job.id)
                to_publish.append(job)
            continue
        if give_up(store.database, attempt, error):
            log.warning("job %s failed: %s", attempt.job_id, error)
            reaping.failed.append(attempt.job_id)
    if holdings is not None:
        to_publish.extend(_lost_messages(store, holdings, now - timedelta(seconds=PUBLISH_GRACE)))
    enqueued_before = now - timedelta(seconds=settings.requeue_after)
    unclaimed = take_unclaimed(store.database, enqueued_before, BATCH_SIZE)
    if unclaimed:
        log.warning("publishing %d jobs again that no worker took", len(unclaimed))
    to_publish.extend(unclaimed)
    reaping.republished = [job.id for job in to_publish if job.id not in reaping.requeued]
    if to_publish:
        publish(to_publish)
    return reaping


def _lost_messages(
    store: JobStore, holdings: BrokerHoldings, enqueued_before: datetime
) -> list[QueuedJob]:
    """The queued jobs whose messages the broker lost, marked as published now."""
    lost: list[QueuedJob] = []
    for queue, expected in waiting_by_queue(store.database, enqueued_before).items():
        if holdings.count(queue) >= expected:
            continue
        held = holdings.job_ids(queue)
        missing = [
            job_id
            for job_id in queued_ids(store.database, queue, enqueued_before)
            if job_id not in held
        ][:BATCH_SIZE]
        jobs = take_unclaimed(store.database, enqueued_before, BATCH_SIZE, only=missing)
        if jobs:
            log.warning(
                "the broker holds %d of the %d messages of queue %s; publishing %d jobs again",
                len(held),
                expected,
                queue,
                len(jobs),
            )
        lost.extend(jobs)
    return lost


class ReaperThread:
    """Runs `reap` at start and then every `settings.reap_interval` seconds, until stopped.

    A pass that fails (database or broker unreachable) is logged; the next one tries again, and
    jobs it had marked but not published are published again after ``SOLVERQ_REQUEUE_AFTER``.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="solverq reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        def publish(jobs: list[QueuedJob]) -> None:
            enqueue(jobs, self.settings)

        while True:
            try:
                with broker_holdings(self.settings) as holdings:
                    reap(job_store(self.settings), self.settings, publish, holdings)
            except (SQLAlchemyError, OperationalError) as error:
                log.warning("reaper pass failed, the next one tries again: %s", first_line(error))
            except Exception:
                log.exception(
                    "reaper pass failed; trying again in %g s", self.settings.reap_interval
                )
            if self._stopped.wait(self.settings.reap_interval):
                return
