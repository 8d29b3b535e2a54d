"""All or nothing: a failure half-way through a store or an undo leaves the store as it was."""

from __future__ import annotations

import pandas as pd
import pytest

import store.ingest
import store.undo
from store import list_uploads, read_dataset, rejected_rows, store_sheet, undo_upload
from tests.store.sheets import ORDER_ROWS, make_sheet, sha_of

REJECTS = [{"sheet": "S", "row": 5, "column": "order_date", "value": "x", "reason": "not a date"}]


class Boom(RuntimeError):
    pass


def _snapshot(engine, upload_ids):
    return (
        list_uploads(engine),
        read_dataset(engine, "orders"),
        [rejected_rows(engine, upload_id) for upload_id in upload_ids],
    )


def _assert_same(snapshot, other):
    assert snapshot[0] == other[0]
    pd.testing.assert_frame_equal(snapshot[1], other[1])
    for before, after in zip(snapshot[2], other[2], strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_a_failure_after_rows_were_written_stores_nothing(engine, monkeypatch):
    first = store_sheet(
        engine, make_sheet("orders", ORDER_ROWS, rejects=REJECTS), file_name="a", sha256=sha_of("a"), user="u"
    )
    before = _snapshot(engine, [first.upload_id, first.upload_id + 1])
    reached = []

    def fail_after_inserts(*args, **kwargs):
        reached.append(True)
        raise Boom("disk on fire")

    monkeypatch.setattr(store.ingest, "write_history", fail_after_inserts)
    newer = [{**ORDER_ROWS[0], "team": "East"}, {"case_ref": "00777", "order_date": "2021-01-04"}]

    with pytest.raises(Boom):
        store_sheet(
            engine, make_sheet("orders", newer, rejects=REJECTS), file_name="b", sha256=sha_of("b"), user="u"
        )

    assert reached  # the new record and the rejected row had been written when it failed
    _assert_same(before, _snapshot(engine, [first.upload_id, first.upload_id + 1]))


def test_the_failed_file_can_be_stored_afterwards(engine, monkeypatch):
    sheet = make_sheet("orders", ORDER_ROWS)
    with monkeypatch.context() as patch:
        patch.setattr(store.ingest, "insert_records", lambda *args: (_ for _ in ()).throw(Boom()))
        with pytest.raises(Boom):
            store_sheet(engine, sheet, file_name="a", sha256=sha_of("a"), user="u")

    summary = store_sheet(engine, sheet, file_name="a", sha256=sha_of("a"), user="u")

    assert summary.already_loaded is None
    assert summary.new == len(ORDER_ROWS)


def test_a_failure_half_way_through_an_undo_changes_nothing(engine, monkeypatch):
    store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="a", sha256=sha_of("a"), user="u")
    newer = [{**ORDER_ROWS[0], "team": "East"}, {"case_ref": "00777", "order_date": "2021-01-04"}]
    second = store_sheet(engine, make_sheet("orders", newer), file_name="b", sha256=sha_of("b"), user="u")
    before = _snapshot(engine, [])

    def fail_at_the_end():  # restore and delete have run by the time the upload is marked undone
        raise Boom("power cut")

    monkeypatch.setattr(store.undo, "utc_now", fail_at_the_end)
    with pytest.raises(Boom):
        undo_upload(engine, second.upload_id, user="u")

    _assert_same(before, _snapshot(engine, []))
