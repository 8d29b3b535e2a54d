"""Reading the upload history: the list, rejected rows, last upload per dataset, demo/real flags,
and the data version pages use as a cache key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders.result import REJECT_COLUMNS
from loaders.schema import DATASET_NAMES
from store.tables import RECORD_TABLES, settings, uploads
from store.tables import rejected_rows as rejected_rows_table


@dataclass(frozen=True)
class UploadInfo:
    id: int
    uploaded_at: datetime  # aware, UTC
    user: str
    file_name: str
    sheet: str | None
    sha256: str
    dataset: str
    new: int
    updated: int
    unchanged: int
    rejected: int
    is_demo: bool
    undone_at: datetime | None  # aware, UTC; None while the upload is live
    undone_by: str | None = None
    data_date: date | None = None  # the date the extract was taken (None: no dates, or never known)


_INFO_COLUMNS = [
    uploads.c.id,
    uploads.c.uploaded_at,
    uploads.c.user,
    uploads.c.file_name,
    uploads.c.sheet,
    uploads.c.sha256,
    uploads.c.dataset,
    uploads.c.new,
    uploads.c.updated,
    uploads.c.unchanged,
    uploads.c.rejected,
    uploads.c.is_demo,
    uploads.c.undone_at,
    uploads.c.undone_by,
    uploads.c.data_date,
]


def list_uploads(engine: Engine) -> list[UploadInfo]:
    """Every upload, undone ones included, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(*_INFO_COLUMNS).order_by(uploads.c.id.desc())).all()
    return [UploadInfo(*row) for row in rows]


def uploads_still_current(engine: Engine, sha256: str) -> list[UploadInfo]:
    """The live uploads of a file (by its bytes' sha256), when each is still its dataset's newest.

    Then storing the file again would change nothing, and a caller may say so without reading it.
    Empty when the file was never stored, was undone, or any of its sheets has been overtaken since.
    """
    newest = (
        sa.select(uploads.c.dataset, sa.func.max(uploads.c.id).label("newest"))
        .where(uploads.c.undone_at.is_(None))
        .group_by(uploads.c.dataset)
        .subquery()
    )
    statement = (
        sa.select(*_INFO_COLUMNS, (uploads.c.id == newest.c.newest).label("is_newest"))
        .join(newest, newest.c.dataset == uploads.c.dataset)
        .where(uploads.c.sha256 == sha256, uploads.c.undone_at.is_(None))
        .order_by(uploads.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    if not rows or not all(row.is_newest for row in rows):
        return []
    return [UploadInfo(*row[:-1]) for row in rows]


def rejected_rows(engine: Engine, upload_id: int, teams: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The rows an upload's loader rejected: sheet, row, column, value, reason (row as Int64).

    With `teams`, only the lines of rows whose team (as the file gave it) is one of them, compared
    case-insensitively: a team leader's scope. A row with no team, or stored before the team was kept
    (revision 0004), is in no team's scope.
    """
    table = rejected_rows_table
    statement = (
        sa.select(*(table.c[name] for name in REJECT_COLUMNS), table.c.team)
        .where(table.c.upload_id == upload_id)
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=[*REJECT_COLUMNS, "team"], dtype="object")
    if teams is not None:
        wanted = {team.casefold() for team in teams}
        keep = [isinstance(team, str) and team.casefold() in wanted for team in frame["team"]]
        frame = frame[keep].reset_index(drop=True)
    frame = frame[REJECT_COLUMNS].copy()
    frame["row"] = frame["row"].astype("Int64")
    return frame


def newest_data(engine: Engine) -> UploadInfo | None:
    """The live upload with the newest data date (the latest of those on that date), else None.

    Its data date is the dashboard's default as-at date: the figures are as the data stands, not as at
    a today the extracts have not reached (SPEC 4).
    """
    statement = (
        sa.select(*_INFO_COLUMNS)
        .where(uploads.c.undone_at.is_(None), uploads.c.data_date.is_not(None))
        .order_by(uploads.c.data_date.desc(), uploads.c.id.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return None if row is None else UploadInfo(*row)


def last_uploads(engine: Engine) -> dict[str, datetime | None]:
    """Dataset -> time of its newest live upload (None when it has none)."""
    statement = (
        sa.select(uploads.c.dataset, sa.func.max(uploads.c.uploaded_at))
        .where(uploads.c.undone_at.is_(None))
        .group_by(uploads.c.dataset)
    )
    with engine.connect() as connection:
        newest = dict(connection.execute(statement).all())
    return {dataset: newest.get(dataset) for dataset in DATASET_NAMES}


def _any_live_upload(engine: Engine, *, is_demo: bool) -> bool:
    statement = sa.select(sa.exists().where(uploads.c.undone_at.is_(None), uploads.c.is_demo == is_demo))
    with engine.connect() as connection:
        return bool(connection.execute(statement).scalar())


def holds_demo_data(engine: Engine) -> bool:
    """True while any live upload holds the synthetic demo data."""
    return _any_live_upload(engine, is_demo=True)


def holds_real_uploads(engine: Engine) -> bool:
    """True while any live upload holds real (non-demo) data."""
    return _any_live_upload(engine, is_demo=False)


def holds_records(engine: Engine) -> bool:
    """True when any dataset holds a record: one indexed look per table, where reading the records
    (even their ids alone) after an upload would rebuild a snapshot of every dataset."""
    exists = [sa.exists().where(table.c.record_id.is_not(None)) for table in RECORD_TABLES.values()]
    with engine.connect() as connection:
        return bool(connection.execute(sa.select(sa.or_(*exists))).scalar())


def data_version(engine: Engine) -> str:
    """A short text that changes whenever records, uploads or settings change (a cache key).

    Records change only through uploads and undos; ids only grow and undone uploads are never
    revived, so the newest upload id, the number undone and the settings version say it all.
    """
    statement = sa.select(
        sa.select(sa.func.coalesce(sa.func.max(uploads.c.id), 0)).scalar_subquery(),
        sa.select(sa.func.count(uploads.c.undone_at)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(settings.c.version), 0)).scalar_subquery(),
    )
    with engine.connect() as connection:
        newest, undone, settings_version = connection.execute(statement).one()
    return f"u{newest}-x{undone}-s{settings_version}"
