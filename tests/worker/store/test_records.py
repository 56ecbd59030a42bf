"""The job record follows the model; tags, notes, deletion and sweep links in the store."""

from dataclasses import fields
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text, update

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store import JobStatus, JobStore, SweepStore, UnknownJob
from solverq.worker.store.models import JOBS, SWEEPS, utcnow
from solverq.worker.store.records import UNSHOWN_COLUMNS, JobRecord
from tests.worker.store.conftest import database_at


def test_the_record_has_a_field_for_every_column_of_the_model() -> None:
    columns = {column.key for column in JOBS.columns}
    names = {item.name for item in fields(JobRecord)}
    assert names == (columns - UNSHOWN_COLUMNS) | {"summary", "array_descriptions"}


def test_a_new_job_has_every_column_in_its_json(store: JobStore) -> None:
    job = store.create("echo", {"scale": 2.0}, tags={"run": "a"}, note="first try")
    record = job.to_json()
    assert set(record) == {item.name for item in fields(JobRecord)}
    assert record["status"] == "queued" and record["created_at"] == job.created_at.isoformat()
    assert (record["tags"], record["note"], record["provenance"]) == (
        {"run": "a"},
        "first try",
        None,
    )
    assert (job.attempts, job.progress, job.progress_message) == (0, 0.0, "")


def test_tags_merge_and_notes_replace(store: JobStore) -> None:
    job = store.create("echo", {}, tags={"run": "a", "data": "x"})
    tagged = store.tag(job.id[:8], {"run": "b", "seed": "3"})
    assert tagged.tags == {"run": "b", "data": "x", "seed": "3"}
    assert store.annotate(job.id, "  diverged early ").note == "diverged early"
    assert store.annotate(job.id, "").note is None
    with pytest.raises(RejectedRequest, match="malformed tag name 'a b'"):
        store.tag(job.id, {"a b": "1"})
    with pytest.raises(UnknownJob):
        store.tag("ffffffff", {"run": "x"})


def test_jobs_are_found_by_tag(store: JobStore) -> None:
    first = store.create("echo", {}, tags={"run": "baseline", "n": "1"})
    store.create("echo", {}, tags={"run": "other"})
    store.create("echo", {})
    assert [job.id for job in store.list(tags={"run": "baseline"})] == [first.id]
    assert [job.id for job in store.list(tags={"run": "baseline", "n": "1"})] == [first.id]
    assert store.list(tags={"run": "baseline", "n": "2"}) == []


def test_succeeding_and_failing_store_the_provenance(store: JobStore) -> None:
    done, failed = store.create("echo", {}), store.create("echo", {})
    provenance = {"worker": "w1", "plugin": {"name": "echo", "version": "1.0"}}
    for job in (done, failed):
        store.claim(job.id)
    assert store.succeed(done.id, 1, {"total": 1.0}, {"v": np.ones(2)}, provenance)
    assert store.fail(failed.id, 1, "diverged", provenance | {"worker": "w2"})
    assert store.get(done.id).provenance == provenance
    assert store.get(failed.id).provenance["worker"] == "w2"


def test_delete_removes_the_job_its_inputs_and_results(store: JobStore) -> None:
    inputs = {"values": np.arange(1000.0) ** 2}  # not equally spaced: stored in full
    kept, gone = store.create("echo", {}, inputs), store.create("echo", {}, inputs)
    store.claim(gone.id)
    store.succeed(gone.id, 1, {"total": 1.0}, {"values": np.arange(500.0) ** 2})
    size = store.stored_bytes([gone.id])
    assert size > 1000 * 8 + 500 * 8
    assert store.stored_bytes([kept.id, gone.id]) > size
    assert store.delete([gone.id]) == 1
    with pytest.raises(UnknownJob):
        store.get(gone.id)
    assert store.inputs(gone.id) == {} and store.result_arrays(gone.id) == {}
    assert store.stored_bytes([gone.id]) == 0
    assert store.get(kept.id).status is JobStatus.QUEUED


def test_reusable_prefers_the_newest_succeeded_job(store: JobStore) -> None:
    old, new, failed, queued = (store.create("echo", {}, digests=["d"]) for _ in range(4))
    for job, outcome in ((old, "succeed"), (new, "succeed"), (failed, "fail")):
        store.claim(job.id)
        if outcome == "succeed":
            store.succeed(job.id, 1, {}, {})
        else:
            store.fail(job.id, 1, "no")
    _set_created(store, old.id, utcnow() - timedelta(hours=1))
    assert store.reusable(["d", "other"]) == {"d": new.id}
    queued_only = store.create("echo", {}, digests=["q"])
    assert store.reusable(["q"]) == {"q": queued_only.id}
    assert queued.digest == "d"


def test_a_point_shows_its_newest_job_and_deleted_points_are_counted(store: JobStore) -> None:
    sweeps = SweepStore(store.database)
    elsewhere = store.create("echo", {"scale": 3.0})
    sweep, job_ids = sweeps.create(
        "echo",
        {"scale": [1.0, 2.0, 3.0]},
        {},
        [{"scale": 1.0}, {"scale": 2.0}],
        points=[0, 1],
        reused={2: elsewhere.id},
    )
    assert [job.id for job in sweeps.jobs(sweep.id)] == [*job_ids, elsewhere.id]
    assert sweep.size == 3 and sweep.deleted == 0
    first = store.get(job_ids[0])
    [again] = sweeps.add_attempts(sweep.id, {0: first})
    points = sweeps.points(sweep.id)
    assert points[0].id == again and points[0].sweep_point == 0
    assert {job.id for job in store.list(sweep_id=sweep.id)} == {*job_ids, again, elsewhere.id}
    store.delete([job_ids[1]])
    record = sweeps.get(sweep.id)
    assert (record.size, record.deleted, record.counts[JobStatus.QUEUED]) == (2, 1, 2)
    assert sorted(sweeps.points(sweep.id)) == [0, 2]


def test_the_migration_keeps_existing_jobs_with_unknown_provenance(database_url) -> None:
    database = database_at(database_url, "0004")
    now = utcnow()
    with database.engine.begin() as connection:
        connection.execute(
            SWEEPS.insert(),
            {
                "id": "5" * 32,
                "plugin": "echo",
                "grid": [["scale", [1]]],
                "params": {},
                "created_at": now,
            },
        )
        connection.execute(
            text(
                "INSERT INTO jobs (id, plugin, params, status, created_at, attempts, progress,"
                " progress_message, sweep_id, sweep_point)"
                " VALUES (:id, 'echo', '{}', 'succeeded', :now, 1, 1.0, '', :sweep, 0)"
            ),
            {"id": "a" * 32, "now": now, "sweep": "5" * 32},
        )
    database.upgrade()
    store = JobStore(database)
    job = store.get("a" * 32)
    assert (job.provenance, job.digest, job.tags, job.note) == (None, None, {}, None)
    assert [point.id for point in SweepStore(database).jobs("5" * 32)] == ["a" * 32]
    assert store.reusable(["anything"]) == {}


def _set_created(store: JobStore, job_id: str, moment) -> None:
    with store.database.transaction() as connection:
        connection.execute(update(JOBS).where(JOBS.c.id == job_id).values(created_at=moment))
