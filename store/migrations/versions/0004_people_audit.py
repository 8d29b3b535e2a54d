"""People and their roles, the append-only audit trail, and the team of each rejected row.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04

Written out in full, like 0001, so that this revision keeps meaning the same schema whatever the models
become. A store at 0003 gains `people` (empty: the first admin is added with `cli.py users add`),
`audit_log` (empty), `audit_purge_guard` and a nullable `rejected_rows.team`; nothing stored is changed.
Rejected rows stored before this revision have no team, so team leaders are not shown them.

The audit trail is append-only in the database as well as in code:
- PostgreSQL: a trigger refuses UPDATE always, and DELETE or TRUNCATE unless the transaction has run
  `SET LOCAL jsw.audit_purge = 'on'` (only store.audit.purge_audit does, and records itself);
- SQLite: triggers refuse UPDATE always, and DELETE unless audit_purge_guard holds a row, which the
  purge inserts and removes inside its own transaction.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
ROLES = ("admin", "officer", "manager", "team_leader", "viewer")

POSTGRES_GUARD = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' AND current_setting('jsw.audit_purge', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN NOT EXISTS (SELECT 1 FROM audit_purge_guard) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("teams", sa.Text, nullable=False),
        sa.Column("added_at", MOMENT, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.CheckConstraint("role IN ({})".format(", ".join(f"'{role}'" for role in ROLES)), name="ck_people_role"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table("audit_purge_guard", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    op.add_column("rejected_rows", sa.Column("team", sa.Text))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_GUARD)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("rejected_rows") as batch:
        batch.drop_column("team")
    for table in ("audit_purge_guard", "audit_log", "people"):
        op.drop_table(table)
