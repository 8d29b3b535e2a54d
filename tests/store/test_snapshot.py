"""Dataset snapshots (store/snapshot.py): every read gives exactly what the database holds, however the
snapshot was reached (a full read, a delta after uploads, a fresh start after an undo), and a snapshot
of another database's history, a damaged file or an unwritable folder never changes a figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from store import connect, read_dataset, store_sheet, undo_upload
from store.records import read_records
from store.snapshot import snapshot_dir
from tests.store.sheets import ORDER_ROWS, REVIEW_ROWS, make_sheet, sha_of


def _store(engine, rows, label):
    return store_sheet(
        engine, make_sheet("orders", rows), file_name=f"{label}.csv", sha256=sha_of(label), user="officer"
    )


def _database(engine) -> pd.DataFrame:
    with engine.connect() as connection:
        return read_records(connection, "orders")


def _snapshot_files(engine) -> list[Path]:
    return sorted(snapshot_dir(engine.url).glob("orders-*.arrow"))


def test_a_read_after_an_upload_gives_what_the_database_holds(engine):
    _store(engine, ORDER_ROWS, "first")
    first = read_dataset(engine, "orders")  # full read, snapshot written
    changed = [{**ORDER_ROWS[0], "team": "West Team", "lscmi_completed": None}, {**ORDER_ROWS[1]}]
    changed.append({"case_ref": "N-9", "order_date": "2020-06-01", "order_type": "CPO", "worker": "New"})
    summary = _store(engine, changed, "second")

    after = read_dataset(engine, "orders")  # the first snapshot + the records upload 2 wrote

    assert (summary.new, summary.updated) == (1, 1)
    pd.testing.assert_frame_equal(after, _database(engine))
    assert len(after) == len(first) + 1
    assert after.loc[after["case_ref"] == ORDER_ROWS[0]["case_ref"], "team"].tolist() == ["West Team"]
    assert after["record_id"].is_monotonic_increasing


def test_a_second_read_of_the_same_version_comes_from_the_snapshot_file(engine):
    _store(engine, ORDER_ROWS, "first")
    read_dataset(engine, "orders")
    (written,) = _snapshot_files(engine)

    again = read_dataset(engine, "orders")

    assert _snapshot_files(engine) == [written]
    pd.testing.assert_frame_equal(again, _database(engine))
    assert again["case_ref"].dtype == object
    assert again["order_date"].dtype == "datetime64[ns]"


def test_after_an_undo_the_read_starts_again_from_the_database(engine):
    _store(engine, ORDER_ROWS, "first")
    read_dataset(engine, "orders")
    second = _store(engine, [{**ORDER_ROWS[0], "team": "West Team"}], "second")
    read_dataset(engine, "orders")

    undo_upload(engine, second.upload_id, user="manager")

    after = read_dataset(engine, "orders")
    pd.testing.assert_frame_equal(after, _database(engine))
    assert "West Team" not in after["team"].tolist()


def test_a_database_restored_from_a_backup_never_reads_the_other_history(tmp_path):
    path = tmp_path / "store.sqlite3"
    engine = connect(f"sqlite:///{path}")
    _store(engine, ORDER_ROWS, "first")
    engine.dispose()
    shutil.copy(path, tmp_path / "backup.sqlite3")
    engine = connect(f"sqlite:///{path}")
    _store(engine, [{**ORDER_ROWS[0], "team": "Lost Team"}], "lost")
    read_dataset(engine, "orders")  # a snapshot of upload 2 of the lost history
    engine.dispose()
    shutil.copy(tmp_path / "backup.sqlite3", path)  # restored: upload 2 will be another file
    engine = connect(f"sqlite:///{path}")
    _store(engine, [{**ORDER_ROWS[1], "team": "Kept Team"}], "kept")

    after = read_dataset(engine, "orders")

    pd.testing.assert_frame_equal(after, _database(engine))
    assert "Lost Team" not in after["team"].tolist()
    assert "Kept Team" in after["team"].tolist()


def test_a_damaged_snapshot_is_read_past(engine):
    _store(engine, ORDER_ROWS, "first")
    read_dataset(engine, "orders")
    (written,) = _snapshot_files(engine)
    written.write_bytes(b"not an arrow file")

    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), _database(engine))


def test_a_folder_that_cannot_be_written_costs_only_speed(engine, monkeypatch, tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("JSW_SNAPSHOT_DIR", str(blocked))
    _store(engine, ORDER_ROWS, "first")

    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), _database(engine))


@pytest.mark.parametrize("chosen", [None, "/somewhere/else"])
def test_snapshots_of_an_sqlite_file_live_beside_it_unless_a_folder_is_chosen(monkeypatch, chosen, tmp_path):
    if chosen:
        monkeypatch.setenv("JSW_SNAPSHOT_DIR", chosen)
    else:
        monkeypatch.delenv("JSW_SNAPSHOT_DIR")
    engine = connect(f"sqlite:///{tmp_path / 'store.sqlite3'}")

    folder = snapshot_dir(engine.url)

    if chosen:
        assert folder.parent == Path(chosen)
    else:
        assert folder == tmp_path / "store.sqlite3.snapshots"


@pytest.mark.parametrize("reads", ["first", "from the snapshot", "after another dataset's upload"])
def test_a_read_of_some_columns_gives_those_columns_of_the_whole_read(engine, reads):
    _store(engine, ORDER_ROWS, "first")
    if reads != "first":
        read_dataset(engine, "orders")
    if reads == "after another dataset's upload":  # the orders' snapshot is reused under the new version
        store_sheet(
            engine, make_sheet("reviews", REVIEW_ROWS), file_name="r.csv", sha256=sha_of("r"), user="officer"
        )

    some = read_dataset(engine, "orders", ["order_date", "requirements"])

    assert list(some.columns) == ["order_date", "requirements", "record_id", "upload_id"]
    pd.testing.assert_frame_equal(some, _database(engine)[list(some.columns)])
    expected = 2 if reads == "after another dataset's upload" else 1  # the version's own name, linked
    assert len(_snapshot_files(engine)) == expected
