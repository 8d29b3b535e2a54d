"""Writers are serialised: a second writer waits its turn or gets StoreBusy, never a raw lock error."""

from __future__ import annotations

import threading

import pytest

import store.engine
from store import StoreBusy, list_uploads, read_dataset, save_settings, store_sheet
from store.engine import writing
from tests.store.sheets import make_sheet, sha_of


def _reviews(prefix: str, count: int) -> list[dict]:
    return [{"case_ref": f"{prefix}-{n:04d}", "review_due": "2020-07-01"} for n in range(count)]


def test_two_uploads_at_once_on_sqlite_both_store_or_one_is_told_busy(sqlite_engine):
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def upload(prefix: str) -> None:
        sheet = make_sheet("reviews", _reviews(prefix, 3000))
        barrier.wait()
        try:
            outcomes[prefix] = store_sheet(
                sqlite_engine, sheet, file_name=prefix, sha256=sha_of(prefix), user="u"
            )
        except Exception as error:  # recorded and judged below
            outcomes[prefix] = error

    threads = [threading.Thread(target=upload, args=(prefix,)) for prefix in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(isinstance(outcome, (store.StoreSummary, StoreBusy)) for outcome in outcomes.values()), (
        outcomes
    )
    stored = [outcome for outcome in outcomes.values() if isinstance(outcome, store.StoreSummary)]
    assert stored
    assert len(read_dataset(sqlite_engine, "reviews")) == 3000 * len(stored)
    assert len(list_uploads(sqlite_engine)) == len(stored)


def test_a_writer_that_cannot_get_the_lock_is_told_the_store_is_busy(engine, monkeypatch):
    monkeypatch.setattr(store.engine, "WRITE_LOCK_WAIT_SECONDS", 0.2)
    sheet = make_sheet("reviews", _reviews("C", 2))

    with writing(engine), pytest.raises(StoreBusy) as busy:
        store_sheet(engine, sheet, file_name="c", sha256=sha_of("c"), user="u")

    assert str(busy.value) == "the store is busy with another upload; try again in a moment"
    assert list_uploads(engine) == []
    assert read_dataset(engine, "reviews").empty


def test_settings_saves_wait_for_the_writer_lock_too(engine, monkeypatch):
    monkeypatch.setattr(store.engine, "WRITE_LOCK_WAIT_SECONDS", 0.2)

    with writing(engine), pytest.raises(StoreBusy):
        save_settings(engine, {"a": 1}, user="u")
