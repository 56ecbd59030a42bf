"""The per-job statements on PostgreSQL, run straight on psycopg's connection and (with
``SOLVERQ_DIRECT_STATEMENTS=0``) through SQLAlchemy's engine: same results, same recovery."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from solverq.worker.store import JobStatus, JobStore, open_database
from solverq.worker.store.database import Database

pytestmark = pytest.mark.usefixtures("postgres_server")


@pytest.fixture(params=[True, False], ids=["direct", "engine"])
def database(request: pytest.FixtureRequest, postgres_url: str) -> Database:
    database = open_database(postgres_url, ensure_schema=False, direct_statements=request.param)
    database.upgrade()
    return database


def backend(database: Database) -> int:
    """The server process of this thread's direct connection."""
    return database.autocommit_first(select(func.pg_backend_pid()), {})[0]


def terminate(database: Database, pid: int) -> None:
    admin = create_engine(database.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_rows_come_back_as_tuples(database: Database) -> None:
    assert database.autocommit_first(select(func.abs(-3), func.lower("A")), {}) == (3, "a")
    assert database.autocommit_first(text("SELECT 1 WHERE false"), {}) is None


@pytest.mark.parametrize("database", [True], ids=["direct"], indirect=True)
def test_each_thread_holds_a_connection_of_its_own(database: Database) -> None:
    mine = backend(database)
    assert backend(database) == mine
    others: list[int] = []
    thread = threading.Thread(target=lambda: others.append(backend(database)))
    thread.start()
    thread.join()
    assert others != [mine]


def test_a_lost_connection_raises_as_sqlalchemy_does_and_the_next_statement_reconnects(
    database: Database,
) -> None:
    lost = backend(database)
    terminate(database, lost)

    with pytest.raises(OperationalError) as raised:
        backend(database)
    assert raised.value.connection_invalidated
    assert backend(database) not in (lost, None)


def test_a_failing_statement_keeps_its_connection(database: Database) -> None:
    mine = backend(database)
    with pytest.raises(ProgrammingError):
        database.autocommit_first(text("SELECT * FROM no_such_table"), {})
    assert backend(database) == mine


def test_an_interrupted_statement_does_not_leave_its_connection_busy(database: Database) -> None:
    class Interrupted(Exception):
        pass

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    mine = backend(database)
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Interrupted):
            database.autocommit_first(text("SELECT pg_sleep(5)"), {})
    finally:
        signal.signal(signal.SIGALRM, previous)

    assert backend(database) != mine


def test_the_store_retries_a_claim_and_an_outcome_over_a_lost_connection(
    database: Database,
) -> None:
    store = JobStore(database)
    job_id = store.create("echo", {}, queue="q").id

    terminate(database, backend(database))
    started = store.start(job_id, "w")
    terminate(database, backend(database))
    assert store.succeed(job_id, started.attempt, {"x": 1.0}, {})

    assert store.get(job_id).status == JobStatus.SUCCEEDED


def test_a_claims_synchronous_commit_setting_stays_in_its_own_transaction(
    database: Database,
) -> None:
    store = JobStore(database)
    job_id = store.create("echo", {}, queue="q").id
    started = store.start(job_id, "w")
    setting = select(func.current_setting("synchronous_commit"))
    assert database.autocommit_first(setting, {}) == ("on",)  # the claim's setting was local
    assert store.succeed(job_id, started.attempt, {}, {})


def test_claims_reach_their_job_by_id_however_deep_the_queue(database: Database) -> None:
    """The claim is prepared by the driver after a few runs, on a small table; its plan must not
    reach the job by scanning the queued jobs."""
    store = JobStore(database)
    for job_id in store.create_many("echo", [{}] * 10, queue="q"):
        store.start(job_id, "w")
    deep = store.create_many("echo", [{}] * 2000, queue="q")

    before = index_tuples_read(database)
    for job_id in deep[:20]:
        assert store.start(job_id, "w") is not None
    assert index_tuples_read(database) - before <= 40


def index_tuples_read(database: Database) -> int:
    """Index entries read on the jobs table so far, counting this thread's last statements."""
    database.autocommit_first(select(func.pg_stat_force_next_flush()), {})
    admin = create_engine(database.url)
    with admin.connect() as connection:
        read = connection.execute(
            text(
                "SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes "
                "WHERE schemaname = current_schema() AND relname = 'jobs'"
            )
        ).scalar()
    admin.dispose()
    return int(read)


def test_a_forked_process_opens_its_own_connection_and_leaves_its_parents(
    database: Database,
) -> None:
    parent = backend(database)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, b"%d" % backend(database))
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = int(os.read(read, 32))
    os.close(read)

    assert child != parent
    assert backend(database) == parent
