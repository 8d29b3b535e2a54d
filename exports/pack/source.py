"""The pack's inputs read from the store, for the command line and the benchmark (the page reads the
same through its caches), and the record a generated pack leaves in the export log and audit trail."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy.engine import Engine

import store
from exports.pack.content import PackInputs
from loaders import DATASET_NAMES
from measures import record_statuses, settings_from_document

PACK_WHAT = "Quarterly report pack"


def rejected_in_live_uploads(uploads: list[store.UploadInfo]) -> int:
    """Rows rejected by the uploads still in force (an undone upload's rows no longer count)."""
    return sum(upload.rejected for upload in uploads if upload.undone_at is None)


def inputs_from_store(
    engine: Engine,
    quarter: str,
    as_at: date,
    user: str,
    *,
    statuses: pd.DataFrame | None = None,
    narratives: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> PackInputs:
    """Everything `build_pack` needs. `statuses` may be given (already worked out, with the team column)."""
    settings = settings_from_document(store.load_settings(engine))
    if statuses is None:
        frames = {name: store.read_dataset(engine, name) for name in DATASET_NAMES}
        statuses = record_statuses(frames, settings, as_at, text_columns=("team",))
    return PackInputs(
        quarter=quarter,
        as_at=as_at,
        statuses=statuses,
        settings=settings,
        actions=store.list_actions(engine),
        rejected_rows=rejected_in_live_uploads(store.list_uploads(engine)),
        last_uploads=store.last_uploads(engine),
        data_date=_data_date(engine),
        produced_by=user,
        produced_at=datetime.now(UTC),
        narratives=dict(narratives or {}),
        texts=dict(texts or {}),
    )


def _data_date(engine: Engine) -> str | None:
    """The newest data date of the live uploads and where it came from, as the dashboard states it."""
    newest = store.newest_data(engine)
    if newest is None or newest.data_date is None:
        return None
    return (
        f"{newest.data_date:%d/%m/%Y} (from the {newest.dataset} extract uploaded on "
        f"{newest.uploaded_at:%d/%m/%Y})"
    )


def record_pack(engine: Engine, inputs: PackInputs, file_format: str, content: bytes, cells: int) -> None:
    """Generating a pack is an export: the export log and the audit trail record who, when, which quarter
    (never the figures); `rows` is how many figures disclosure control withheld."""
    store.record_export(
        engine,
        user=inputs.produced_by,
        what=PACK_WHAT,
        filters={"quarter": inputs.quarter, "as_at": inputs.as_at.isoformat()},
        rows=cells,
        file_format=file_format,
        sha256=hashlib.sha256(content).hexdigest(),
    )
