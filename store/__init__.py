"""The store: the only place with SQL. Uploads, records, undo, settings and the export log.

SQLite (default, a file under data/) or PostgreSQL; the schema is managed by alembic migrations in
store/migrations and brought to the latest revision by connect().
"""

from store.engine import StoreBusy, StoreError, connect
from store.exports_log import list_exports, record_export
from store.ingest import store_sheet
from store.records import read_dataset
from store.settings_store import load_settings, save_settings
from store.summary import StoreSummary
from store.undo import UndoError, undo_upload
from store.uploads import (
    UploadInfo,
    data_version,
    holds_demo_data,
    holds_real_uploads,
    last_uploads,
    list_uploads,
    rejected_rows,
    uploads_still_current,
)
from store.urls import default_url, resolve_url

__all__ = [
    "StoreBusy",
    "StoreError",
    "StoreSummary",
    "UndoError",
    "UploadInfo",
    "connect",
    "data_version",
    "default_url",
    "holds_demo_data",
    "holds_real_uploads",
    "last_uploads",
    "list_exports",
    "list_uploads",
    "load_settings",
    "read_dataset",
    "record_export",
    "rejected_rows",
    "resolve_url",
    "save_settings",
    "store_sheet",
    "undo_upload",
    "uploads_still_current",
]
