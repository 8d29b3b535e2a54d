"""The export log: who exported what, when, with which filters, how many rows, and the file's hash.

It records the fact of an export, never the exported case data.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.audit import detail_json, record_event
from store.engine import writing
from store.tables import exports, utc_now

EXPORT_COLUMNS = ["id", "exported_at", "user", "what", "filters", "rows", "format", "sha256"]


def record_export(
    engine: Engine, *, user: str, what: str, filters: dict, rows: int, file_format: str, sha256: str
) -> None:
    """Append one export to the log and the audit trail, together (filters must be JSON-safe)."""
    with writing(engine) as connection:
        connection.execute(
            sa.insert(exports).values(
                exported_at=utc_now(),
                user=user,
                what=what,
                filters=filters,
                rows=rows,
                format=file_format,
                sha256=sha256,
            )
        )
        # The audit trail names what was taken and with which filters, in the same transaction.
        record_event(
            connection, user, "export", detail_json(what, filters, format=file_format, sha256=sha256), rows
        )


def list_exports(engine: Engine) -> pd.DataFrame:
    """Every logged export, newest first; exported_at as UTC datetimes, filters as dicts."""
    statement = sa.select(*(exports.c[name] for name in EXPORT_COLUMNS)).order_by(exports.c.id.desc())
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS, dtype="object")
    frame["exported_at"] = pd.to_datetime(frame["exported_at"], utc=True)
    frame[["id", "rows"]] = frame[["id", "rows"]].astype("int64")
    return frame
