"""Operations on jobs, each one short transaction, returning plain `JobRecord` snapshots.

A worker owns a job only while the row says `running` with the attempt number it claimed: every
write a worker makes is conditional on that, so a worker that lost its job (cancelled, or re-queued
after its heartbeat went stale) can never overwrite the outcome of another.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Table, delete, func, insert, select, update

from solverq.plugins.errors import RejectedRequest, shortened
from solverq.worker.store.array_files import REFERENCE_LENGTH, ArrayFiles
from solverq.worker.store.database import Database, retry_on_disconnect
from solverq.worker.store.job_filters import JobQuery
from solverq.worker.store.json_text import json_text
from solverq.worker.store.metrics import summary_metrics
from solverq.worker.store.models import (
    JOB_INPUTS,
    JOB_RESULTS,
    JOBS,
    SWEEP_JOBS,
    SWEEPS,
    JobStatus,
    utcnow,
)
from solverq.worker.store.records import JobRecord, StartedJob, job_record
from solverq.worker.store.statements import (
    CLAIM,
    FAIL,
    HEARTBEAT,
    START,
    START_UNFLUSHED,
    STORE_METRICS,
    STORE_RESULT,
    SUCCEED,
    SUCCEED_AND_STORE,
)
from solverq.worker.store.tagging import checked_note, checked_queue, checked_tags

MIN_ID_PREFIX = 4
IN_CLAUSE_SIZE = 500


class UnknownJob(RejectedRequest):
    """No job has this id (or the prefix is ambiguous)."""


class JobStore:
    """The jobs of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.array_files = ArrayFiles.beside(database.url)

    def create(
        self,
        plugin: str,
        params: Mapping[str, Any],
        inputs: Mapping[str, np.ndarray] | None = None,
        **options: Any,
    ) -> JobRecord:
        """Store a queued job and its input arrays; `options` as for `create_many`."""
        [job_id] = self.create_many(plugin, [params], inputs, **options)
        return self.get(job_id)

    def create_many(
        self,
        plugin: str,
        param_sets: Sequence[Mapping[str, Any]],
        inputs: Mapping[str, np.ndarray] | None = None,
        *,
        digests: Sequence[str | None] | None = None,
        tags: Mapping[str, str] | None = None,
        note: str | None = None,
        time_limit: float | None = None,
        queue: str | None = None,
        sweep: Mapping[str, Any] | None = None,
        new_sweep: bool = False,
        points: Sequence[int] | None = None,
        reused: Mapping[int, str] | None = None,
        chunks: Sequence[str | None] | None = None,
    ) -> list[str]:
        """Store one queued job per parameter set, all with the same inputs, in one transaction.

        `digests` are the jobs' content digests, in the order of `param_sets`. `queue` names
        the broker queue the jobs are published to; None means the submitting process runs
        them. The jobs are the `points` of `sweep` (a row of `SWEEPS`; by default its first
        points, in order), stored in the same transaction when it is `new_sweep`; `reused` links
        existing jobs at other points of it. `chunks` names the chunk each job is published in
        (None: a message of its own). Returns the new job ids in the order of `param_sets`.
        """
        now = utcnow()
        queue = checked_queue(queue)
        points = list(points) if points is not None else list(range(len(param_sets)))
        digests = list(digests) if digests is not None else [None] * len(param_sets)
        chunks = list(chunks) if chunks is not None else [None] * len(param_sets)
        rows: list[dict[str, Any]] = [
            {
                "id": uuid.uuid4().hex,
                "plugin": plugin,
                "params": dict(params),
                "status": JobStatus.QUEUED,
                "created_at": now,
                "time_limit": time_limit,
                "queue": queue,
                "enqueued_at": now if queue is not None else None,
                "sweep_id": sweep["id"] if sweep is not None else None,
                "sweep_point": point if sweep is not None else None,
                "digest": digest,
                "tags": checked_tags(tags),
                "note": checked_note(note),
                "chunk": chunk,
            }
            for params, point, digest, chunk in zip(
                param_sets, points, digests, chunks, strict=True
            )
        ]
        with self.database.transaction() as connection:
            if sweep is not None and new_sweep:
                connection.execute(insert(SWEEPS), dict(sweep))
            if rows:
                connection.execute(insert(JOBS), rows)
                if inputs:
                    encoded = self.array_files.store(inputs)
                    connection.execute(
                        insert(JOB_INPUTS),
                        [{"job_id": row["id"], "arrays": encoded} for row in rows],
                    )
            if sweep is not None:
                linked = [(row["sweep_point"], row["id"]) for row in rows]
                linked += list((reused or {}).items())
                if linked:
                    connection.execute(
                        insert(SWEEP_JOBS),
                        [
                            {
                                "sweep_id": sweep["id"],
                                "job_id": job_id,
                                "point": point,
                                "added_at": now,
                            }
                            for point, job_id in linked
                        ],
                    )
        return [row["id"] for row in rows]

    def reusable(self, digests: Sequence[str]) -> dict[str, str]:
        """For each digest that has one, the job to reuse: the newest succeeded job with that
        digest, else the newest one still queued or running (it will have the same result)."""
        rank = {JobStatus.SUCCEEDED: 0, JobStatus.RUNNING: 1, JobStatus.QUEUED: 1}
        found: dict[str, tuple[int, Any, str]] = {}
        with self.database.transaction() as connection:
            for chunk in _chunks(sorted(set(digests))):
                candidates = connection.execute(
                    select(JOBS.c.digest, JOBS.c.status, JOBS.c.created_at, JOBS.c.id).where(
                        JOBS.c.digest.in_(chunk), JOBS.c.status.in_(list(rank))
                    )
                )
                for digest, status, created_at, job_id in candidates:
                    assert digest is not None  # selected by its digest
                    key = (rank[JobStatus(status)], -created_at.timestamp(), job_id)
                    if digest not in found or key < found[digest]:
                        found[digest] = key
        return {digest: key[2] for digest, key in found.items()}

    @retry_on_disconnect
    def get(self, job_id: str) -> JobRecord:
        """The job with this id (or unique id prefix), with its result summary when it has one."""
        query = select(JOBS, JOB_RESULTS.c.summary, JOB_RESULTS.c.array_info).outerjoin(
            JOB_RESULTS, JOB_RESULTS.c.job_id == JOBS.c.id
        )
        with self.database.transaction() as connection:
            exact = query.where(JOBS.c.id == job_id)
            row = connection.execute(exact).one_or_none() if _hexadecimal(job_id) else None
            if row is None:
                row = connection.execute(
                    query.where(JOBS.c.id == self._resolve(connection, job_id))
                ).one()
            return job_record(row)

    def list(self, **filters: Any) -> list[JobRecord]:
        """The jobs the filters (the fields of `JobQuery`) name, newest first."""
        statement = JobQuery(**filters).select(self.database.engine.dialect.name)
        with self.database.transaction() as connection:
            return [job_record(row) for row in connection.execute(statement)]

    @retry_on_disconnect
    def inputs(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.transaction() as connection:
            data = connection.scalar(
                select(JOB_INPUTS.c.arrays).where(JOB_INPUTS.c.job_id == job_id)
            )
        return self.array_files.load(data) if data is not None else {}

    def result_arrays(self, job_id: str) -> dict[str, np.ndarray]:
        with self.database.transaction() as connection:
            data = connection.scalar(
                select(JOB_RESULTS.c.arrays).where(JOB_RESULTS.c.job_id == job_id)
            )
        return self.array_files.load(data) if data is not None else {}

    @retry_on_disconnect
    def claim(self, job_id: str, worker: str | None = None) -> int | None:
        """Move a queued job to running for `worker`; the attempt number when this caller won
        it, else None (another delivery took it, or it was cancelled)."""
        with self.database.autocommit() as connection:
            return connection.execute(CLAIM, _claiming(job_id, worker)).scalar()

    @retry_on_disconnect
    def start(self, job_id: str, worker: str | None = None) -> StartedJob | None:
        """Claim a queued job and read what running it takes, in one statement; None as for
        `claim`."""
        statement = START if self.database.is_sqlite else START_UNFLUSHED
        row = self.database.autocommit_first(statement, _claiming(job_id, worker))
        if row is None:
            return None
        plugin, params, attempt, time_limit, inputs = row
        arrays = self.array_files.load(inputs) if inputs is not None else {}
        return StartedJob(job_id, plugin, params, attempt, time_limit, arrays)

    def heartbeat(
        self, job_id: str, attempt: int, progress: float | None = None, message: str | None = None
    ) -> bool:
        """Record that the attempt is alive, and its progress; False once it lost the job."""
        parameters = {
            "job_id": job_id,
            "attempt": attempt,
            "now": utcnow(),
            "fraction": progress,
            "message": message,
        }
        with self.database.autocommit() as connection:
            return connection.execute(HEARTBEAT, parameters).rowcount == 1

    @retry_on_disconnect
    def succeed(
        self,
        job_id: str,
        attempt: int,
        summary: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
        provenance: Mapping[str, Any] | None = None,
    ) -> bool:
        """Mark the attempt's job succeeded, with the `provenance` of the attempt, and store its
        one result, in one transaction; False when the attempt had lost the job (nothing is
        stored then)."""
        owned = _owned(job_id, attempt, provenance)
        encoded = self.array_files.store(arrays)
        if not self.database.is_sqlite:
            result = success_json(summary, arrays, encoded)
            return self.database.autocommit_first(SUCCEED_AND_STORE, owned | result) is not None
        return self._finish_and_store(SUCCEED, owned, summary, arrays, encoded)

    @retry_on_disconnect
    def fail(
        self,
        job_id: str,
        attempt: int,
        error: str,
        provenance: Mapping[str, Any] | None = None,
        *,
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> bool:
        """Mark the attempt's job failed with `error` and the `provenance` of the attempt, and
        store the `arrays` it produced before it failed (with an empty summary) in the same
        transaction; False when the attempt had lost the job (nothing is stored then)."""
        parameters = _owned(job_id, attempt, provenance) | {"reason": error}
        if not arrays:
            return self.database.autocommit_first(FAIL, parameters) is not None
        encoded = self.array_files.store(arrays)
        return self._finish_and_store(FAIL, parameters, {}, arrays, encoded)

    def _finish_and_store(
        self,
        finish: Any,
        owned: dict[str, Any],
        summary: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
        encoded: bytes | bytearray,
    ) -> bool:
        """Run `finish` (SUCCEED or FAIL) on the attempt `owned` names and, when it still owned
        the job, store its result (see `insert_result`), in one transaction; False when it had
        lost the job (and the file its arrays went to, if any, is removed)."""
        with self.database.transaction() as connection:
            if connection.execute(finish, owned).first() is None:
                self.array_files.discard(encoded)
                return False
            insert_result(connection, owned["job_id"], summary, arrays, encoded)
        return True

    def tag(self, job_id: str, tags: Mapping[str, str]) -> JobRecord:
        """Set tags of a job (a tag given again takes the new value)."""
        added = checked_tags(tags)
        with self.database.transaction() as connection:
            full_id = self._resolve(connection, job_id)
            row = JOBS.c.id == full_id
            stored = connection.scalar(select(JOBS.c.tags).where(row).with_for_update()) or {}
            connection.execute(update(JOBS).where(row).values(tags={**stored, **added}))
        return self.get(full_id)

    def annotate(self, job_id: str, note: str) -> JobRecord:
        """Set the note of a job (an empty note removes it)."""
        with self.database.transaction() as connection:
            full_id = self._resolve(connection, job_id)
            connection.execute(
                update(JOBS).where(JOBS.c.id == full_id).values(note=checked_note(note))
            )
        return self.get(full_id)

    def stored_bytes(self, job_ids: Sequence[str]) -> int:
        """The bytes of the jobs' stored input and result arrays, in the database and in the
        files beside it (a file that several jobs' inputs share counted once)."""
        total = 0
        with self.database.transaction() as connection:
            for chunk in _chunks(job_ids):
                for table in (JOB_INPUTS, JOB_RESULTS):
                    length = func.coalesce(func.sum(func.length(table.c.arrays)), 0)
                    total += connection.scalar(select(length).where(table.c.job_id.in_(chunk))) or 0
        files = self._file_references(job_ids)
        return total + sum(self.array_files.file_size(reference) for reference in files)

    def delete(self, job_ids: Sequence[str]) -> int:
        """Delete the jobs with their inputs, results and places in sweeps, and the files of
        their arrays that no other job refers to; how many jobs were deleted."""
        files = self._file_references(job_ids)
        deleted = 0
        with self.database.transaction() as connection:
            for chunk in _chunks(job_ids):
                statement = delete(JOBS).where(JOBS.c.id.in_(chunk))
                deleted += connection.execute(statement).rowcount
        with self.database.transaction() as connection:
            for reference in files:
                kept = [
                    connection.scalar(
                        select(table.c.job_id).where(table.c.arrays == reference).limit(1)
                    )
                    for table in (JOB_INPUTS, JOB_RESULTS)
                ]
                if kept == [None, None]:
                    self.array_files.discard(reference)
        return deleted

    def _file_references(self, job_ids: Sequence[str]) -> set[bytes]:
        """The references to files beside the database that the jobs' rows hold."""
        if self.array_files.folder is None:
            return set()
        found: set[bytes] = set()
        with self.database.transaction() as connection:
            for chunk in _chunks(job_ids):
                for table in (JOB_INPUTS, JOB_RESULTS):
                    short = select(table.c.arrays).where(
                        table.c.job_id.in_(chunk), func.length(table.c.arrays) <= REFERENCE_LENGTH
                    )
                    found.update(
                        bytes(data)
                        for data in connection.scalars(short)
                        if ArrayFiles.is_reference(data)
                    )
        return found

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a queued or running job; a finished job is left as it is."""
        with self.database.transaction() as connection:
            full_id = self._resolve(connection, job_id)
            cancel_unfinished(connection, JOBS.c.id == full_id)
        return self.get(full_id)

    def cancel_unfinished(self, job_ids: Sequence[str], reason: str) -> None:
        """Cancel those of the jobs that are still queued or running, with `reason`."""
        with self.database.transaction() as connection:
            cancel_unfinished(connection, JOBS.c.id.in_(list(job_ids)), reason)

    def resolve(self, job_id: str) -> str:
        """The full id of the job `job_id` names (a full id or a unique prefix)."""
        with self.database.transaction() as connection:
            return self._resolve(connection, job_id)

    def _resolve(self, connection: Any, job_id: str) -> str:
        return resolve_id(connection, JOBS, job_id, UnknownJob)


def cancel_unfinished(connection: Any, condition: Any, reason: str = "cancelled") -> None:
    """Mark the queued and running jobs that meet `condition` cancelled, with `reason`."""
    connection.execute(
        update(JOBS)
        .where(condition, JOBS.c.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.CANCELLED, error=reason, finished_at=utcnow())
    )


def resolve_id(connection: Any, table: Table, text: str, unknown: type[RejectedRequest]) -> str:
    """The full id of the row of `table` (`JOBS` or `SWEEPS`) that `text` names (a full id or a
    unique prefix)."""
    noun = table.name.removesuffix("s")
    text = text.strip().lower()
    if not _hexadecimal(text):
        raise unknown(f"no {noun} '{shortened(repr(text)[1:-1])}'")
    if connection.scalar(select(table.c.id).where(table.c.id == text)) is not None:
        return text
    if len(text) < MIN_ID_PREFIX:
        raise unknown(f"no {noun} '{text}'")
    matches = connection.scalars(
        select(table.c.id).where(table.c.id.startswith(text, autoescape=True)).limit(2)
    ).all()
    if not matches:
        raise unknown(f"no {noun} '{text}'")
    if len(matches) > 1:
        raise unknown(f"{noun} id prefix '{text}' is ambiguous; give more characters")
    return matches[0]


def _hexadecimal(text: str) -> bool:
    """Whether `text` can be (the start of) an id: ids are lowercase hexadecimal."""
    return bool(text) and all(c in "0123456789abcdef" for c in text)


def _array_info(array: np.ndarray) -> dict[str, Any]:
    dtype = "bigint" if array.dtype == object else str(array.dtype)
    return {"shape": list(array.shape), "dtype": dtype}


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    """`items` in lists short enough for an IN clause."""
    items = list(items)
    for start in range(0, len(items), IN_CLAUSE_SIZE):
        yield items[start : start + IN_CLAUSE_SIZE]


def insert_result(
    connection: Any,
    job_id: str,
    summary: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    encoded: bytes | bytearray,
) -> None:
    """Insert the result row of a job (its summary, its arrays' information and their `encoded`
    reference) and the rows of its summary's numeric metrics, on `connection`."""
    array_info = {name: _array_info(array) for name, array in arrays.items()}
    row = {"job_id": job_id, "summary": dict(summary), "array_info": array_info}
    connection.execute(STORE_RESULT, row | {"arrays": encoded})
    measured = [
        {"job_id": job_id, "key": key, "value": number}
        for key, number in summary_metrics(summary).items()
    ]
    if measured:
        connection.execute(STORE_METRICS, measured)


def success_json(
    summary: Mapping[str, Any], arrays: Mapping[str, np.ndarray], encoded: bytes | bytearray
) -> dict[str, Any]:
    """The parameters of `SUCCEED_AND_STORE` beyond the attempt's: the result as JSON text."""
    array_info = {name: _array_info(array) for name, array in arrays.items()}
    return {
        "summary_json": json_text(dict(summary)),
        "array_info_json": json_text(array_info),
        "arrays": encoded,
        "metrics_json": json_text(summary_metrics(summary)),
    }


def _owned(
    job_id: str,
    attempt: int,
    provenance: Mapping[str, Any] | None,
    *,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> dict[str, Any]:
    """The parameters of an attempt's outcome statement: the job ended `finished_at` (default
    now), its solve began `started_at` (default: when it was claimed)."""
    provenance_json = json_text(dict(provenance)) if provenance is not None else None
    return {
        "job_id": job_id,
        "attempt": attempt,
        "now": finished_at or utcnow(),
        "started_at": started_at,
        "provenance_json": provenance_json,
    }


def _claiming(job_id: str, worker: str | None) -> dict[str, Any]:
    return {"job_id": job_id, "now": utcnow(), "worker_name": worker}
