"""Initial schema: uploads, records (orders, reviews, audits), rejected rows, history, settings, exports.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written out in full (not generated from store.tables at run time) so that this revision keeps
meaning the same schema whatever the models become; tests/store check the two agree at head.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("upload_id", sa.Integer, nullable=False),
        sa.Column("created_upload_id", sa.Integer, nullable=False),
    ]


def _natural_key_index(table: str, key: list) -> None:
    op.create_index(f"uq_{table}_natural_key", table, key, unique=True)


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uploaded_at", MOMENT, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(16), nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("undone_at", MOMENT),
        sa.Column("undone_by", sa.Text),
    )
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])

    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("sheet", sa.Text),
        sa.Column("row", sa.Integer),
        sa.Column("column", sa.Text),
        sa.Column("value", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_rejected_rows_upload_id", "rejected_rows", ["upload_id"])

    op.create_table(
        "record_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("dataset", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("previous", sa.Text, nullable=False),
    )
    op.create_index("ix_record_history_upload_id", "record_history", ["upload_id"])

    op.create_table(
        "settings",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
    )

    op.create_table(
        "exports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exported_at", MOMENT, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )

    op.create_table(
        "orders",
        sa.Column("record_id", sa.Integer, primary_key=True),
        sa.Column("case_ref", sa.Text, nullable=False),
        sa.Column("order_date", sa.Date, nullable=False),
        sa.Column("order_type", sa.Text),
        sa.Column("requirements", sa.Text),
        sa.Column("team", sa.Text),
        sa.Column("worker", sa.Text),
        sa.Column("first_contact", sa.Date),
        sa.Column("induction", sa.Date),
        sa.Column("upw_start", sa.Date),
        sa.Column("lscmi_completed", sa.Date),
        sa.Column("lscmi_version", sa.Text),
        sa.Column("risk_level", sa.Text),
        sa.Column("cmp_completed", sa.Date),
        sa.Column("exclusion_reason", sa.Text),
        *_record_columns(),
    )
    _natural_key_index("orders", ["case_ref", "order_date", sa.text("coalesce(order_type, '')")])

    op.create_table(
        "reviews",
        sa.Column("record_id", sa.Integer, primary_key=True),
        sa.Column("case_ref", sa.Text, nullable=False),
        sa.Column("review_due", sa.Date, nullable=False),
        sa.Column("order_date", sa.Date),
        sa.Column("review_number", sa.Integer),
        sa.Column("order_type", sa.Text),
        sa.Column("team", sa.Text),
        sa.Column("worker", sa.Text),
        sa.Column("review_held", sa.Date),
        sa.Column("participated", sa.Boolean),
        sa.Column("needs_tool", sa.Boolean),
        sa.Column("recorded", sa.Date),
        sa.Column("exclusion_reason", sa.Text),
        *_record_columns(),
    )
    _natural_key_index("reviews", ["case_ref", "review_due"])

    op.create_table(
        "audits",
        sa.Column("record_id", sa.Integer, primary_key=True),
        sa.Column("case_ref", sa.Text, nullable=False),
        sa.Column("audit_date", sa.Date, nullable=False),
        sa.Column("grade", sa.SmallInteger, nullable=False),
        sa.Column("auditor", sa.Text),
        sa.Column("team", sa.Text),
        sa.Column("worker", sa.Text),
        *_record_columns(),
        sa.CheckConstraint("grade BETWEEN 1 AND 6", name="ck_audits_grade"),
    )
    _natural_key_index("audits", ["case_ref", "audit_date"])


def downgrade() -> None:
    for table in ("audits", "reviews", "orders", "exports", "settings", "record_history", "rejected_rows"):
        op.drop_table(table)
    op.drop_table("uploads")
