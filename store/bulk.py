"""Bulk writes at driver level: executemany of plain tuples, COPY for big PostgreSQL inserts.

SQLAlchemy's per-value type processing (dates on SQLite especially) costs more than the insert
itself at a million rows, so store/frames.py prepares driver-ready values and these helpers pass
them straight to the DB-API cursor inside the caller's transaction.

The rows may come in batches, each built only when it is written (store/ingest.py builds them from a
slice of the frame's columns): a million records as one list of tuples held about 230 MB of Python
objects at once, a batch of 50,000 about a twentieth of that. Batches change nothing the database
sees: they are written in order, inside the caller's one transaction, and on PostgreSQL through one
COPY when there are enough rows in all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection

from store.engine import is_sqlite

COPY_FROM_ROWS = 1000  # PostgreSQL inserts of at least this many rows go through COPY


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _mark(connection: Connection) -> str:
    return "?" if is_sqlite(connection) else "%s"


def insert_rows(connection: Connection, table: str, names: Sequence[str], rows: list[tuple]) -> None:
    """INSERT every tuple (values in `names` order)."""
    insert_batches(connection, table, names, [rows], rows=len(rows))


def insert_batches(
    connection: Connection,
    table: str,
    names: Sequence[str],
    batches: Iterable[list[tuple]],
    *,
    rows: int,
) -> None:
    """INSERT the tuples of every batch, in order; `rows` is how many there are in all (it decides
    whether PostgreSQL gets one COPY for all of them, so the batches are not counted first)."""
    if not rows:
        return
    columns = ", ".join(_quote(connection, name) for name in names)
    if not is_sqlite(connection) and rows >= COPY_FROM_ROWS:
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {_quote(connection, table)} ({columns}) FROM STDIN") as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
        return
    marks = ", ".join(_mark(connection) for _ in names)
    sql = f"INSERT INTO {_quote(connection, table)} ({columns}) VALUES ({marks})"
    for batch in batches:
        if batch:
            connection.exec_driver_sql(sql, batch)


def update_rows(
    connection: Connection, table: str, names: Sequence[str], key: str, rows: list[tuple]
) -> None:
    """UPDATE table SET names... WHERE key = last value of each tuple."""
    update_batches(connection, table, names, key, [rows])


def update_batches(
    connection: Connection, table: str, names: Sequence[str], key: str, batches: Iterable[list[tuple]]
) -> None:
    """update_rows for rows that come in batches, each executed as it comes."""
    mark = _mark(connection)
    assignments = ", ".join(f"{_quote(connection, name)} = {mark}" for name in names)
    sql = f"UPDATE {_quote(connection, table)} SET {assignments} WHERE {_quote(connection, key)} = {mark}"
    for batch in batches:
        if batch:
            connection.exec_driver_sql(sql, batch)
