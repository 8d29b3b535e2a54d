"""A columnar snapshot of each dataset per records version, so a read costs a file map, not a row fetch.

Fetching a million records row by row through the driver is most of the cost of a cold dashboard and
of `cli.py report` (about 5 s of 7). Records change only through uploads and undos (store/ingest.py,
store/undo.py), and upload ids only grow, so a dataset's state is named by its *records version*:
the newest upload id and which of the dataset's uploads have been undone (with marks of those
rows, so a restored or remade database never meets a snapshot of another history). The snapshot of that
state is an uncompressed Arrow IPC file, memory-mapped on read.

After an upload the newest snapshot with the same undo count is still right for every record the
upload did not write, and the records an upload writes carry its id (`upload_id`), so only the
records with a newer upload id are fetched and put in place of their old rows (the delta: 1,000
changed orders are one indexed range, not 1.2 million rows). An undo deletes and rewrites records, so
it starts from a full read.

Where: `$JSW_SNAPSHOT_DIR`, else a folder beside the SQLite file, else data/snapshots/<digest of the
PostgreSQL URL> (a server's local disk: every app server on one PostgreSQL keeps its own copy and,
because the version is read from the database on each read, sees the others' uploads on its next
read). Files are written under a temporary name and renamed into place, so a reader (another
process) sees a whole file or none; they are readable by their owner only, like the SQLite file. A
snapshot that cannot be written (read-only disk) or read (damaged) costs only speed: the database is
read instead. The newest two files per dataset are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.schema import DATASETS, Kind
from store.records import read_records, unknown_dataset
from store.tables import RECORD_TABLES, upload_records, uploads
from store.urls import PROJECT_ROOT

SNAPSHOT_DIR_VARIABLE = "JSW_SNAPSHOT_DIR"
DEFAULT_SNAPSHOT_ROOT = PROJECT_ROOT / "data" / "snapshots"
FORMAT = 1  # bump when the file layout changes: older files are then never matched
KEEP_FILES = 2  # per dataset: the newest, and the one before it for a reader still on it
_NAME = re.compile(
    r"^(?P<dataset>[a-z]+)-f(?P<format>\d+)-c(?P<columns>[0-9a-f]{8})"
    r"-u(?P<upload>\d+)-(?P<upload_mark>[0-9a-f]{8})-x(?P<undone>[0-9a-f]{8})\.arrow$"
)


class RecordsVersion(NamedTuple):
    """A dataset's state: the newest upload (id and a mark of its row), and a mark of the dataset's
    undone uploads.

    The marks tie a snapshot to this database's history: a database restored from a backup, or
    dropped and made again under the same name, reaches the same ids with other uploads, and its
    marks differ, so no snapshot of the other history is ever read.
    """

    newest_upload: int
    upload_mark: str
    undone_mark: str


def _mark(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8]


def upload_mark(connection: Connection, upload_id: int) -> str:
    """A mark of one upload row (id, time, file digest, dataset); the same mark for no upload at all."""
    row = connection.execute(
        sa.select(uploads.c.uploaded_at, uploads.c.sha256, uploads.c.dataset).where(uploads.c.id == upload_id)
    ).one_or_none()
    return _mark(upload_id, *(row or ("none",)))


def records_version(connection: Connection, dataset: str) -> RecordsVersion:
    """The dataset's records version as the database holds it now."""
    newest = int(connection.execute(sa.select(sa.func.coalesce(sa.func.max(uploads.c.id), 0))).scalar_one())
    undone = connection.execute(
        sa.select(uploads.c.id, uploads.c.undone_at)
        .where(uploads.c.dataset == dataset, uploads.c.undone_at.is_not(None))
        .order_by(uploads.c.id)
    ).all()
    return RecordsVersion(newest, upload_mark(connection, newest), _mark(*(tuple(row) for row in undone)))


def snapshot_dir(url: sa.URL) -> Path | None:
    """Where this store's snapshots live; None for an in-memory SQLite database (nothing to keep)."""
    chosen = os.environ.get(SNAPSHOT_DIR_VARIABLE)
    identity = url.render_as_string(hide_password=True)
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    if chosen:
        return Path(chosen) / key
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return Path(f"{url.database}.snapshots")
    return DEFAULT_SNAPSHOT_ROOT / key


def _columns_tag(dataset: str) -> str:
    """A digest of the dataset's columns and kinds: a schema change never reads an old file."""
    schema = DATASETS[dataset]
    described = ",".join(f"{column.name}:{column.kind.name}" for column in schema.columns)
    return hashlib.sha256(described.encode()).hexdigest()[:8]


def _file_name(dataset: str, version: RecordsVersion) -> str:
    return (
        f"{dataset}-f{FORMAT}-c{_columns_tag(dataset)}"
        f"-u{version.newest_upload}-{version.upload_mark}-x{version.undone_mark}.arrow"
    )


def _snapshots(folder: Path, dataset: str) -> list[tuple[RecordsVersion, Path]]:
    """This dataset's readable snapshots in the folder (current format and columns), oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if (
            match
            and match["dataset"] == dataset
            and int(match["format"]) == FORMAT
            and match["columns"] == _columns_tag(dataset)
        ):
            version = RecordsVersion(int(match["upload"]), match["upload_mark"], match["undone"])
            found.append((version, path))
    return sorted(found)


def _base_snapshot(
    connection: Connection, folder: Path, dataset: str, version: RecordsVersion
) -> tuple[RecordsVersion, Path] | None:
    """The newest snapshot the version can be reached from by a delta: no undo since, not newer, and
    of this database's history (its newest upload is the row this database holds under that id)."""
    usable = [
        (found, path)
        for found, path in _snapshots(folder, dataset)
        if found.undone_mark == version.undone_mark and found.newest_upload <= version.newest_upload
    ]
    if not usable:
        return None
    found, path = usable[-1]
    return (found, path) if upload_mark(connection, found.newest_upload) == found.upload_mark else None


# --- Arrow <-> canonical frame ------------------------------------------------------------------------


def to_arrow(frame: pd.DataFrame, dataset: str) -> pa.Table:
    """A canonical frame (+ record_id, upload_id) as an Arrow table; text dictionary-encoded (few
    distinct names on many rows), blanks as nulls."""
    schema = DATASETS[dataset]
    arrays: dict[str, pa.Array] = {}
    for column in schema.columns:
        values = frame[column.name]
        if column.kind is Kind.TEXT:
            arrays[column.name] = pa.array(
                values.to_numpy(dtype=object), type=pa.string(), from_pandas=True
            ).dictionary_encode()
        elif column.kind is Kind.DATE:
            arrays[column.name] = pa.array(
                values.to_numpy(dtype="datetime64[ns]"), type=pa.timestamp("ns"), from_pandas=True
            )
        elif column.kind is Kind.YESNO:
            arrays[column.name] = pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
        else:
            arrays[column.name] = pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
    for name in ("record_id", "upload_id"):
        arrays[name] = pa.array(frame[name].to_numpy(dtype="int64"), type=pa.int64())
    return pa.table(arrays)


def _nulls(column: pa.ChunkedArray) -> np.ndarray:
    return column.is_null().to_numpy(zero_copy_only=False)


def from_arrow(table: pa.Table, dataset: str, only: Collection[str] | None = None) -> pd.DataFrame:
    """The frame `read_records` would give: canonical dtypes (text as object holding str / None); of
    the `only` columns (in schema order, record_id and upload_id always) when given."""
    schema = DATASETS[dataset]
    columns: dict[str, object] = {}
    for column in schema.columns:
        if only is not None and column.name not in only:
            continue
        values = table.column(column.name)
        if column.kind is Kind.TEXT:  # stated: pandas 3 would otherwise infer its own string dtype
            columns[column.name] = pd.Series(_text(values), dtype="object")
        elif column.kind is Kind.DATE:
            days = values.cast(pa.int64()).fill_null(np.iinfo("int64").min).to_numpy()
            columns[column.name] = days.view("datetime64[ns]").copy()  # int64 min is NaT; writable
        elif column.kind is Kind.YESNO:
            flags = values.fill_null(False).to_numpy(zero_copy_only=False)
            columns[column.name] = pd.arrays.BooleanArray(flags, _nulls(values))
        else:
            numbers = values.fill_null(0).to_numpy(zero_copy_only=False).astype("int64")
            columns[column.name] = pd.arrays.IntegerArray(numbers, _nulls(values))
    for name in ("record_id", "upload_id"):
        columns[name] = table.column(name).to_numpy().astype("int64")
    return pd.DataFrame(columns, copy=False)  # a block per column: no consolidating copy


def _text(values: pa.ChunkedArray) -> np.ndarray:
    """Dictionary-encoded text -> object array of str / None, one str object per distinct value."""
    if values.num_chunks == 0 or len(values) == 0:
        return np.empty(0, dtype=object)
    combined = values.combine_chunks() if values.num_chunks > 1 else values.chunk(0)
    if not isinstance(combined, pa.DictionaryArray):
        combined = combined.dictionary_encode()
    names = np.append(combined.dictionary.to_numpy(zero_copy_only=False).astype(object), None)
    codes = combined.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return names[codes]  # code -1 picks the trailing None


# --- files ------------------------------------------------------------------------------------------


def _load(path: Path, dataset: str, only: Collection[str] | None = None) -> pd.DataFrame | None:
    """The snapshot's frame, or None when the file has gone or cannot be read."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
        return from_arrow(table, dataset, only)
    except (OSError, pa.ArrowException, KeyError):
        return None


def _save(folder: Path, dataset: str, version: RecordsVersion, frame: pd.DataFrame) -> None:
    """Write the snapshot (whole file or none) and drop the older ones; a failure only costs speed."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        table = to_arrow(frame, dataset)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{dataset}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            os.replace(temporary, folder / _file_name(dataset, version))
        finally:
            Path(temporary).unlink(missing_ok=True)
        for _, old in _snapshots(folder, dataset)[:-KEEP_FILES]:
            old.unlink(missing_ok=True)
    except (OSError, pa.ArrowException):
        return


# --- reading ----------------------------------------------------------------------------------------


def _records_since(connection: Connection, dataset: str, newest_upload: int) -> pd.DataFrame:
    """The records written by uploads after `newest_upload` (new or changed since the snapshot).

    Found through the uploads' holdings (`upload_records`, keyed by upload id first), so a small upload
    reads a small range of keys: the record tables have no index on upload_id, and scanning a million
    reviews for an upload of orders took a fifth of a second.
    """
    table = RECORD_TABLES[dataset]
    held = (
        sa.select(upload_records.c.record_id)
        .join(uploads, uploads.c.id == upload_records.c.upload_id)
        .where(upload_records.c.upload_id > newest_upload, uploads.c.dataset == dataset)
    )
    written = (table.c.upload_id > newest_upload) & table.c.record_id.in_(held)
    return read_records(connection, dataset, where=written)


def _with_delta(base: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """The base frame with the delta's records put in place (same record_id) or added; record_id order."""
    if delta.empty:
        return base
    kept = base[~np.isin(base["record_id"].to_numpy(), delta["record_id"].to_numpy())]
    merged = pd.concat([kept, delta], ignore_index=True)
    order = np.argsort(merged["record_id"].to_numpy(), kind="stable")
    return merged.take(order).reset_index(drop=True)


def read_dataset(engine: Engine, dataset: str, columns: Collection[str] | None = None) -> pd.DataFrame:
    """Every record of `dataset` in canonical dtypes, plus record_id and upload_id (int), oldest first;
    only the canonical `columns` named, when given (a report that counts needs no names).

    The same frame as a full read (`read_records`), from the snapshot of the dataset's current records
    version: made from the newest earlier snapshot plus the records written since, or from a full read
    when there is none (the first read, or after an undo).
    """
    if dataset not in DATASETS:
        raise unknown_dataset(dataset)
    folder = snapshot_dir(engine.url)
    with engine.connect() as connection:
        if folder is None:
            frame = read_records(connection, dataset)
            return frame if columns is None else _only(frame, columns)
        # The version is read before the records: a write landing in between is then fetched again
        # by the next delta (its records carry a newer upload id), never lost.
        version = records_version(connection, dataset)
        current = folder / _file_name(dataset, version)
        if current.exists():
            frame = _load(current, dataset, columns)
            if frame is not None:
                return frame
        base = _base_snapshot(connection, folder, dataset, version)
        frame = None
        if base is not None:
            delta = _records_since(connection, dataset, base[0].newest_upload)
            if delta.empty and _same_file(base[1], current):
                # No record changed since (another dataset's upload): the base is this version's
                # snapshot too, so only the columns asked for are decoded.
                frame = _load(current, dataset, columns)
                if frame is not None:
                    return frame
            frame = _load(base[1], dataset)
            if frame is not None:
                frame = _with_delta(frame, delta)
        if frame is None:
            frame = read_records(connection, dataset)
    _save(folder, dataset, version, frame)
    return frame if columns is None else _only(frame, columns)


def _same_file(base: Path, current: Path) -> bool:
    """Put the base snapshot under the current version's name when no record changed since (another
    dataset's upload): a link, else a byte copy, instead of encoding a million records again."""
    temporary = current.with_name(f".{current.name}.{os.getpid()}.tmp")
    try:
        try:
            os.link(base, temporary)
        except OSError:
            shutil.copyfile(base, temporary)
        os.replace(temporary, current)
    except OSError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    for _, old in _snapshots(current.parent, current.name.split("-", 1)[0])[:-KEEP_FILES]:
        old.unlink(missing_ok=True)
    return True


def _only(frame: pd.DataFrame, columns: Collection[str]) -> pd.DataFrame:
    return frame[[name for name in frame.columns if name in columns or name in ("record_id", "upload_id")]]


def records_versions(engine: Engine) -> dict[str, RecordsVersion]:
    """Every dataset's records version, read together: what a frame computed from all the records was
    computed from, so that it can later be brought up to date (`written_since`)."""
    with engine.connect() as connection:
        return {name: records_version(connection, name) for name in DATASETS}


def versions_key(versions: dict[str, RecordsVersion]) -> str:
    """One text naming these records versions (with the marks of this database's history)."""
    return ";".join(_file_name(name, versions[name]) for name in DATASETS)


def statuses_path(url: sa.URL, versions: dict[str, RecordsVersion], key: str) -> Path | None:
    """Where statuses worked out from these records versions are saved beside the store (None: nowhere, an
    in-memory database); `key` names the rest they were worked out with (measures.saved.statuses_key)."""
    folder = snapshot_dir(url)
    if folder is None:
        return None
    digest = hashlib.sha256(json.dumps([versions_key(versions), key]).encode()).hexdigest()[:24]
    return folder / f"statuses-{digest}.arrow"


def records_key(engine: Engine) -> str:
    """One text naming every dataset's records version (with the marks of this database's history):
    a key for anything computed from all the records, such as the dashboard's saved statuses."""
    return versions_key(records_versions(engine))


class WrittenSince(NamedTuple):
    """What changed in a dataset between two records versions reached by uploads alone.

    `written` holds the records uploads wrote since the earlier version (new or changed), as they are
    now (read_records' frame, record_id order). `base_ids` and `base_spellings` describe the earlier
    version's records from its snapshot without turning them into a frame: the record ids in order and,
    per text column asked for, a code per record (-1 blank) into its distinct spellings. Together they
    say how many records use each spelling now and where each first appears, without reading them all.
    """

    written: pd.DataFrame
    base_ids: np.ndarray
    base_spellings: dict[str, tuple[np.ndarray, np.ndarray]]


def written_since(
    engine: Engine, dataset: str, base: RecordsVersion, target: RecordsVersion, text_columns: Collection[str]
) -> WrittenSince | None:
    """The records uploads wrote between the `base` version and the `target` one, with the base's text
    columns; None when the target is not the dataset's version now, is not reached from the base by
    uploads alone (an undo in between, another history) or the base's snapshot is not on disk.

    The records are one indexed range by upload id, so a small upload reads little whatever the size of
    the dataset; the base's text is read from its memory-mapped snapshot as dictionary codes.
    """
    if dataset not in DATASETS:
        raise unknown_dataset(dataset)
    folder = snapshot_dir(engine.url)
    if folder is None or base.undone_mark != target.undone_mark or base.newest_upload > target.newest_upload:
        return None
    spelled = [name for name in DATASETS[dataset].column_names if name in text_columns]
    with engine.connect() as connection:
        if records_version(connection, dataset) != target:
            return None  # a later write: the caller works out that version instead
        if upload_mark(connection, base.newest_upload) != base.upload_mark:
            return None
        base_text = _base_text(folder / _file_name(dataset, base), spelled)
        if base_text is None:
            return None
        written = _records_since(connection, dataset, base.newest_upload)
    return WrittenSince(written, *base_text)


def _base_text(
    path: Path, columns: list[str]
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]] | None:
    """A snapshot's record ids and its text columns as (codes, spellings); None when it cannot be read."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
        record_ids = table.column("record_id").to_numpy().astype("int64")
        spellings = {}
        for name in columns:
            values = table.column(name)
            if values.num_chunks == 1 and isinstance(values.chunk(0), pa.DictionaryArray):
                encoded = values.chunk(0)
                codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
                names = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
            else:
                codes, names = pd.factorize(_text(values))
            spellings[name] = (codes, np.asarray(names, dtype=object))
        return record_ids, spellings
    except (OSError, pa.ArrowException, KeyError):
        return None
