"""The schema comes from the alembic migrations: created on first connect, left alone afterwards,
and identical to the models in store/tables.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import store.engine
import store.migrate
from loaders.schema import DATASETS
from store import UndoError, connect, list_uploads, read_dataset, rejected_rows, store_sheet, undo_upload
from store.engine import open_engine
from store.migrate import HEAD_REVISION, alembic_config, current_revision, upgrade_schema
from store.tables import RECORD_TABLES, metadata, record_history, uploads
from store.tables import rejected_rows as rejected_rows_table
from tests.store.sheets import ORDER_ROWS, make_sheet, sha_of

TABLES = {
    "uploads",
    "orders",
    "reviews",
    "audits",
    "rejected_rows",
    "record_history",
    "upload_records",
    "settings",
    "exports",
}


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

    monkeypatch.setattr(store.migrate, "upgrade_schema", must_not_run)
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


def _insert(connection: sa.Connection, table: sa.Table, **values) -> int:
    return connection.execute(sa.insert(table).values(**values)).inserted_primary_key[0]


def _history(order: dict, **values) -> str:
    """A record_history document as revision 0001 wrote it: the canonical columns + upload_id."""
    document = dict.fromkeys(DATASETS["orders"].column_names) | order | values
    document["order_date"] = document["order_date"].isoformat()
    return json.dumps(document)


def _fill_at_0001(url: str) -> tuple[int, int, int]:
    """A store as revision 0001 left it: January created orders 00412 (North) and 00413 (South),
    February changed 00413 to East, March changed it to West. Returns the three upload ids."""
    engine = open_engine(url)
    upgrade_schema(engine, "0001")
    orders = RECORD_TABLES["orders"]
    upload = {"user": "officer", "sheet": None, "dataset": "orders", "rejected": 0, "is_demo": False}
    upload |= {"uploaded_at": datetime(2021, 2, 1, 9, 30, tzinfo=UTC), "new": 0, "unchanged": 1}
    with engine.begin() as connection:
        ids = [
            _insert(connection, uploads, **upload, file_name=name, sha256=sha_of(name), updated=updated)
            for name, updated in (("jan.csv", 0), ("feb.csv", 1), ("mar.csv", 1))
        ]
        january, february, march = ids
        _insert(connection, rejected_rows_table, upload_id=january, row=4, value="x", reason="not a date")
        order = {"order_date": date(2021, 1, 4), "order_type": "CPO"}
        _insert(
            connection,
            orders,
            **order,
            case_ref="00412",
            team="North",
            upload_id=january,
            created_upload_id=january,
        )
        changed = {**order, "case_ref": "00413"}
        record = _insert(
            connection, orders, **changed, team="West", upload_id=march, created_upload_id=january
        )
        for upload_id, team, writer in ((february, "South", january), (march, "East", february)):
            document = _history(changed, team=team, upload_id=writer)
            _insert(
                connection,
                record_history,
                upload_id=upload_id,
                dataset="orders",
                record_id=record,
                previous=document,
            )
    engine.dispose()
    return january, february, march


def test_a_store_at_revision_0001_upgrades_to_head_keeping_its_rows(store_url):
    january, february, march = _fill_at_0001(store_url)

    engine = connect(store_url)

    assert current_revision(engine) == HEAD_REVISION
    assert [(upload.id, upload.file_name) for upload in list_uploads(engine)] == [
        (march, "mar.csv"),
        (february, "feb.csv"),
        (january, "jan.csv"),
    ]
    assert rejected_rows(engine, january)["reason"].tolist() == ["not a date"]
    stored = read_dataset(engine, "orders")
    assert stored["case_ref"].tolist() == ["00412", "00413"]
    assert stored["team"].tolist() == ["North", "West"]
    assert stored["order_date"].tolist() == [pd.Timestamp("2021-01-04")] * 2
    assert stored["upload_id"].tolist() == [january, march]
    engine.dispose()


def test_after_the_upgrade_undo_still_knows_what_older_uploads_changed(store_url):
    january, february, march = _fill_at_0001(store_url)
    engine = connect(store_url)

    undo_upload(engine, march, user="manager")

    with pytest.raises(UndoError, match=f"undo upload {february} first"):
        undo_upload(engine, january, user="manager")
    undo_upload(engine, february, user="manager")
    assert read_dataset(engine, "orders")["team"].tolist() == ["North", "South"]
    undo_upload(engine, january, user="manager")
    assert read_dataset(engine, "orders").empty
    engine.dispose()


def test_after_the_upgrade_a_new_upload_repeating_old_records_blocks_their_undo(store_url):
    january, february, march = _fill_at_0001(store_url)
    engine = connect(store_url)
    repeat = [{"case_ref": "00412", "order_date": "2021-01-04", "order_type": "CPO", "team": "North"}]
    april = store_sheet(engine, make_sheet("orders", repeat), file_name="a", sha256=sha_of("a"), user="u")
    assert (april.new, april.updated, april.unchanged) == (0, 0, 1)

    with pytest.raises(UndoError, match=f"undo upload {april.upload_id} first"):
        undo_upload(engine, january, user="manager")
    for upload_id in (march, february):  # they changed 00413 only; April repeated 00412
        undo_upload(engine, upload_id, user="manager")
    with pytest.raises(UndoError, match=f"undo upload {april.upload_id} first"):
        undo_upload(engine, january, user="manager")
    undo_upload(engine, april.upload_id, user="manager")
    undo_upload(engine, january, user="manager")
    assert read_dataset(engine, "orders").empty
    engine.dispose()
