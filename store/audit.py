"""The audit trail: who signed in and out, was refused, viewed case rows, uploaded, undid, changed settings
or people, exported or purged, and when. Append-only.

A write that changes the store records its audit row on the same connection, inside the same
transaction (store_sheet, undo_upload, save_settings, record_export, add_person, remove_person): the
change and its record are stored together or not at all. Events that change nothing else (sign-in, a
view of case rows) are one small transaction of their own.

Nothing here updates or deletes a row except `purge_audit`, which removes rows older than the retention
period and records that it did, in one transaction; the database refuses every other UPDATE or DELETE
(revision 0004's triggers). Details name pages, filters, files and people, never case data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from store.engine import NOTHING_CHANGED, StoreError, describe_failure, is_sqlite, writing
from store.tables import audit_log, audit_purge_guard, utc_now

AUDIT_ACTIONS: tuple[str, ...] = (
    "sign_in",
    "sign_out",
    "access_refused",
    "view_cases",
    "upload",
    "undo",
    "settings",
    "people",
    "export",
    "audit_purge",
)
AUDIT_COLUMNS: tuple[str, ...] = ("at", "user", "action", "detail", "rows")
_DETAIL_LIMIT = 4000  # a detail is a sentence or a small JSON object; never let one grow without bound


class AuditError(StoreError):
    """An audit request that cannot be carried out as asked; str() is one plain line."""


def detail_json(what: str, filters: Mapping[str, object] | None = None, **more: object) -> str:
    """A detail as compact JSON: what was seen or taken and with which filters (sorted keys, stable)."""
    document: dict[str, object] = {"what": what}
    if filters is not None:
        document["filters"] = dict(filters)
    document.update(more)
    return json.dumps(document, sort_keys=True, default=str, ensure_ascii=False)


def _row(user: str, action: str, detail: str, rows: int | None) -> dict[str, object]:
    if action not in AUDIT_ACTIONS:
        raise AuditError(f"unknown audit action {action!r}")
    return {
        "at": utc_now(),
        "user": user or "unknown",
        "action": action,
        "detail": detail[:_DETAIL_LIMIT],
        "rows": None if rows is None else int(rows),
    }


@contextmanager
def _appending(engine: Engine) -> Iterator[Connection]:
    """A transaction for an audit row that changes nothing else.

    SQLite has one writer at a time, so it queues for the store's writer lock like any writer;
    PostgreSQL appends at once (an insert conflicts with nothing), rather than waiting behind an upload.
    """
    if is_sqlite(engine):
        with writing(engine) as connection:
            yield connection
        return
    try:
        with engine.begin() as connection:
            yield connection
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"{describe_failure(error)}; {NOTHING_CHANGED}") from None


def record_event(
    target: Connection | Engine, user: str, action: str, detail: str, rows: int | None = None
) -> None:
    """Append one audit row. Given a Connection, inside the caller's transaction (stored with the change
    it records, or not at all); given an Engine, in a transaction of its own."""
    values = _row(user, action, detail, rows)
    if isinstance(target, Connection):
        target.execute(sa.insert(audit_log).values(**values))
        return
    with _appending(target) as connection:
        connection.execute(sa.insert(audit_log).values(**values))


def _moment(day: date | datetime) -> datetime:
    """A date as the start of that day in UTC; an aware datetime as given (a naive one is taken as UTC)."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time(), tzinfo=UTC)


def list_audit(
    engine: Engine,
    since: date | datetime | None = None,
    user: str | None = None,
    action: str | None = None,
    *,
    until: date | datetime | None = None,
) -> pd.DataFrame:
    """Audit rows, oldest first: at (aware UTC), user, action, detail, rows (Int64, <NA> when none).

    `since` keeps rows at or after it, `until` rows before it (dates are UTC midnights); `user` matches
    case-insensitively; `action` exactly.
    """
    statement = sa.select(*(audit_log.c[name] for name in AUDIT_COLUMNS)).order_by(audit_log.c.id)
    if since is not None:
        statement = statement.where(audit_log.c.at >= _moment(since))
    if until is not None:
        statement = statement.where(audit_log.c.at < _moment(until))
    if user:
        statement = statement.where(sa.func.lower(audit_log.c.user) == user.strip().lower())
    if action:
        statement = statement.where(audit_log.c.action == action)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS), dtype="object")
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["rows"] = frame["rows"].astype("Int64")
    return frame


def audit_users(engine: Engine) -> list[str]:
    """Everyone the trail names, for the Audit page's filter."""
    statement = sa.select(audit_log.c.user).distinct().order_by(audit_log.c.user)
    with engine.connect() as connection:
        return [str(name) for name in connection.execute(statement).scalars()]


def purge_audit(engine: Engine, older_than: date | datetime, by: str) -> int:
    """Remove audit rows from before `older_than` (the retention period has passed) and record the purge.

    One transaction: the rows go and the purge's own row ("audit_purge", how many, the cut-off) is
    written, or neither. Returns how many rows were removed.
    """
    cut_off = _moment(older_than)
    with writing(engine) as connection:
        if is_sqlite(connection):
            connection.execute(sa.insert(audit_purge_guard).values(id=1))
        else:
            connection.exec_driver_sql("SET LOCAL jsw.audit_purge = 'on'")
        removed = connection.execute(sa.delete(audit_log).where(audit_log.c.at < cut_off)).rowcount
        if is_sqlite(connection):
            connection.execute(sa.delete(audit_purge_guard))
        else:
            connection.exec_driver_sql("SET LOCAL jsw.audit_purge = 'off'")
        record_event(
            connection,
            by,
            "audit_purge",
            f"audit rows from before {cut_off:%Y-%m-%d %H:%M} UTC removed",
            rows=removed,
        )
    return int(removed)


def audit_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Audit rows in SPEC 7.4's CSV shape: at (ISO 8601 UTC, e.g. 2021-04-30T09:15:02Z), user, action,
    detail, rows (blank when none). The command line and the Audit page export the same columns."""
    moments = pd.to_datetime(frame["at"], utc=True)
    counts = [None if pd.isna(count) else int(count) for count in frame["rows"]]
    return pd.DataFrame(
        {
            "at": moments.dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(dtype=object),
            "user": frame["user"].to_numpy(dtype=object),
            "action": frame["action"].to_numpy(dtype=object),
            "detail": frame["detail"].to_numpy(dtype=object),
            "rows": pd.Series(counts, dtype=object).to_numpy(),
        },
        columns=list(AUDIT_COLUMNS),
    )
