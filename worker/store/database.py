"""Engines, one per database URL and process, and the schema check.

An engine is never shared across `fork()`: the child forgets the parent's engines and opens its
own on first use (Celery's prefork pool and local process pools both fork).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: the schema is then created without a lock
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.sql.expression import Executable

from solverq.plugins.errors import RejectedRequest, shortened
from solverq.worker.store.direct import DirectStatements
from solverq.worker.store.json_text import json_text
from solverq.worker.store.models import SCHEMA_REVISION

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE = 1.0
RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
"""Seconds between the tries of an operation whose connection was lost (6.3 s in all)."""

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class Database:
    """An engine for one database URL; `direct_statements=False` runs the per-job statements
    through the engine too, even on psycopg."""

    def __init__(self, url: str, *, direct_statements: bool = True) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._autocommit = _autocommit_engine(url, self.engine)
        self._direct = (
            DirectStatements(self._autocommit, PING_AFTER_IDLE)
            if direct_statements and self.engine.dialect.driver == "psycopg"
            else None
        )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction that commits on success and rolls back on error."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection on which each statement is a transaction of its own, committed durably
        without a BEGIN or a COMMIT sent: one round trip for a write that takes one statement."""
        with self._autocommit.connect() as connection:
            yield connection

    def autocommit_first(self, statement: Executable, parameters: dict[str, Any]) -> Any:
        """The first row (or None) of a statement that returns rows, run as in `autocommit`;
        with psycopg (unless ``direct_statements=False``), straight on the driver's connection,
        which costs a quarter of the CPU (`solverq.worker.store.direct`). For the statements a
        worker runs for every job; the row is a tuple (or a SQLAlchemy `Row`, which is one).
        """
        if self._direct is not None:
            return self._direct.first(statement, parameters)
        with self.autocommit() as connection:
            try:
                return connection.execute(statement, parameters).first()
            except DBAPIError:
                raise
            except BaseException:
                # Interrupted mid-statement (a time limit, Ctrl-C): its state is unknown, and
                # giving it back to the pool would raise a rollback's error in place of this.
                connection.invalidate()
                raise

    def autocommit_all(self, statement: Executable, parameters: dict[str, Any]) -> list[Any]:
        """The rows of a statement that returns rows, run as `autocommit_first` runs it."""
        if self._direct is not None:
            return self._direct.all(statement, parameters)
        with self.autocommit() as connection:
            try:
                return list(connection.execute(statement, parameters))
            except DBAPIError:
                raise
            except BaseException:
                connection.invalidate()
                raise

    @property
    def direct(self) -> DirectStatements | None:
        """The per-job statements' runner straight on psycopg's connection, if this database
        has one (PostgreSQL, unless ``direct_statements=False``)."""
        return self._direct

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def schema_revision(self) -> str | None:
        """The applied migration, or None for a database without the solverq schema."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def upgrade(self) -> None:
        """Apply the migrations that ship with the package, up to the newest."""
        from alembic import command
        from alembic.config import Config

        self._refuse_unknown(self.schema_revision())
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def ensure_schema(self) -> None:
        """Create or upgrade the embedded SQLite schema; elsewhere ask for `solverq db upgrade`.

        Processes that start on a new SQLite file at once take turns (`_schema_lock`): the first
        creates the schema, the others find it made."""
        revision = self.schema_revision()
        if revision == SCHEMA_REVISION:
            return
        self._refuse_unknown(revision)
        if self.is_sqlite:
            with _schema_lock(self.url):
                if self.schema_revision() != SCHEMA_REVISION:
                    self.upgrade()
            return
        state = "has no solverq schema" if revision is None else f"is at revision {revision}"
        raise RejectedRequest(
            f"the database {redacted(self.url)} {state}; run `solverq db upgrade` "
            f"to bring it to revision {SCHEMA_REVISION}"
        )

    def _refuse_unknown(self, revision: str | None) -> None:
        """Refuse a schema that a newer solverq made: these migrations cannot handle it."""
        from alembic.script import ScriptDirectory

        known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if revision is not None and revision not in known:
            raise RejectedRequest(
                f"the database {redacted(self.url)} is at revision {revision}, which this "
                f"version of solverq does not know (its newest is {SCHEMA_REVISION}); "
                "upgrade solverq to use it"
            )

    def dispose(self, *, close: bool = True) -> None:
        """Drop the pooled connections; `close=False` leaves them open for the process that
        opened them (in a child after `fork()`)."""
        if self._direct is not None:
            self._direct.release(close=close)
        self.engine.dispose(close=close)
        self._autocommit.dispose(close=close)


_open: dict[tuple[str, bool], Database] = {}


def open_database(
    url: str, *, ensure_schema: bool = True, direct_statements: bool = True
) -> Database:
    """The process's `Database` for `url`, created (and its schema checked) on first use."""
    database = _open.get((url, direct_statements))
    if database is None:
        database = Database(url, direct_statements=direct_statements)
        if ensure_schema:
            database.ensure_schema()
        _open[url, direct_statements] = database
    return database


def close_databases() -> None:
    """Dispose of every engine this process opened."""
    for database in _open.values():
        database.dispose()
    _open.clear()


def _forget_after_fork() -> None:
    for database in _open.values():
        database.dispose(close=False)
    _open.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def retry_on_disconnect(operation: Callable[P, T]) -> Callable[P, T]:
    """Run `operation` again when the database connection was lost or refused.

    Only for operations that are safe to repeat: a conditional UPDATE that committed before the
    connection dropped matches nothing the second time.
    """

    @functools.wraps(operation)
    def retrying(*args: P.args, **kwargs: P.kwargs) -> T:
        for delay in RETRY_DELAYS:
            try:
                return operation(*args, **kwargs)
            except DBAPIError as error:
                if not (error.connection_invalidated or isinstance(error, OperationalError)):
                    raise
                log.warning("%s: %s; retrying", operation.__name__, first_line(error))
                time.sleep(delay)
        return operation(*args, **kwargs)

    return retrying


def database_unreachable(error: BaseException) -> bool:
    """True for an error that says the database could not be reached (worth trying again
    later), rather than that it refused what it was given."""
    return isinstance(error, OperationalError | DisconnectionError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def describe(error: BaseException) -> str:
    """One line naming `error`: the database's own message for a SQLAlchemy error, else the
    exception's type and text."""
    if isinstance(error, DBAPIError):
        return first_line(error)
    return shortened(f"{type(error).__name__}: {error}")


def first_line(error: Exception) -> str:
    """The database's own message of a SQLAlchemy error, without the statement it ran."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def redacted(url: str) -> str:
    """`url` with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _create_engine(url: str, **options: Any) -> Engine:
    options.setdefault("json_serializer", json_text)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, **options)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_idle)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _autocommit_engine(url: str, engine: Engine) -> Engine:
    """The engine of `Database.autocommit`: on PostgreSQL a pool of its own, whose connections
    stay in autocommit mode (switching a pooled connection into it and back for each statement
    costs nearly as much CPU as it saves); on SQLite the engine's own connections, which may
    hold an in-memory database."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return _create_engine(url, isolation_level="AUTOCOMMIT")


def _note_checkin(connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(connection: Any, record: Any, proxy: Any) -> None:
    """Before handing out a pooled connection that sat idle, check that the server still has it.

    A connection back from use within `PING_AFTER_IDLE` seconds is handed out as it is: a busy
    worker saves a round trip per transaction, and its operations retry on a lost connection.
    """
    if time.monotonic() - record.info.get("checked_in", float("-inf")) < PING_AFTER_IDLE:
        return
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        connection.rollback()
    except Exception as error:
        raise DisconnectionError(f"pooled connection lost: {error}") from error


@contextmanager
def _schema_lock(url: str) -> Iterator[None]:
    """An exclusive lock on the file beside a SQLite database (`solverq.db.lock`), held while
    its schema is checked and created, where the platform has `flock`."""
    database = make_url(url).database
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    lock_path = Path(database).expanduser().with_name(Path(database).name + ".lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _configure_sqlite(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
