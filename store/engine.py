"""Opening the store: one engine per URL per process, SQLite pragmas, schema upgrade, the writer lock.

Writers are serialised so two uploads never interleave their counts or history:
- SQLite: the writer's transaction starts with BEGIN IMMEDIATE (readers keep working under WAL);
- PostgreSQL: the writer takes a transaction-scoped advisory lock.
A writer that cannot get the lock within WRITE_LOCK_WAIT_SECONDS raises StoreBusy, never a raw
"database is locked".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from store.urls import resolve_url

WRITE_LOCK_WAIT_SECONDS = 3.0  # how long a writer waits for another writer before StoreBusy
READ_BUSY_MS = 5000  # SQLite readers rarely wait under WAL; this covers checkpoints
WRITER_LOCK_KEY = 0x4A5357  # PostgreSQL advisory lock id shared by every writer of this store
_IMMEDIATE = "store_writer"  # execution option marking a writer's connection

BUSY_MESSAGE = "the store is busy with another upload; try again in a moment"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class StoreBusy(Exception):
    """Another writer holds the store; str() is one line fit to show a user."""


def is_sqlite(connectable: Engine | Connection) -> bool:
    return connectable.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    """Durable, concurrent-friendly SQLite: WAL, FULL sync, foreign keys, and our own BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # The driver's own transaction handling is switched off so BEGIN IMMEDIATE is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            f"busy_timeout={READ_BUSY_MS}",  # first, so switching a new file to WAL can wait its turn
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_IMMEDIATE):
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(WRITE_LOCK_WAIT_SECONDS * 1000)}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={READ_BUSY_MS}")
            connection.exec_driver_sql("BEGIN")


def _is_lock_failure(error: sa.exc.OperationalError) -> bool:
    original = error.orig
    sqlite_name = getattr(original, "sqlite_errorname", "")
    pg_state = getattr(original, "sqlstate", None)
    return sqlite_name in {"SQLITE_BUSY", "SQLITE_LOCKED"} or pg_state == "55P03"  # lock_not_available


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the store's writer lock; commits on success, rolls back on any error."""
    with engine.connect() as connection:
        connection.execution_options(**{_IMMEDIATE: True})
        try:
            transaction = connection.begin()
            if not is_sqlite(connection):
                wait_ms = int(WRITE_LOCK_WAIT_SECONDS * 1000)
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))
        except sa.exc.OperationalError as error:
            if _is_lock_failure(error):
                raise StoreBusy(BUSY_MESSAGE) from None
            raise
        with transaction:
            yield connection


def open_engine(url: str) -> Engine:
    """A new engine for `url` (SQLite configured as above), schema untouched; connect() is the way in."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url)
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def connect(url: str | None = None) -> Engine:
    """The engine for `url` (resolved as the CLI does when None), schema upgraded to the latest revision.

    Engines are cached per URL, so pages and CLI commands can call this freely; the schema check
    is one small query, and alembic is only imported when the database is behind.
    """
    resolved = resolve_url(url)
    with _engines_lock:
        engine = _engines.get(resolved)
        if engine is None:
            engine = open_engine(resolved)
            from store.migrate import ensure_schema

            ensure_schema(engine)
            _engines[resolved] = engine
    return engine
