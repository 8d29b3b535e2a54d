"""upload_records: which records each upload contained, so undo never deletes what a later upload holds.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Uploads stored before this revision are backfilled with what the database still knows: the records
each live upload created, last wrote or updated (record_history). Which records an old upload held
unchanged was never recorded, so for those uploads undo protects only what they changed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RECORD_TABLES = ("orders", "reviews", "audits")


def _known_holdings() -> sa.TextClause:
    """(upload_id, record_id) of every live upload that created, last wrote or updated a record.

    A record's created_upload_id and upload_id always name live uploads (undo deletes or rolls back
    the rest); record_history also keeps rows of undone uploads, hence the join.
    """
    selects = [
        f"SELECT {writer}, record_id FROM {table}"
        for table in RECORD_TABLES
        for writer in ("created_upload_id", "upload_id")
    ]
    selects.append(
        "SELECT history.upload_id, history.record_id FROM record_history AS history "
        "JOIN uploads ON uploads.id = history.upload_id WHERE uploads.undone_at IS NULL"
    )
    return sa.text("INSERT INTO upload_records (upload_id, record_id) " + " UNION ".join(selects))


def upgrade() -> None:
    op.create_table(
        "upload_records",
        sa.Column("upload_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.Integer, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    op.execute(_known_holdings())


def downgrade() -> None:
    op.drop_table("upload_records")
