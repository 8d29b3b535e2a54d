"""The store's tables as SQLAlchemy Core metadata: the model the alembic migrations must produce.

Record tables (orders, reviews, audits) are built from loaders.schema so their columns always carry
the canonical names. Each record has a surrogate `record_id`, the `upload_id` of the upload that last
wrote it and the `created_upload_id` of the upload that first stored it (undo needs both).

Natural keys: a NULL in an optional key column (orders.order_type) must still identify one record, so
the UNIQUE index is on `coalesce(column, '')` for optional key columns. The ingest code merges in
pandas on the same rule (NULL text -> '').
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from loaders.schema import DATASETS, Dataset, Kind

metadata = sa.MetaData()


class UtcDateTime(TypeDecorator):
    """A moment in UTC. SQLite keeps no zone, so values are stored as UTC and read back as aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTime needs an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


_SQL_TYPES: dict[Kind, type[sa.types.TypeEngine]] = {
    Kind.TEXT: sa.Text,
    Kind.DATE: sa.Date,
    Kind.INTEGER: sa.Integer,
    Kind.YESNO: sa.Boolean,
    Kind.GRADE: sa.SmallInteger,
}

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uploaded_at", UtcDateTime, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("dataset", sa.String(16), nullable=False),
    sa.Column("new", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False),
    sa.Column("undone_at", UtcDateTime),
    sa.Column("undone_by", sa.Text),
    # The date the extract was taken (revision 0005): its "report run on" title row, else its latest
    # date of something that happened, never after the upload day; NULL when the sheet had no dates.
    sa.Column("data_date", sa.Date),
)

rejected_rows = sa.Table(
    "rejected_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False, index=True),
    sa.Column("sheet", sa.Text),
    sa.Column("row", sa.Integer),
    sa.Column("column", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    # The rejected row's team as the file gave it (revision 0004), so a team leader is shown only their
    # own teams' rejected rows; NULL when the file had no team for it, or the row was stored before 0004.
    sa.Column("team", sa.Text),
)

# Previous values of every record an upload updated, so undo can put them back.
record_history = sa.Table(
    "record_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False, index=True),
    sa.Column("dataset", sa.String(16), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("previous", sa.Text, nullable=False),  # JSON object: canonical columns + upload_id
)

# Every record each upload contained (created, updated or unchanged), so undo can tell whether a later
# upload still holds a record it would delete or roll back. No foreign keys: written in bulk by
# store/ alone (a million rows per big upload), and an undone upload's rows are deleted with it. The
# primary key leads with upload_id, so one upload's rows are one range of the index.
upload_records = sa.Table(
    "upload_records",
    metadata,
    sa.Column("upload_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("record_id", sa.Integer, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,  # the key is the row: half the size and write time of a rowid table
)

# Append-only: each save adds a version; the newest is in force and older ones are the audit trail.
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

exports = sa.Table(
    "exports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("exported_at", UtcDateTime, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("filters", sa.JSON, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)


def natural_key_parts(dataset: Dataset, table: sa.Table) -> list[sa.ColumnElement]:
    """Key columns for the UNIQUE index; optional ones wrapped in coalesce(column, '')."""
    parts: list[sa.ColumnElement] = []
    for name in dataset.natural_key:
        column = table.c[name]
        parts.append(column if dataset.column(name).required else sa.func.coalesce(column, ""))
    return parts


def _record_table(dataset: Dataset) -> sa.Table:
    table = sa.Table(
        dataset.name,
        metadata,
        sa.Column("record_id", sa.Integer, primary_key=True),
        *(
            sa.Column(column.name, _SQL_TYPES[column.kind], nullable=not column.required)
            for column in dataset.columns
        ),
        # Neither indexed nor foreign keys: each costs a lookup per row of a million-row insert (on
        # PostgreSQL the two foreign keys doubled COPY time), only a rare undo filters on them, and
        # store/ is the only writer and never deletes an upload row.
        sa.Column("upload_id", sa.Integer, nullable=False),
        sa.Column("created_upload_id", sa.Integer, nullable=False),
    )
    sa.Index(f"uq_{dataset.name}_natural_key", *natural_key_parts(dataset, table), unique=True)
    for column in dataset.columns:
        if column.kind is Kind.GRADE:
            table.append_constraint(
                sa.CheckConstraint(f"{column.name} BETWEEN 1 AND 6", name=f"ck_{dataset.name}_{column.name}")
            )
    return table


RECORD_TABLES: dict[str, sa.Table] = {name: _record_table(dataset) for name, dataset in DATASETS.items()}


# --- the improvement action plan ------------------------------------------------------------------------
# Statuses are also checked by the database, the last line behind measures.actions.validate_action.
ACTION_STATUS_VALUES = ("not started", "on track", "at risk", "complete")

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("improvement_area", sa.Text, nullable=False),
    sa.Column("measures", sa.Text, nullable=False),  # comma-separated measure ids; '' when none
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("completed_on", sa.Date),
    sa.Column("is_example", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.CheckConstraint(
        "status IN ({})".format(", ".join(f"'{status}'" for status in ACTION_STATUS_VALUES)),
        name="ck_actions_status",
    ),
    sa.CheckConstraint("due_date >= start_date", name="ck_actions_dates"),
)

action_notes = sa.Table(
    "action_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action_id", sa.Integer, sa.ForeignKey("actions.id"), nullable=False, index=True),
    sa.Column("noted_on", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
)

# Append-only, and without a foreign key: the history of a removed (example) action stays on record.
action_history = sa.Table(
    "action_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action_id", sa.Integer, nullable=False, index=True),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.Column("changed_by", sa.Text, nullable=False),
    sa.Column("change", sa.Text, nullable=False),
)


# --- people and the audit trail (revision 0004) ----------------------------------------------------------
# Roles are also checked by the database, the last line behind measures.access.checked_person.
ROLE_VALUES = ("admin", "officer", "manager", "team_leader", "viewer")

people = sa.Table(
    "people",
    metadata,
    sa.Column("email", sa.Text, primary_key=True),  # lower-cased sign-in identity
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column(
        "teams", sa.Text, nullable=False
    ),  # JSON list of team names; '[]' for every role but team_leader
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.CheckConstraint(
        "role IN ({})".format(", ".join(f"'{role}'" for role in ROLE_VALUES)), name="ck_people_role"
    ),
)

# Append-only: no code path updates or deletes a row except the recorded purge past the retention period.
# On PostgreSQL a trigger refuses UPDATE and DELETE unless the transaction has set jsw.audit_purge; on
# SQLite triggers refuse them unless the purging transaction holds a row in audit_purge_guard.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer),
)

# Empty except inside a purge's own transaction (SQLite's stand-in for PostgreSQL's SET LOCAL).
audit_purge_guard = sa.Table(
    "audit_purge_guard",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
)
