"""The improvement action plan: actions, their dated progress notes and an append-only change history.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03

Written out in full, like 0001, so that this revision keeps meaning the same schema whatever the models
become. A store at 0002 gains three empty tables; nothing already stored is touched.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
STATUSES = ("not started", "on track", "at risk", "complete")


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("improvement_area", sa.Text, nullable=False),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("completed_on", sa.Date),
        sa.Column("is_example", sa.Boolean, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.CheckConstraint(
            "status IN ({})".format(", ".join(f"'{status}'" for status in STATUSES)), name="ck_actions_status"
        ),
        sa.CheckConstraint("due_date >= start_date", name="ck_actions_dates"),
    )

    op.create_table(
        "action_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.Integer, sa.ForeignKey("actions.id"), nullable=False),
        sa.Column("noted_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("added_at", MOMENT, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
    )
    op.create_index("ix_action_notes_action_id", "action_notes", ["action_id"])

    op.create_table(
        "action_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.Integer, nullable=False),
        sa.Column("changed_at", MOMENT, nullable=False),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
    )
    op.create_index("ix_action_history_action_id", "action_history", ["action_id"])


def downgrade() -> None:
    for table in ("action_history", "action_notes", "actions"):
        op.drop_table(table)
