"""A failing database is one plain line that quotes no case data; a writer queues rather than giving up."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import store.engine
from store import StoreBusy, StoreError, connect, list_uploads, read_dataset, store_sheet
from store.engine import writing
from tests.store.sheets import make_sheet, sha_of

SECRET_CASE = "CASE-SECRET-4711"


def _reviews(count: int, prefix: str = "Q") -> list[dict]:
    return [{"case_ref": f"{prefix}{n:05d}", "review_due": "2020-07-01"} for n in range(count)]


def test_a_full_disk_is_a_plain_message_and_nothing_is_stored(sqlite_url, caplog):
    engine = connect(sqlite_url)

    @event.listens_for(engine, "connect")
    def _tiny_file(dbapi_connection, _record) -> None:  # the file may not grow: SQLite says "disk full"
        dbapi_connection.execute("PRAGMA max_page_count = 40")

    engine.dispose()  # new connections get the limit
    rows = [
        {"case_ref": f"{SECRET_CASE}-{n}", "review_due": "2020-07-01", "team": "x" * 200} for n in range(3000)
    ]

    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as failure:
        store_sheet(engine, make_sheet("reviews", rows), file_name="big.csv", sha256=sha_of("big"), user="u")

    assert str(failure.value) == "the disk holding the store is full; nothing was changed"
    assert SECRET_CASE not in caplog.text
    event.remove(engine, "connect", _tiny_file)
    engine.dispose()
    assert list_uploads(engine) == []
    assert read_dataset(engine, "reviews").empty


def test_a_read_only_store_is_a_plain_message(sqlite_url, tmp_path):
    connect(sqlite_url).dispose()  # create the schema first
    path = sqlite_url.removeprefix("sqlite:///")
    read_only = connect(f"sqlite:///file:{path}?mode=ro&uri=true")

    with pytest.raises(StoreError) as failure:
        store_sheet(
            read_only, make_sheet("reviews", _reviews(2)), file_name="r", sha256=sha_of("r"), user="u"
        )

    assert str(failure.value) == "the store is read-only; nothing was changed"


def test_a_nul_byte_on_postgresql_names_the_problem_not_the_values(postgres_url, caplog):
    """Loaders reject control characters; this is the store's own last line if one ever got through."""
    engine = connect(postgres_url)
    rows = [{"case_ref": SECRET_CASE, "review_due": "2020-07-01", "team": "North\x00Team"}]

    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as failure:
        store_sheet(engine, make_sheet("reviews", rows), file_name="nul.csv", sha256=sha_of("nul"), user="u")

    assert "nothing was changed" in str(failure.value)
    assert SECRET_CASE not in str(failure.value) and SECRET_CASE not in caplog.text
    assert list_uploads(engine) == []


def test_sql_errors_never_carry_their_parameters(store_url):
    engine = connect(store_url)
    with pytest.raises(sa.exc.SQLAlchemyError) as failure, engine.connect() as connection:
        connection.execute(sa.text("SELECT * FROM no_such_table WHERE x = :x"), {"x": SECRET_CASE})

    assert SECRET_CASE not in str(failure.value)


def test_an_unreachable_database_is_a_plain_message():
    started = time.monotonic()
    with pytest.raises(StoreError) as failure:
        connect("postgresql+psycopg://postgres@127.0.0.1:1/test")  # nothing listens on port 1

    assert str(failure.value) == "the database cannot be reached or opened"
    assert time.monotonic() - started < 10


def test_a_store_in_a_missing_folder_is_refused_not_created(tmp_path: Path):
    missing = tmp_path / "no-such-folder"

    with pytest.raises(StoreError) as failure:
        connect(f"sqlite:///{missing / 'store.sqlite3'}")

    assert "does not exist" in str(failure.value) and str(missing) in str(failure.value)
    assert not missing.exists()


def test_a_second_writer_queues_reports_progress_and_then_stores(store_url, monkeypatch):
    monkeypatch.setattr(store.engine, "LOCK_POLL_SECONDS", 0.2)
    engine = connect(store_url)
    waited: list[float] = []
    outcome: dict[str, object] = {}
    first_holds_lock = threading.Event()

    def first_writer() -> None:
        with writing(engine):
            first_holds_lock.set()
            time.sleep(1.5)  # a long upload

    holder = threading.Thread(target=first_writer)
    holder.start()
    first_holds_lock.wait()
    try:
        outcome["summary"] = store_sheet(
            engine,
            make_sheet("reviews", _reviews(5)),
            file_name="q",
            sha256=sha_of("q"),
            user="u",
            on_wait=waited.append,
        )
    finally:
        holder.join()

    assert outcome["summary"].new == 5
    assert waited and waited == sorted(waited)  # told, more than once or at least once, how long so far
    assert len(read_dataset(engine, "reviews")) == 5


def test_a_writer_gives_up_only_after_the_whole_wait(store_url, monkeypatch):
    monkeypatch.setattr(store.engine, "LOCK_POLL_SECONDS", 0.1)
    monkeypatch.setattr(store.engine, "WRITE_LOCK_WAIT_SECONDS", 0.5)
    engine = connect(store_url)
    started = time.monotonic()

    with writing(engine), pytest.raises(StoreBusy):
        store_sheet(engine, make_sheet("reviews", _reviews(1)), file_name="b", sha256=sha_of("b"), user="u")

    assert time.monotonic() - started >= 0.5
