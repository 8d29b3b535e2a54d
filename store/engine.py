"""Opening the store: one engine per URL per process, SQLite pragmas, schema upgrade, the writer lock.

Writers are serialised so two uploads never interleave their counts or history:
- SQLite: the writer's transaction starts with BEGIN IMMEDIATE (readers keep working under WAL);
- PostgreSQL: the writer takes a transaction-scoped advisory lock.
A writer queues for the lock in short slices, telling its caller how long it has waited (the Upload page
shows it), and raises StoreBusy only after WRITE_LOCK_WAIT_SECONDS: two large uploads at once both store.

Any database failure reaches callers as a StoreError whose message is one plain line (disk full,
read-only, unreachable) and never quotes the SQL parameters, which hold case data; engines are created
with hide_parameters=True so that nothing SQLAlchemy logs or raises carries them either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, RootTransaction, make_url

from store.urls import DEFAULT_SQLITE_FILE, resolve_url

# A 1,000,000-row upload takes about 10 s to store; a writer queues behind a few of those before giving up.
WRITE_LOCK_WAIT_SECONDS = 300.0
LOCK_POLL_SECONDS = 1.0  # one slice of the queue: how often a waiting writer reports progress
READ_BUSY_MS = 5000  # SQLite readers rarely wait under WAL; this covers checkpoints
WRITER_LOCK_KEY = 0x4A5357  # PostgreSQL advisory lock id shared by every writer of this store
_IMMEDIATE = "store_writer"  # execution option marking a writer's connection

BUSY_MESSAGE = "the store is busy with another upload; try again in a moment"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class StoreError(Exception):
    """The store could not do what was asked; str() is one line fit to show a user, quoting no values."""


class StoreBusy(StoreError):
    """Another writer held the store for longer than a writer waits; str() is one line fit to show a user."""


# SQLite result codes and PostgreSQL SQLSTATE classes -> what a user can do about them.
_SQLITE_MESSAGES = {
    "SQLITE_FULL": "the disk holding the store is full",
    "SQLITE_READONLY": "the store is read-only",
    "SQLITE_CANTOPEN": "the store's file cannot be opened",
    "SQLITE_IOERR": "the disk holding the store reported an error",
    "SQLITE_CORRUPT": "the store's file is damaged",
    "SQLITE_NOTADB": "the store's file is not a database",
    "SQLITE_PERM": "the store's file may not be written",
}
_POSTGRES_MESSAGES = {
    "53100": "the disk holding the database is full",
    "53": "the database server is out of resources",
    "25006": "the database is read-only",
    "08": "the database server cannot be reached",
    "57P": "the database server is shutting down or restarting",
    "28": "the database refused the login",
    "3D000": "the database does not exist",
    "22021": "a value holds a character the database cannot store",
    "42501": "the database login may not write these tables",
}
NOTHING_CHANGED = "nothing was changed"


def describe_failure(error: sa.exc.SQLAlchemyError) -> str:
    """One plain line for a database failure: what went wrong as far as a user can act on it.

    Only result codes and exception class names are read, never the message text, which can quote
    the SQL parameters (case references, names).
    """
    original = getattr(error, "orig", None)
    sqlite_name = str(getattr(original, "sqlite_errorname", "") or "")
    for code, message in _SQLITE_MESSAGES.items():
        if sqlite_name.startswith(code):
            return message
    state = str(getattr(original, "sqlstate", "") or "")
    for prefix, message in _POSTGRES_MESSAGES.items():
        if state and state.startswith(prefix):
            return message
    if isinstance(error, sa.exc.OperationalError) and not state:
        return "the database cannot be reached or opened"
    return f"the database reported a problem ({type(original or error).__name__})"


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
            wait_ms = int(min(LOCK_POLL_SECONDS, WRITE_LOCK_WAIT_SECONDS) * 1000)
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={READ_BUSY_MS}")
            connection.exec_driver_sql("BEGIN")


def _is_lock_failure(error: sa.exc.OperationalError) -> bool:
    return getattr(error.orig, "sqlite_errorname", "") in {"SQLITE_BUSY", "SQLITE_LOCKED"}


def _begin_writer(connection: Connection) -> RootTransaction | None:
    """Begin a writer's transaction holding the lock, waiting at most one slice; None if still held."""
    connection.execution_options(**{_IMMEDIATE: True})
    try:
        transaction = connection.begin()
    except sa.exc.OperationalError as error:
        if _is_lock_failure(error):  # SQLite: BEGIN IMMEDIATE waited busy_timeout (one slice)
            return None
        raise
    if is_sqlite(connection):
        return transaction
    if connection.execute(sa.select(sa.func.pg_try_advisory_xact_lock(WRITER_LOCK_KEY))).scalar():
        return transaction
    transaction.rollback()
    time.sleep(LOCK_POLL_SECONDS)
    return None


@contextmanager
def writing(engine: Engine, on_wait: Callable[[float], None] | None = None) -> Iterator[Connection]:
    """A transaction holding the store's writer lock; commits on success, rolls back on any error.

    While another writer holds the lock this one queues, calling `on_wait(seconds waited)` after each
    slice, and raises StoreBusy after WRITE_LOCK_WAIT_SECONDS. A database failure inside becomes a
    StoreError with a plain message; the transaction is rolled back, so nothing is half-stored.
    """
    started = time.monotonic()
    try:
        while True:
            connection = engine.connect()
            try:
                transaction = _begin_writer(connection)
            except BaseException:
                connection.close()
                raise
            if transaction is not None:
                break
            connection.close()
            waited = time.monotonic() - started
            if waited >= WRITE_LOCK_WAIT_SECONDS:
                raise StoreBusy(BUSY_MESSAGE)
            if on_wait is not None:
                on_wait(waited)
        with connection, transaction:
            yield connection
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"{describe_failure(error)}; {NOTHING_CHANGED}") from None


def open_engine(url: str) -> Engine:
    """A new engine for `url` (SQLite configured as above), schema untouched; connect() is the way in.

    Only the default store's data/ folder is created: a --db or DATABASE_URL naming a folder that does
    not exist is a typing slip, and silently starting an empty store there would hide every upload.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            folder = Path(parsed.database).parent
            if Path(parsed.database).resolve() == DEFAULT_SQLITE_FILE:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise StoreError(f"the store's folder {folder} does not exist; create it or correct the URL")
        engine = sa.create_engine(url, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)


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

            try:
                ensure_schema(engine)
            except sa.exc.SQLAlchemyError as error:
                engine.dispose()
                raise StoreError(describe_failure(error)) from None
            _engines[resolved] = engine
    return engine
