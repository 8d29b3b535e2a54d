"""Taking one upload back: the records it created go, the records it updated get their previous
values back from record_history, and the upload stays in the history marked undone.

Uploads are taken back newest first wherever they share records, so each undo restores exactly the
store its upload found."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.schema import DATASETS
from store.audit import detail_json, record_event
from store.bulk import update_rows
from store.engine import writing
from store.frames import canonical_frame, driver_columns
from store.summary import StoreSummary
from store.tables import RECORD_TABLES, record_history, upload_records, uploads, utc_now


class UndoError(Exception):
    """The upload cannot be undone; str() is one line fit to show a user."""


def _later_holder(connection: Connection, upload_id: int, dataset: str) -> int | None:
    """The newest later live upload that contains a record this upload created or updated.

    Undo would delete or roll back such a record under that upload's feet, whether it changed the
    record or repeated it unchanged (a cumulative monthly extract repeats last month's records).
    Changes count too: an upload that updated a record is listed as holding it.
    """
    table = RECORD_TABLES[dataset]
    created = sa.select(table.c.record_id).where(table.c.created_upload_id == upload_id)
    updated = sa.select(record_history.c.record_id).where(
        record_history.c.upload_id == upload_id, record_history.c.dataset == dataset
    )
    statement = (
        sa.select(sa.func.max(upload_records.c.upload_id))
        .select_from(upload_records.join(uploads, uploads.c.id == upload_records.c.upload_id))
        .where(
            upload_records.c.upload_id > upload_id,
            uploads.c.dataset == dataset,
            uploads.c.undone_at.is_(None),
            sa.or_(upload_records.c.record_id.in_(created), upload_records.c.record_id.in_(updated)),
        )
    )
    return connection.execute(statement).scalar()


def _restore_previous(connection: Connection, upload_id: int, dataset: str) -> int:
    """Write back the stored values of every record this upload updated; returns how many."""
    schema = DATASETS[dataset]
    history = connection.execute(
        sa.select(record_history.c.record_id, record_history.c.previous)
        .where(record_history.c.upload_id == upload_id, record_history.c.dataset == dataset)
        .order_by(record_history.c.id)
    ).all()
    if not history:
        return 0
    record_ids = np.array([row.record_id for row in history], dtype=object)
    # Plain JSON values (str, int, bool, None) as stored; canonical_frame gives them their dtypes. Not
    # read_json: it guesses types, and pandas 3 deprecates turning its date guessing off.
    previous = pd.DataFrame([json.loads(row.previous) for row in history], dtype=object)
    values = driver_columns(canonical_frame(previous, schema), schema)
    previous_writers = previous["upload_id"].astype("int64").to_numpy(dtype=object)
    rows = list(zip(*values.values(), previous_writers, record_ids, strict=True))
    update_rows(connection, dataset, [*schema.column_names, "upload_id"], "record_id", rows)
    return len(rows)


def undo_upload(
    engine: Engine, upload_id: int, *, user: str, on_wait: Callable[[float], None] | None = None
) -> StoreSummary:
    """Undo one live upload, all or nothing. UndoError if it is unknown, already undone, or a later
    live upload holds (changed or repeated) any record it created or updated: that one must be
    undone first."""
    with writing(engine, on_wait) as connection:
        upload = connection.execute(sa.select(uploads).where(uploads.c.id == upload_id)).one_or_none()
        if upload is None:
            raise UndoError(f"there is no upload {upload_id}")
        if upload.undone_at is not None:
            raise UndoError(f"upload {upload_id} was already undone by {upload.undone_by}")
        later = _later_holder(connection, upload_id, upload.dataset)
        if later is not None:
            raise UndoError(
                f"upload {upload_id} cannot be undone: upload {later} also holds records from this upload; "
                f"undo upload {later} first"
            )
        restored = _restore_previous(connection, upload_id, upload.dataset)
        table = RECORD_TABLES[upload.dataset]
        removed = connection.execute(sa.delete(table).where(table.c.created_upload_id == upload_id)).rowcount
        connection.execute(sa.delete(upload_records).where(upload_records.c.upload_id == upload_id))
        connection.execute(
            sa.update(uploads).where(uploads.c.id == upload_id).values(undone_at=utc_now(), undone_by=user)
        )
        record_event(
            connection,
            user,
            "undo",
            detail_json(
                f"undo upload {upload_id}",
                file=upload.file_name,
                dataset=upload.dataset,
                removed=removed,
                restored=restored,
            ),
            rows=removed + restored,
        )
    return StoreSummary(upload_id, upload.dataset, removed, restored, upload.unchanged, upload.rejected)
