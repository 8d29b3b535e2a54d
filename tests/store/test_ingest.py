"""Storing sheets: counts, idempotent re-loads, older files stored again, newer extracts, the NULL-in-key
rule, rejected rows."""

from __future__ import annotations

import pandas as pd
import pytest

from store import list_uploads, read_dataset, rejected_rows, store_sheet, undo_upload
from tests.store.sheets import AUDIT_ROWS, ORDER_ROWS, REVIEW_ROWS, make_sheet, sha_of


def _store(engine, sheet, label="extract-1", **options):
    return store_sheet(
        engine, sheet, file_name=f"{label}.xlsx", sha256=sha_of(label), user="officer", **options
    )


@pytest.mark.parametrize(
    ("dataset", "rows"), [("orders", ORDER_ROWS), ("reviews", REVIEW_ROWS), ("audits", AUDIT_ROWS)]
)
def test_first_load_stores_every_record_as_new(engine, dataset, rows):
    summary = _store(engine, make_sheet(dataset, rows))

    assert (summary.dataset, summary.new, summary.updated, summary.unchanged) == (dataset, len(rows), 0, 0)
    assert summary.already_loaded is None
    stored = read_dataset(engine, dataset)
    assert sorted(stored["case_ref"]) == sorted(row["case_ref"] for row in rows)
    assert (stored["upload_id"] == summary.upload_id).all()


def test_loading_the_same_file_again_stores_nothing(engine):
    first = _store(engine, make_sheet("orders", ORDER_ROWS))
    before = read_dataset(engine, "orders")

    again = _store(engine, make_sheet("orders", ORDER_ROWS))

    assert again.already_loaded == first.upload_id
    assert again.upload_id is None
    assert (again.new, again.updated, again.unchanged) == (0, 0, 0)
    assert [upload.id for upload in list_uploads(engine)] == [first.upload_id]
    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), before)


def test_storing_an_older_file_again_brings_its_values_back(engine):
    north = [{**ORDER_ROWS[0], "team": "North"}]
    first = _store(engine, make_sheet("orders", north), label="x")
    _store(engine, make_sheet("orders", [{**ORDER_ROWS[0], "team": "South"}]), label="y")

    again = _store(engine, make_sheet("orders", north), label="x")

    assert again.already_loaded is None
    assert again.upload_id not in (None, first.upload_id)
    assert (again.new, again.updated, again.unchanged) == (0, 1, 0)
    stored = read_dataset(engine, "orders")
    assert stored["team"].tolist() == ["North"]
    assert stored["upload_id"].tolist() == [again.upload_id]
    assert list_uploads(engine)[0].id == again.upload_id  # listed as the newest upload


def test_an_older_file_stored_again_can_be_undone_back_to_the_later_values(engine):
    north = [{**ORDER_ROWS[0], "team": "North"}]
    _store(engine, make_sheet("orders", north), label="x")
    _store(engine, make_sheet("orders", [{**ORDER_ROWS[0], "team": "South"}]), label="y")
    again = _store(engine, make_sheet("orders", north), label="x")

    undo_upload(engine, again.upload_id, user="manager")

    assert read_dataset(engine, "orders")["team"].tolist() == ["South"]


def test_the_newest_file_again_is_already_loaded_once_later_uploads_are_undone(engine):
    first = _store(engine, make_sheet("orders", ORDER_ROWS), label="x")
    later = _store(engine, make_sheet("orders", [{**ORDER_ROWS[0], "team": "South"}]), label="y")
    undo_upload(engine, later.upload_id, user="manager")

    again = _store(engine, make_sheet("orders", ORDER_ROWS), label="x")

    assert again.already_loaded == first.upload_id
    assert len(list_uploads(engine)) == 2


def test_a_later_upload_of_another_dataset_keeps_a_repeat_already_loaded(engine):
    first = _store(engine, make_sheet("orders", ORDER_ROWS), label="x")
    _store(engine, make_sheet("reviews", REVIEW_ROWS), label="r")

    again = _store(engine, make_sheet("orders", ORDER_ROWS), label="x")

    assert again.already_loaded == first.upload_id


def test_same_bytes_but_another_sheet_is_a_new_upload(engine):
    first = _store(engine, make_sheet("orders", ORDER_ROWS, sheet="Q1"))
    second = _store(engine, make_sheet("orders", ORDER_ROWS, sheet="Q2"))

    assert second.already_loaded is None
    assert second.upload_id != first.upload_id
    assert (second.new, second.updated, second.unchanged) == (0, 0, len(ORDER_ROWS))


def test_newer_extract_updates_changed_records_and_adds_new_ones(engine):
    first = _store(engine, make_sheet("orders", ORDER_ROWS))
    newer_rows = [
        {**ORDER_ROWS[0], "induction": "2020-04-06"},  # one date filled in since
        ORDER_ROWS[1],  # unchanged (NULL order_type is part of its key)
        {**ORDER_ROWS[2], "team": None},  # a value blanked
        {"case_ref": "00999", "order_date": "2020-09-01", "order_type": "CPO"},  # new order
    ]

    summary = _store(engine, make_sheet("orders", newer_rows), label="extract-2")

    assert (summary.new, summary.updated, summary.unchanged) == (1, 2, 1)
    stored = read_dataset(engine, "orders").set_index("case_ref")
    assert len(stored) == 4
    assert stored.loc["00412", "induction"] == pd.Timestamp("2020-04-06")
    assert stored.loc["00414", "team"] is None
    assert stored.loc["00413", "upload_id"] == first.upload_id  # unchanged rows are not rewritten
    assert stored.loc["00412", "upload_id"] == summary.upload_id
    assert stored.loc["00999", "upload_id"] == summary.upload_id


def test_a_blank_order_type_still_identifies_one_order(engine):
    rows = [{"case_ref": "00500", "order_date": "2020-04-01", "order_type": None, "team": "North"}]
    _store(engine, make_sheet("orders", rows))

    summary = _store(engine, make_sheet("orders", [{**rows[0], "team": "South"}]), label="extract-2")

    assert (summary.new, summary.updated) == (0, 1)
    stored = read_dataset(engine, "orders")
    assert stored["team"].tolist() == ["South"]


def test_order_type_distinguishes_orders_made_on_the_same_day(engine):
    rows = [
        {"case_ref": "00600", "order_date": "2020-04-01", "order_type": "CPO"},
        {"case_ref": "00600", "order_date": "2020-04-01", "order_type": "DTTO"},
        {"case_ref": "00600", "order_date": "2020-04-01", "order_type": None},
    ]
    assert _store(engine, make_sheet("orders", rows)).new == 3


def test_a_repeated_key_within_one_sheet_keeps_the_last_row(engine):
    rows = [
        {"case_ref": "R-009", "review_due": "2020-07-01", "team": "First"},
        {"case_ref": "R-009", "review_due": "2020-07-01", "team": "Last"},
    ]
    summary = _store(engine, make_sheet("reviews", rows))

    assert summary.new == 1
    assert read_dataset(engine, "reviews")["team"].tolist() == ["Last"]


def test_rejected_rows_are_kept_with_their_upload(engine):
    rejects = [
        {"sheet": "Orders", "row": 7, "column": "order_date", "value": "31/02/2020", "reason": "not a date"},
        {"sheet": "Orders", "row": 7, "column": "case_ref", "value": None, "reason": "case_ref is required"},
        {"sheet": "Orders", "row": 9, "column": "order_date", "value": "soon", "reason": "not a date"},
    ]
    summary = _store(engine, make_sheet("orders", ORDER_ROWS, sheet="Orders", rejects=rejects))

    assert summary.rejected == 2  # rows 7 and 9; a row with two problems counts once
    kept = rejected_rows(engine, summary.upload_id)
    assert kept.columns.tolist() == ["sheet", "row", "column", "value", "reason"]
    assert kept["row"].tolist() == [7, 7, 9]
    assert kept["value"].tolist() == ["31/02/2020", None, "soon"]
    assert kept["reason"].tolist() == [reject["reason"] for reject in rejects]
    assert list_uploads(engine)[0].rejected == 2


def test_a_sheet_with_only_rejected_rows_is_still_recorded(engine):
    rejects = [{"sheet": None, "row": 2, "column": "grade", "value": "7", "reason": "grade must be 1-6"}]
    summary = _store(engine, make_sheet("audits", [], rejects=rejects))

    assert (summary.new, summary.rejected) == (0, 1)
    assert len(rejected_rows(engine, summary.upload_id)) == 1
    assert read_dataset(engine, "audits").empty


def test_upload_records_who_what_and_when(engine):
    summary = _store(engine, make_sheet("reviews", REVIEW_ROWS, sheet="Reviews"), is_demo=True)

    (upload,) = list_uploads(engine)
    assert upload.id == summary.upload_id
    assert (upload.user, upload.file_name, upload.sheet, upload.dataset) == (
        "officer",
        "extract-1.xlsx",
        "Reviews",
        "reviews",
    )
    assert upload.sha256 == sha_of("extract-1")
    assert (upload.new, upload.updated, upload.unchanged, upload.rejected) == (2, 0, 0, 0)
    assert upload.is_demo is True
    assert upload.undone_at is None
    assert upload.uploaded_at.utcoffset() is not None and upload.uploaded_at.utcoffset().total_seconds() == 0


def test_uploads_still_current_tells_whether_a_file_would_change_anything(engine):
    from store import uploads_still_current

    orders_x = make_sheet("orders", ORDER_ROWS[:1])
    audits_x = make_sheet("audits", AUDIT_ROWS, sheet="Audits")
    first = store_sheet(engine, orders_x, file_name="x.xlsx", sha256=sha_of("x"), user="officer")
    second = store_sheet(engine, audits_x, file_name="x.xlsx", sha256=sha_of("x"), user="officer")
    assert [upload.id for upload in uploads_still_current(engine, sha_of("x"))] == [
        first.upload_id,
        second.upload_id,
    ]
    assert uploads_still_current(engine, sha_of("never stored")) == []

    changed = [{**ORDER_ROWS[0], "team": "South"}]
    later = store_sheet(
        engine, make_sheet("orders", changed), file_name="y.csv", sha256=sha_of("y"), user="o"
    )
    assert uploads_still_current(engine, sha_of("x")) == []  # its orders sheet has been overtaken

    undo_upload(engine, later.upload_id, user="officer")
    assert len(uploads_still_current(engine, sha_of("x"))) == 2
