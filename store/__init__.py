"""The store: the only place with SQL. Uploads, records, undo, settings, the export log, the action plan,
people with their roles, and the audit trail.

SQLite (default, a file under data/) or PostgreSQL; the schema is managed by alembic migrations in
store/migrations and brought to the latest revision by connect().
"""

from store.actions import (
    ActionFields,
    ActionNotFound,
    action_history,
    action_notes,
    actions_version,
    add_action,
    add_note,
    list_actions,
    remove_example_plan,
    seed_example_plan,
    update_action,
)
from store.audit import (
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    AuditError,
    audit_csv_frame,
    audit_users,
    detail_json,
    list_audit,
    purge_audit,
    record_event,
)
from store.engine import StoreBusy, StoreError, connect
from store.exports_log import list_exports, record_export
from store.ingest import OlderExtract, store_sheet
from store.people import PeopleError, PersonRecord, add_person, get_person, list_people, remove_person
from store.settings_store import load_settings, save_settings
from store.snapshot import (
    RecordsVersion,
    WrittenSince,
    read_dataset,
    records_key,
    records_versions,
    snapshot_dir,
    statuses_path,
    versions_key,
    written_since,
)
from store.summary import StoreSummary
from store.undo import UndoError, undo_upload
from store.uploads import (
    UploadInfo,
    data_version,
    holds_demo_data,
    holds_real_uploads,
    holds_records,
    last_uploads,
    list_uploads,
    newest_data,
    rejected_rows,
    uploads_still_current,
)
from store.urls import default_url, missing_sqlite_file, resolve_url

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_COLUMNS",
    "ActionFields",
    "ActionNotFound",
    "AuditError",
    "OlderExtract",
    "PeopleError",
    "PersonRecord",
    "RecordsVersion",
    "StoreBusy",
    "StoreError",
    "StoreSummary",
    "UndoError",
    "UploadInfo",
    "WrittenSince",
    "action_history",
    "action_notes",
    "actions_version",
    "add_action",
    "add_note",
    "add_person",
    "audit_csv_frame",
    "audit_users",
    "connect",
    "data_version",
    "default_url",
    "detail_json",
    "get_person",
    "holds_demo_data",
    "holds_real_uploads",
    "holds_records",
    "last_uploads",
    "list_actions",
    "list_audit",
    "list_exports",
    "list_people",
    "list_uploads",
    "load_settings",
    "missing_sqlite_file",
    "newest_data",
    "purge_audit",
    "read_dataset",
    "record_event",
    "record_export",
    "records_key",
    "records_versions",
    "rejected_rows",
    "remove_example_plan",
    "remove_person",
    "resolve_url",
    "save_settings",
    "seed_example_plan",
    "snapshot_dir",
    "statuses_path",
    "store_sheet",
    "undo_upload",
    "update_action",
    "uploads_still_current",
    "versions_key",
    "written_since",
]
