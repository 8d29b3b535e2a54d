"""Storing one loaded sheet: the upload row, its rejected rows and an upsert of its records, in one
transaction under the writer lock.

New, updated and unchanged records are told apart in pandas (one merge on the natural key and a
null-safe comparison per column), then written in bulk: new rows inserted, changed rows updated with
their previous values kept in record_history for undo, unchanged rows left alone. Every record the
sheet contained, whatever happened to it, is listed in upload_records under the upload, so undo can
see which later uploads still hold it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.data_date import data_date
from loaders.result import SheetResult
from loaders.schema import DATASETS, Dataset, Kind
from store.audit import detail_json, record_event
from store.bulk import insert_batches, insert_rows, update_batches
from store.engine import writing
from store.frames import canonical_frame, driver_columns, driver_values, text_values
from store.records import read_records
from store.summary import StoreSummary
from store.tables import RECORD_TABLES, upload_records, uploads, utc_now


class OlderExtract(Exception):
    """An extract whose data date is older than the dataset's stored data would change records back.

    Raised before anything is stored, when the caller asked to hear of it (`refuse_older`): the Upload
    page then asks for a confirmation, the command line wants --allow-older. str() is one line.
    """

    def __init__(self, dataset: str, data_date: date, stored_date: date, changed_back: int) -> None:
        self.dataset = dataset
        self.data_date = data_date
        self.stored_date = stored_date
        self.changed_back = changed_back
        super().__init__(
            f"its data date {data_date:%d/%m/%Y} is older than the {dataset} already stored "
            f"(data as at {stored_date:%d/%m/%Y}); storing it would change {changed_back:,} "
            f"{'record' if changed_back == 1 else 'records'} back to older values"
        )


@dataclass(frozen=True)
class RecordChanges:
    """The incoming records split against what the store holds."""

    new: pd.DataFrame  # canonical columns
    updated: pd.DataFrame  # canonical columns + record_id (incoming values)
    previous: pd.DataFrame  # canonical columns + record_id + upload_id (stored values of `updated`)
    unchanged: int
    matched_ids: np.ndarray  # record_id of every stored record the sheet contains (updated or unchanged)


def key_frame(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The natural key with NULL text as '' (the same rule as the UNIQUE index)."""
    keys = {}
    for name in dataset.natural_key:
        values = frame[name]
        keys[name] = values.where(values.notna(), "") if dataset.column(name).kind is Kind.TEXT else values
    return pd.DataFrame(keys, index=frame.index)


def _same(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Element-wise equality where two blanks are equal."""
    equal = left.eq(right).fillna(False).to_numpy(dtype=bool)
    return equal | (left.isna().to_numpy() & right.isna().to_numpy())


def split_changes(incoming: pd.DataFrame, stored: pd.DataFrame, dataset: Dataset) -> RecordChanges:
    """Match incoming records to stored ones on the natural key and compare the other columns."""
    key = list(dataset.natural_key)
    repeated = key_frame(incoming, dataset).duplicated(keep="last").to_numpy()
    # Kept whole (no copy) when no key repeats and nothing is stored: a first load's million records
    # are then the very frame that is written, not two more copies of it.
    incoming = (incoming.loc[~repeated] if repeated.any() else incoming).reset_index(drop=True)
    if len(stored):
        stored_keys = key_frame(stored, dataset).assign(_stored=np.arange(len(stored)))
        matched = key_frame(incoming, dataset).merge(stored_keys, on=key, how="left")["_stored"].to_numpy()
    else:
        matched = np.full(len(incoming), np.nan)
    found = ~np.isnan(matched)
    matched_incoming = incoming.loc[found].reset_index(drop=True)
    matched_stored = stored.iloc[matched[found].astype(int)].reset_index(drop=True)
    same = np.ones(len(matched_incoming), dtype=bool)
    for name in dataset.column_names:
        if name not in key:
            same &= _same(matched_incoming[name], matched_stored[name])
    changed = ~same
    updated = matched_incoming.loc[changed].assign(
        record_id=matched_stored.loc[changed, "record_id"].to_numpy()
    )
    return RecordChanges(
        new=incoming.loc[~found].reset_index(drop=True) if found.any() else incoming,
        updated=updated.reset_index(drop=True),
        previous=matched_stored.loc[changed].reset_index(drop=True),
        unchanged=int(same.sum()),
        matched_ids=matched_stored["record_id"].to_numpy(dtype="int64"),
    )


BATCH_ROWS = 50_000  # records turned into driver values and written at a time


def _slices(count: int) -> Iterator[slice]:
    """Consecutive row ranges of at most BATCH_ROWS covering `count` rows."""
    for start in range(0, count, BATCH_ROWS):
        yield slice(start, min(start + BATCH_ROWS, count))


def _record_batches(frame: pd.DataFrame, dataset: Dataset, *extra: np.ndarray) -> Iterator[list[tuple]]:
    """Driver-ready tuples, BATCH_ROWS at a time: the canonical columns in schema order, then `extra`
    columns (one value per row of `frame`).

    Built batch by batch from slices of the columns rather than all at once: a million records' tuples
    and driver values held about 230 MB of Python objects beside the frame they came from, the largest
    part of an ingest's peak memory; a batch holds a twentieth of that.
    """
    for rows in _slices(len(frame)):
        values = driver_columns(frame.iloc[rows], dataset).values()
        yield list(zip(*values, *(column[rows] for column in extra), strict=True))


def _repeat(value: object, count: int) -> np.ndarray:
    return np.full(count, value, dtype=object)


def _same_value(value: object, count: int) -> np.ndarray:
    """`value` for each of `count` rows as a read-only view of one cell (no array of `count` pointers)."""
    return np.broadcast_to(np.array(value, dtype=object), (count,))


def insert_records(connection: Connection, dataset: Dataset, new: pd.DataFrame, upload_id: int) -> None:
    """Bulk insert of new records, written and first created by this upload."""
    upload = _same_value(upload_id, len(new))
    insert_batches(
        connection,
        dataset.name,
        [*dataset.column_names, "upload_id", "created_upload_id"],
        _record_batches(new, dataset, upload, upload),
        rows=len(new),
    )


def update_records(connection: Connection, dataset: Dataset, updated: pd.DataFrame, upload_id: int) -> None:
    """Bulk update of changed records by record_id; they now carry this upload's id."""
    record_ids = updated["record_id"].to_numpy(dtype=object)
    batches = _record_batches(updated, dataset, _same_value(upload_id, len(updated)), record_ids)
    update_batches(connection, dataset.name, [*dataset.column_names, "upload_id"], "record_id", batches)


def history_documents(previous: pd.DataFrame, dataset: Dataset) -> list[str]:
    """One JSON object per updated record: its stored canonical values and upload_id before the update."""
    if previous.empty:
        return []
    values = pd.DataFrame(driver_columns(previous, dataset)).assign(
        upload_id=previous["upload_id"].to_numpy()
    )
    return values.to_json(orient="records", lines=True).splitlines()


def _history_batches(previous: pd.DataFrame, dataset: Dataset, upload_id: int) -> Iterator[list[tuple]]:
    """record_history rows, BATCH_ROWS at a time (a JSON document per record is the bulkiest value)."""
    record_ids = previous["record_id"].to_numpy(dtype=object)
    for rows in _slices(len(previous)):
        documents = history_documents(previous.iloc[rows], dataset)
        count = len(documents)
        upload, name = _same_value(upload_id, count), _same_value(dataset.name, count)
        yield list(zip(upload, name, record_ids[rows], documents, strict=True))


def write_history(connection: Connection, dataset: Dataset, previous: pd.DataFrame, upload_id: int) -> None:
    """Keep the values every updated record had, so undo_upload can put them back."""
    insert_batches(
        connection,
        "record_history",
        ["upload_id", "dataset", "record_id", "previous"],
        _history_batches(previous, dataset, upload_id),
        rows=len(previous),
    )


def write_holdings(connection: Connection, dataset: Dataset, matched_ids: np.ndarray, upload_id: int) -> None:
    """List every record this upload contained in upload_records: the ones it matched (in bulk, in
    index order) and the ones it created (copied inside the database, so no ids travel back)."""
    record_ids = np.sort(matched_ids).astype(object)
    rows = list(zip(_repeat(upload_id, len(record_ids)), record_ids, strict=True))
    insert_rows(connection, "upload_records", ["upload_id", "record_id"], rows)
    table = RECORD_TABLES[dataset.name]
    created = sa.select(sa.literal(upload_id), table.c.record_id).where(
        table.c.created_upload_id == upload_id
    )
    connection.execute(sa.insert(upload_records).from_select(["upload_id", "record_id"], created))


def write_rejects(connection: Connection, rejects: pd.DataFrame, upload_id: int) -> None:
    """One row per problem the loader reported; cell values kept as text. The row's team (when the
    loader read one) is kept too, so a team leader is shown only their own teams' rejected rows."""
    row_numbers = pd.to_numeric(rejects["row"], errors="coerce").astype("Int64")
    teams = rejects["team"] if "team" in rejects.columns else pd.Series([None] * len(rejects), dtype=object)
    rows = list(
        zip(
            _repeat(upload_id, len(rejects)),
            text_values(rejects["sheet"]),
            driver_values(row_numbers, Kind.INTEGER),
            text_values(rejects["column"]),
            text_values(rejects["value"]),
            text_values(rejects["reason"]),
            text_values(teams),
            strict=True,
        )
    )
    insert_rows(
        connection, "rejected_rows", ["upload_id", "sheet", "row", "column", "value", "reason", "team"], rows
    )


def find_unchanged_upload(
    connection: Connection, *, sha256: str, dataset: str, sheet: str | None
) -> int | None:
    """The id of the dataset's newest live upload if it stored the same bytes and sheet, else None.

    Only the newest one will do: after it nothing has written to the dataset (undoing later uploads
    puts back exactly what it left), so storing the same sheet again would change nothing. An older
    match may have been overwritten since (X, then Y, then X again must bring X's values back).
    """
    newest_live = (
        sa.select(sa.func.max(uploads.c.id))
        .where(uploads.c.dataset == dataset, uploads.c.undone_at.is_(None))
        .scalar_subquery()
    )
    statement = sa.select(uploads.c.id).where(
        uploads.c.id == newest_live,
        uploads.c.sha256 == sha256,
        uploads.c.sheet.is_(None) if sheet is None else uploads.c.sheet == sheet,
    )
    return connection.execute(statement).scalar()


def newest_stored_date(connection: Connection, dataset: str) -> date | None:
    """The newest data date among the dataset's live uploads."""
    statement = sa.select(sa.func.max(uploads.c.data_date)).where(
        uploads.c.dataset == dataset, uploads.c.undone_at.is_(None)
    )
    return connection.execute(statement).scalar()


def store_sheet(
    engine: Engine,
    sheet: SheetResult,
    *,
    file_name: str,
    sha256: str,
    user: str,
    is_demo: bool = False,
    on_wait: Callable[[float], None] | None = None,
    refuse_older: bool = False,
) -> StoreSummary:
    """Store one sheet's records and rejected rows as one upload, all or nothing.

    The same bytes, dataset and sheet as the dataset's newest live upload are not stored again: the
    summary then carries already_loaded=<that upload's id> and zero counts. A match with an older
    upload is stored as usual, so its values replace whatever later uploads wrote. `on_wait` hears how
    long the upload has queued behind another writer (store.engine.writing).

    The upload's data date (loaders.data_date) is stored with it. With `refuse_older`, a sheet whose
    data date is older than the dataset's newest stored one, and which would change stored records, is
    not stored: OlderExtract says by how much and how many records (SPEC 2 lets it replace them, but a
    person should decide that knowingly).
    """
    dataset = DATASETS[sheet.dataset]
    rejected = sheet.rejected_row_count
    with writing(engine, on_wait) as connection:
        earlier = find_unchanged_upload(connection, sha256=sha256, dataset=dataset.name, sheet=sheet.sheet)
        if earlier is not None:
            return StoreSummary(None, dataset.name, 0, 0, 0, 0, already_loaded=earlier)
        # no name keeps the canonical frame or the stored records once they are split
        changes = split_changes(
            canonical_frame(sheet.records, dataset), read_records(connection, dataset.name), dataset
        )
        taken = data_date(sheet.report_date, sheet.records, dataset.name, utc_now().date())
        if refuse_older and taken is not None and len(changes.updated):
            stored = newest_stored_date(connection, dataset.name)
            if stored is not None and taken < stored:
                raise OlderExtract(dataset.name, taken, stored, len(changes.updated))
        upload_id = connection.execute(
            sa.insert(uploads)
            .values(
                uploaded_at=utc_now(),
                user=user,
                file_name=file_name,
                sheet=sheet.sheet,
                sha256=sha256,
                dataset=dataset.name,
                new=len(changes.new),
                updated=len(changes.updated),
                unchanged=changes.unchanged,
                rejected=rejected,
                is_demo=is_demo,
                data_date=taken,
            )
            .returning(uploads.c.id)
        ).scalar_one()
        write_rejects(connection, sheet.rejects, upload_id)
        insert_records(connection, dataset, changes.new, upload_id)
        write_history(connection, dataset, changes.previous, upload_id)
        update_records(connection, dataset, changes.updated, upload_id)
        write_holdings(connection, dataset, changes.matched_ids, upload_id)
        record_event(  # in the same transaction: the upload and its record are stored together or not at all
            connection,
            user,
            "upload",
            detail_json(
                f"upload {upload_id}",
                file=file_name,
                sheet=sheet.sheet,
                dataset=dataset.name,
                new=len(changes.new),
                updated=len(changes.updated),
                unchanged=changes.unchanged,
                rejected=rejected,
                demo=is_demo,
            ),
            rows=len(changes.new) + len(changes.updated) + changes.unchanged,
        )
    return StoreSummary(
        upload_id, dataset.name, len(changes.new), len(changes.updated), changes.unchanged, rejected
    )
