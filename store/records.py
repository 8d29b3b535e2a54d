"""Reading record tables back as canonical frames (the shape measures and pages expect)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from loaders.schema import DATASETS, Kind
from store.frames import frame_from_driver_batches
from store.tables import RECORD_TABLES

# Rows fetched from the driver at a time. Each row is a tuple and each cell a Python object until its
# batch becomes columns: a million reviews fetched at once held about 14 million of them (over 600 MB),
# the peak of re-loading a changed extract into a full store.
FETCH_ROWS = 50_000


def unknown_dataset(dataset: str) -> ValueError:
    return ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")


def _day_number(column: sa.Column, connection: Connection) -> sa.ColumnElement:
    """Days since 1970-01-01 as an integer, NULL stays NULL."""
    if connection.dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(column) - sa.literal_column("2440587.5"), sa.Integer)
    return sa.cast(column - sa.literal_column("DATE '1970-01-01'"), sa.Integer)


def read_records(
    connection: Connection, dataset: str, *, where: sa.ColumnElement[bool] | None = None
) -> pd.DataFrame:
    """Every record of `dataset` (or those `where` selects): canonical columns + record_id + upload_id,
    oldest record first.

    Dates are selected as day numbers so SQLite and PostgreSQL hand back the same cheap integers, and
    rows are fetched straight from the driver, skipping SQLAlchemy's per-value processing, a batch of
    FETCH_ROWS at a time.
    """
    if dataset not in DATASETS:
        raise unknown_dataset(dataset)
    schema = DATASETS[dataset]
    table = RECORD_TABLES[dataset]
    kinds = {column.name: column.kind for column in schema.columns}
    names = [*schema.column_names, "record_id", "upload_id"]
    selected = [
        _day_number(table.c[name], connection).label(name) if kinds.get(name) is Kind.DATE else table.c[name]
        for name in names
    ]
    statement = sa.select(*selected).order_by(table.c.record_id)
    if where is not None:
        statement = statement.where(where)
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        # A named (server-side) cursor: a plain one holds the whole result in the client first. Outside a
        # transaction (autocommit) only a cursor WITH HOLD may be declared.
        cursor = driver.cursor(name="read_records", withhold=driver.autocommit)
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        return frame_from_driver_batches(iter(partial(cursor.fetchmany, FETCH_ROWS), []), names, kinds)
    finally:
        cursor.close()
