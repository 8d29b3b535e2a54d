"""The schema comes from the alembic migrations: created on first connect, left alone afterwards,
and identical to the models in store/tables.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import store.engine
import store.migrate
from store import connect, read_dataset, store_sheet
from store.migrate import HEAD_REVISION, alembic_config, current_revision
from store.tables import metadata
from tests.store.sheets import ORDER_ROWS, make_sheet, sha_of

TABLES = {"uploads", "orders", "reviews", "audits", "rejected_rows", "record_history", "settings", "exports"}


def test_connect_creates_every_table_on_an_empty_database(engine):
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


def test_the_database_is_at_alembics_head_revision(engine):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    assert head == HEAD_REVISION  # connect()'s cheap check compares against this constant


# SQLite cannot reflect the expression index on orders' natural key; PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_connecting_again_keeps_rows_and_runs_no_migration(store_url, engine, monkeypatch):
    store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="a", sha256=sha_of("a"), user="u")
    store.engine._engines.pop(store_url)  # as a new process would find it

    def must_not_run(_engine):
        raise AssertionError("an up-to-date database was migrated again")

    monkeypatch.setattr(store.migrate, "upgrade_to_head", must_not_run)
    again = connect(store_url)

    assert again is not engine
    assert current_revision(again) == HEAD_REVISION
    assert len(read_dataset(again, "orders")) == len(ORDER_ROWS)
    again.dispose()


def test_sqlite_connections_are_durable_and_check_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
