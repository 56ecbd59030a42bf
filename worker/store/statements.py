"""The statements a worker runs for every job, built once.

Claiming a job, beating its heartbeat and storing its outcome are the pool's hot path: a tiny job
costs little more than these. Built once with bind parameters and run on a plain connection (on
PostgreSQL straight on the driver's, see `solverq.worker.store.direct`), they skip the statement
building that would otherwise cost more CPU than the database itself. Each runs as one
statement in autocommit mode (one round trip, no BEGIN or COMMIT) and returns no column the
worker does not use; only on SQLite are a success and its result two statements, in one
transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    LargeBinary,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from solverq.worker.store.models import (
    JOB_INPUTS,
    JOB_METRICS,
    JOB_RESULTS,
    JOBS,
    JobStatus,
    JSONData,
    UTCDateTime,
)


class json_text(GenericFunction[Any]):
    """A JSON value passed as its text: PostgreSQL casts it, SQLite stores the text as it is.
    The driver passes text as it is, which spares a JSON bind processor on the direct path."""

    type = JSONData()
    inherit_cache = True


@compiles(json_text)
def _json_text(element: json_text, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS JSONB)"


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class listed_in(GenericFunction[bool]):
    """`column` is one of the strings of a JSON list passed as text (one bind parameter however
    long the list, so the statement is built and compiled once)."""

    type = Boolean()
    inherit_cache = True


@compiles(listed_in)
def _listed_in(element: listed_in, compiler: Any, **kw: Any) -> str:
    column, strings = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{column} IN (SELECT jsonb_array_elements_text(CAST({strings} AS JSONB)))"


@compiles(listed_in, "sqlite")
def _listed_in_sqlite(element: listed_in, compiler: Any, **kw: Any) -> str:
    column, strings = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{column} IN (SELECT value FROM json_each({strings}))"


_claimed = {
    "status": JobStatus.RUNNING,
    "attempts": JOBS.c.attempts + 1,
    "started_at": bindparam("now"),
    "heartbeat_at": bindparam("now"),
    "progress": 0.0,
    "progress_message": "",
    "worker": bindparam("worker_name"),
}
_claim = (
    update(JOBS)
    .where(JOBS.c.id == bindparam("job_id"), JOBS.c.status == JobStatus.QUEUED)
    .values(_claimed)
)
_owned = (
    JOBS.c.id == bindparam("job_id"),
    JOBS.c.status == JobStatus.RUNNING,
    JOBS.c.attempts == bindparam("attempt"),
)

CLAIM = _claim.returning(JOBS.c.attempts)
"""Move a queued job to running, as attempt + 1; returns the attempt number."""

_running_it_takes = (
    JOBS.c.plugin,
    JOBS.c.params,
    JOBS.c.attempts,
    JOBS.c.time_limit,
    select(JOB_INPUTS.c.arrays)
    .where(JOB_INPUTS.c.job_id == JOBS.c.id)
    .scalar_subquery()
    .label("inputs"),
)
START = _claim.returning(*_running_it_takes)
"""`CLAIM`, returning what running the job takes: its plugin, parameters, attempt number, time
limit and input arrays."""

_unflushed = func.set_config("synchronous_commit", "off", True).is_not(None)
START_UNFLUSHED = _claim.where(_unflushed).returning(*_running_it_takes)
"""`START` for PostgreSQL, whose commit does not wait for the write-ahead log to reach the disk
(``synchronous_commit`` off in this statement's transaction only), which saves the wait for a
disk flush on every claim.

A server crash can lose a claim committed in the last fraction of a second. The job is then
queued again, as if its message had not been taken yet: the worker's outcome matches no running
attempt and is dropped, and the reaper publishes the job again. A stored outcome always keeps its
claim: its commit waits for the log, which holds the claim before it.
"""

_chunk_ids = listed_in(JOBS.c.id, bindparam("job_ids_json", type_=Text))
_claim_chunk = update(JOBS).where(_chunk_ids, JOBS.c.status == JobStatus.QUEUED).values(_claimed)
START_CHUNK = _claim_chunk.returning(JOBS.c.id, *_running_it_takes)
"""`START` for every job of a chunk (a JSON list of ids) that is still queued, in one statement:
the jobs another delivery took, or that were cancelled, are left out. Returns the job's id before
what `START` returns."""

START_CHUNK_UNFLUSHED = _claim_chunk.where(_unflushed).returning(JOBS.c.id, *_running_it_takes)
"""`START_CHUNK` for PostgreSQL, committed as `START_UNFLUSHED` is."""

KEEP_CHUNK = (
    update(JOBS)
    .where(
        _chunk_ids,
        JOBS.c.status == JobStatus.RUNNING,
        JOBS.c.worker == bindparam("worker_name"),
    )
    .values(heartbeat_at=bindparam("now"))
    .returning(JOBS.c.id, JOBS.c.attempts)
)
"""The heartbeat of the jobs of a chunk (a JSON list of ids) still running on the worker; returns
their ids and attempt numbers, by which the worker tells the attempts it still owns."""

HEARTBEAT = (
    update(JOBS)
    .where(*_owned)
    .values(
        heartbeat_at=bindparam("now"),
        progress=func.coalesce(bindparam("fraction", type_=Float), JOBS.c.progress),
        progress_message=func.coalesce(bindparam("message", type_=Text), JOBS.c.progress_message),
    )
)
"""Record that the attempt is alive, and its progress when given (else keep the stored one)."""

_provenance = json_text(bindparam("provenance_json", type_=Text))
"""The provenance of the attempt, as JSON text (see `solverq.worker.provenance`)."""
_started = func.coalesce(bindparam("started_at", type_=UTCDateTime()), JOBS.c.started_at)
"""When the attempt's solve began, when given (a job of a chunk waits for the jobs before it);
else the time of its claim stays."""

SUCCEED = (
    update(JOBS)
    .where(*_owned)
    .values(
        status=JobStatus.SUCCEEDED,
        started_at=_started,
        finished_at=bindparam("now"),
        progress=1.0,
        provenance=_provenance,
    )
    .returning(JOBS.c.id)
)
STORE_RESULT = insert(JOB_RESULTS)
STORE_METRICS = insert(JOB_METRICS)

_succeeded = SUCCEED.cte("succeeded")
_metrics = func.jsonb_each_text(cast(bindparam("metrics_json", type_=Text), JSONData()))
_metric = _metrics.table_valued("key", "value").render_derived(name="metric")
SUCCEED_AND_STORE = (
    select(_succeeded.c.id)
    .add_cte(
        insert(JOB_RESULTS)
        .from_select(
            ["job_id", "summary", "array_info", "arrays"],
            select(
                _succeeded.c.id,
                cast(bindparam("summary_json", type_=Text), JSONData()),
                cast(bindparam("array_info_json", type_=Text), JSONData()),
                bindparam("arrays", type_=LargeBinary),
            ),
        )
        .cte("stored")
    )
    .add_cte(
        insert(JOB_METRICS)
        .from_select(
            ["job_id", "key", "value"],
            select(_succeeded.c.id, _metric.c.key, cast(_metric.c.value, Float)).join_from(
                _succeeded, _metric, true()
            ),
        )
        .cte("measured")
    )
)
"""`SUCCEED`, `STORE_RESULT` and `STORE_METRICS` as one statement, hence one transaction, for
PostgreSQL (SQLite has no data-modifying WITH clause): the result and its metrics are stored only
when the job was marked succeeded; returns the job's id then. The summary, array information and
metrics (a JSON object of numbers by key) come as JSON text, which the driver passes as it is."""

FAIL = (
    update(JOBS)
    .where(*_owned)
    .values(
        status=JobStatus.FAILED,
        error=bindparam("reason"),
        started_at=_started,
        finished_at=bindparam("now"),
        provenance=_provenance,
    )
    .returning(JOBS.c.id)
)
