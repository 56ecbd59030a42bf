"""A worker's per-job statements on PostgreSQL, run straight on the driver's connection.

A tiny job costs two statements, its claim and its outcome. Run through SQLAlchemy's
`Connection`, each costs the worker about 0.28 ms of CPU (checking a connection out of the pool
and in again, the execution context, the result object); run straight on psycopg's connection,
about 0.07 ms. The statements are still SQLAlchemy's (`solverq.worker.store.statements`), compiled
once for the engine's dialect; only their execution skips the engine. That is why this module
exists: on a pool of workers running small jobs, the worker's CPU per job is the throughput.
``SOLVERQ_DIRECT_STATEMENTS=0`` switches it off: the same statements then run through the engine,
as every other statement does, with the same results.

Each thread keeps one connection of the autocommit engine for good, so the engine's set-up of a
new connection applies to it. One that sat idle for `PING_AFTER_IDLE` seconds goes back to the
pool and a fresh one is checked out, which the pool pings first. One that fails is invalidated,
and the failure is raised as SQLAlchemy raises it, so `retry_on_disconnect` treats it alike. A
process forked from this one does not use them: it opens its own.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.expression import Executable


class DirectStatements:
    """Runs compiled statements on a connection of `engine` (psycopg, autocommit) per thread."""

    def __init__(self, engine: Engine, ping_after_idle: float) -> None:
        self._engine = engine
        self._ping_after_idle = ping_after_idle
        self._compiled: dict[Executable, tuple[str, dict[str, Any]]] = {}
        self._held = threading.local()
        self._every_held: set[PoolProxiedConnection] = set()
        self._generation = 0
        """Bumped by `release`: a connection held since an earlier generation is not used."""
        self._lock = threading.Lock()

    def first(self, statement: Executable, parameters: dict[str, Any]) -> tuple | None:
        """The first row of the rows `statement` returns (a statement with RETURNING), as a
        tuple; None when it returns none."""
        rows = self.run([(statement, parameters)], rows=1)
        return rows[0] if rows else None

    def all(self, statement: Executable, parameters: dict[str, Any]) -> list[tuple]:
        """The rows `statement` returns (a statement with RETURNING), as tuples."""
        return self.run([(statement, parameters)])

    def run(
        self, steps: Sequence[tuple[Executable, dict[str, Any]]], rows: int | None = None
    ) -> list[tuple]:
        """Run the statements with their parameters: one, returning its rows (at most `rows`);
        or several, as one transaction sent in one round trip, returning none."""
        connection = self._connection()
        cursor = None
        sql = ""
        try:
            cursor = connection.cursor()
            found: list[tuple] = []
            if len(steps) == 1:
                [(statement, parameters)] = steps
                sql, constants = self._compile(statement)
                cursor.execute(sql, constants | parameters)
                found = list(cursor.fetchmany(rows) if rows is not None else cursor.fetchall())
            else:
                driver = connection.driver_connection
                assert driver is not None  # a connection checked out of the pool
                with driver.transaction(), driver.pipeline():
                    for statement, parameters in steps:
                        sql, constants = self._compile(statement)
                        cursor.execute(sql, constants | parameters)
            cursor.close()
        except self._engine.dialect.loaded_dbapi.Error as error:
            lost = self._engine.dialect.is_disconnect(error, connection.dbapi_connection, cursor)
            if lost:
                self._discard()
            raise DBAPIError.instance(
                sql,
                None,
                error,
                self._engine.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=lost,
                dialect=self._engine.dialect,
            ) from error
        except BaseException:
            # Interrupted mid-statement (a time limit, Ctrl-C): its state is unknown.
            self._discard()
            raise
        self._held.last_used = time.monotonic()
        return found

    def release(self, *, close: bool = True) -> None:
        """Stop using every thread's connection, giving it back to the pool (when no statement
        runs); `close=False` only forgets them, in a child after `fork()`."""
        with self._lock:
            every_held, self._every_held = self._every_held, set()
            self._generation += 1
        if close:
            for connection in every_held:
                connection.close()

    def _compile(self, statement: Executable) -> tuple[str, dict[str, Any]]:
        compiled = self._compiled.get(statement)
        if compiled is None:
            # Every statement run here is a ClauseElement too, which compiles.
            sql = statement.compile(dialect=self._engine.dialect)  # type: ignore[attr-defined]
            compiled = self._compiled[statement] = (sql.string, sql.params)
        return compiled

    def _connection(self) -> PoolProxiedConnection:
        held: PoolProxiedConnection | None = getattr(self._held, "connection", None)
        idle = time.monotonic() - getattr(self._held, "last_used", float("-inf"))
        if getattr(self._held, "owner", None) != (os.getpid(), self._generation):
            held = None  # released, or opened by the process this one was forked from
        elif held is not None and idle >= self._ping_after_idle:
            self._stop_holding(held).close()
            held = None
        if held is None:
            held = self._held.connection = self._engine.raw_connection()
            self._held.last_used = time.monotonic()
            with self._lock:
                self._every_held.add(held)
                self._held.owner = (os.getpid(), self._generation)
        return held

    def _discard(self) -> None:
        held = getattr(self._held, "connection", None)
        if held is not None:
            self._stop_holding(held).invalidate()

    def _stop_holding(self, connection: PoolProxiedConnection) -> PoolProxiedConnection:
        """Stop holding this thread's `connection`."""
        self._held.connection = None
        with self._lock:
            self._every_held.discard(connection)
        return connection
