"""Bulk writes at driver level: executemany of plain tuples, COPY for big PostgreSQL inserts.

SQLAlchemy's per-value type processing (dates on SQLite especially) costs more than the insert
itself at a million rows, so store/frames.py prepares driver-ready values and these helpers pass
them straight to the DB-API cursor inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from store.engine import is_sqlite

COPY_FROM_ROWS = 1000  # PostgreSQL inserts of at least this many rows go through COPY


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _mark(connection: Connection) -> str:
    return "?" if is_sqlite(connection) else "%s"


def insert_rows(connection: Connection, table: str, names: Sequence[str], rows: list[tuple]) -> None:
    """INSERT every tuple (values in `names` order)."""
    if not rows:
        return
    columns = ", ".join(_quote(connection, name) for name in names)
    if not is_sqlite(connection) and len(rows) >= COPY_FROM_ROWS:
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {_quote(connection, table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(_mark(connection) for _ in names)
    connection.exec_driver_sql(f"INSERT INTO {_quote(connection, table)} ({columns}) VALUES ({marks})", rows)


def update_rows(
    connection: Connection, table: str, names: Sequence[str], key: str, rows: list[tuple]
) -> None:
    """UPDATE table SET names... WHERE key = last value of each tuple."""
    if not rows:
        return
    mark = _mark(connection)
    assignments = ", ".join(f"{_quote(connection, name)} = {mark}" for name in names)
    sql = f"UPDATE {_quote(connection, table)} SET {assignments} WHERE {_quote(connection, key)} = {mark}"
    connection.exec_driver_sql(sql, rows)
