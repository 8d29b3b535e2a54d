"""The data date of each upload: the date its extract was taken (issue 8, SPEC 4).

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05

Adds the nullable `uploads.data_date`. Uploads stored before this revision are given the latest date of
something that had happened (never a due date) among the records they held, capped at the day of the
upload: what a new upload without a "report run on" title row gets. Their title rows were not kept, so
that is the best the store can say; an upload with no such dates stays NULL and moves no default.
"""

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out here, not imported, so this revision keeps meaning the same thing whatever loaders become.
HAPPENED_COLUMNS = {
    "orders": ("order_date", "first_contact", "induction", "upw_start", "lscmi_completed", "cmp_completed"),
    "reviews": ("review_held", "recorded"),
    "audits": ("audit_date",),
}


def _latest_per_upload(connection: sa.Connection) -> dict[int, date]:
    """Upload id -> the latest happened date among the records it held (listed, created or last written)."""
    uploads = sa.table("uploads", sa.column("id", sa.Integer), sa.column("dataset", sa.String))
    holdings = sa.table("upload_records", sa.column("upload_id", sa.Integer), sa.column("record_id", sa.Integer))
    latest: dict[int, date] = {}
    for dataset, columns in HAPPENED_COLUMNS.items():
        records = sa.table(
            dataset,
            sa.column("record_id", sa.Integer),
            sa.column("upload_id", sa.Integer),
            sa.column("created_upload_id", sa.Integer),
            *(sa.column(name, sa.Date) for name in columns),
        )
        found: dict[int, list[date]] = defaultdict(list)
        for column in columns:
            value = sa.func.max(records.c[column])
            held = (
                sa.select(holdings.c.upload_id, value)
                .select_from(
                    holdings.join(records, records.c.record_id == holdings.c.record_id).join(
                        uploads, uploads.c.id == holdings.c.upload_id
                    )
                )
                .where(uploads.c.dataset == dataset)
                .group_by(holdings.c.upload_id)
            )
            for writer in (records.c.upload_id, records.c.created_upload_id):
                wrote = sa.select(writer, value).group_by(writer)
                for upload_id, day in connection.execute(wrote):
                    if day is not None:
                        found[upload_id].append(day)
            for upload_id, day in connection.execute(held):
                if day is not None:
                    found[upload_id].append(day)
        for upload_id, days in found.items():
            latest[upload_id] = max(days)
    return latest


def upgrade() -> None:
    op.add_column("uploads", sa.Column("data_date", sa.Date))
    connection = op.get_bind()
    uploads = sa.table(
        "uploads",
        sa.column("id", sa.Integer),
        sa.column("uploaded_at", sa.DateTime),
        sa.column("data_date", sa.Date),
    )
    uploaded = dict(connection.execute(sa.select(uploads.c.id, uploads.c.uploaded_at)).all())
    for upload_id, day in _latest_per_upload(connection).items():
        when = uploaded.get(upload_id)
        if isinstance(when, datetime):
            day = min(day, when.date())
        connection.execute(sa.update(uploads).where(uploads.c.id == upload_id).values(data_date=day))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("data_date")
