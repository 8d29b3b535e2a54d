"""Undo: an upload's new records go, the records it changed get their old values back, and an undo
that would pull records from under a later live upload (one that changed or merely repeated them) is
refused."""

from __future__ import annotations

import pandas as pd
import pytest

from store import UndoError, list_uploads, read_dataset, store_sheet, undo_upload
from tests.store.sheets import ORDER_ROWS, REVIEW_ROWS, make_sheet, sha_of


def _store(engine, dataset, rows, label):
    return store_sheet(
        engine, make_sheet(dataset, rows), file_name=f"{label}.csv", sha256=sha_of(label), user="officer"
    )


def test_undo_restores_the_store_exactly_as_it_was(engine):
    _store(engine, "reviews", REVIEW_ROWS, "first")
    before = read_dataset(engine, "reviews")
    newer = [
        {**REVIEW_ROWS[0], "recorded": "2020-07-03", "participated": False, "review_number": 4},
        {**REVIEW_ROWS[1], "participated": True, "review_number": None},  # blanks before, so blanks after
        {"case_ref": "R-003", "review_due": "2020-09-01"},
    ]
    second = _store(engine, "reviews", newer, "second")
    assert read_dataset(engine, "reviews").loc[0, "participated"] == False  # noqa: E712 - pandas NA-aware

    summary = undo_upload(engine, second.upload_id, user="manager")

    assert (summary.upload_id, summary.new, summary.updated) == (second.upload_id, 1, 2)
    after = read_dataset(engine, "reviews")
    pd.testing.assert_frame_equal(after, before)
    assert after.loc[0, "participated"] == True  # noqa: E712 - the updated row's old value is back
    assert pd.isna(after.loc[0, "recorded"])


def test_undoing_the_first_upload_empties_the_dataset(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")

    undo_upload(engine, first.upload_id, user="manager")

    assert read_dataset(engine, "orders").empty


def test_an_undone_upload_stays_in_the_history(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")

    undo_upload(engine, first.upload_id, user="manager")

    (upload,) = list_uploads(engine)
    assert upload.id == first.upload_id
    assert upload.undone_at is not None
    assert upload.undone_by == "manager"
    assert upload.new == len(ORDER_ROWS)


def test_the_same_file_can_be_stored_again_after_undo(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    undo_upload(engine, first.upload_id, user="manager")

    again = _store(engine, "orders", ORDER_ROWS, "first")

    assert again.already_loaded is None
    assert again.new == len(ORDER_ROWS)
    assert len(read_dataset(engine, "orders")) == len(ORDER_ROWS)


def test_undo_of_an_unknown_upload_is_refused(engine):
    with pytest.raises(UndoError, match="no upload 42"):
        undo_upload(engine, 42, user="manager")


def test_undo_twice_is_refused(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    undo_upload(engine, first.upload_id, user="manager")

    with pytest.raises(UndoError, match="already undone"):
        undo_upload(engine, first.upload_id, user="manager")


def test_undo_is_refused_while_a_later_upload_changed_the_same_records(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    second = _store(engine, "orders", [{**ORDER_ROWS[1], "team": "East"}], "second")
    before = read_dataset(engine, "orders")

    with pytest.raises(UndoError) as refusal:
        undo_upload(engine, first.upload_id, user="manager")

    assert f"undo upload {second.upload_id} first" in str(refusal.value)
    assert "\n" not in str(refusal.value)
    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), before)
    assert all(upload.undone_at is None for upload in list_uploads(engine))


def test_undo_in_reverse_order_takes_both_uploads_back(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    second = _store(engine, "orders", [{**ORDER_ROWS[1], "team": "East"}], "second")

    undo_upload(engine, second.upload_id, user="manager")
    undo_upload(engine, first.upload_id, user="manager")

    assert read_dataset(engine, "orders").empty


def test_a_later_upload_of_other_records_does_not_block_undo(engine):
    first = _store(engine, "orders", ORDER_ROWS[:1], "first")
    _store(engine, "orders", ORDER_ROWS[1:], "second")

    undo_upload(engine, first.upload_id, user="manager")

    assert sorted(read_dataset(engine, "orders")["case_ref"]) == ["00413", "00414"]


def test_a_later_upload_of_another_dataset_does_not_block_undo(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    _store(engine, "reviews", REVIEW_ROWS, "second")

    undo_upload(engine, first.upload_id, user="manager")

    assert read_dataset(engine, "orders").empty
    assert len(read_dataset(engine, "reviews")) == len(REVIEW_ROWS)


def test_undoing_a_later_upload_unblocks_the_earlier_one(engine):
    first = _store(engine, "orders", ORDER_ROWS, "first")
    second = _store(engine, "orders", [{**ORDER_ROWS[0], "team": "East"}], "second")
    undo_upload(engine, second.upload_id, user="manager")
    third = _store(engine, "orders", [{**ORDER_ROWS[0], "team": "West"}], "third")
    undo_upload(engine, third.upload_id, user="manager")

    undo_upload(engine, first.upload_id, user="manager")

    assert read_dataset(engine, "orders").empty


JAN_A1 = {"case_ref": "A1", "order_date": "2021-01-04", "order_type": "CPO", "team": "North"}
FEB_A2 = {"case_ref": "A2", "order_date": "2021-02-01", "order_type": "CPO", "team": "South"}


def test_undo_is_refused_while_a_later_upload_repeats_its_records_unchanged(engine):
    january = _store(engine, "orders", [JAN_A1], "january")
    february = _store(engine, "orders", [JAN_A1, FEB_A2], "february")  # a cumulative extract
    before = read_dataset(engine, "orders")

    with pytest.raises(UndoError) as refusal:
        undo_upload(engine, january.upload_id, user="manager")

    message = str(refusal.value)
    assert f"upload {february.upload_id} also holds records from this upload" in message
    assert f"undo upload {february.upload_id} first" in message
    assert "\n" not in message
    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), before)
    assert all(upload.undone_at is None for upload in list_uploads(engine))


def test_the_refusal_names_the_newest_later_upload_holding_the_records(engine):
    january = _store(engine, "orders", [JAN_A1], "january")
    _store(engine, "orders", [{**JAN_A1, "team": "East"}], "february")  # changed A1
    march = _store(engine, "orders", [{**JAN_A1, "team": "East"}, FEB_A2], "march")  # repeated it

    with pytest.raises(UndoError, match=f"undo upload {march.upload_id} first"):
        undo_upload(engine, january.upload_id, user="manager")


def test_cumulative_extracts_undone_newest_first_restore_each_month_exactly(engine):
    january = _store(engine, "orders", [JAN_A1], "january")
    after_january = read_dataset(engine, "orders")
    february = _store(engine, "orders", [{**JAN_A1, "induction": "2021-01-08"}, FEB_A2], "february")
    after_february = read_dataset(engine, "orders")
    march = _store(engine, "orders", [{**JAN_A1, "induction": "2021-01-08"}, FEB_A2], "march")

    undo_upload(engine, march.upload_id, user="manager")
    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), after_february)
    undo_upload(engine, february.upload_id, user="manager")
    pd.testing.assert_frame_equal(read_dataset(engine, "orders"), after_january)
    undo_upload(engine, january.upload_id, user="manager")
    assert read_dataset(engine, "orders").empty


def test_a_later_upload_repeating_only_records_this_upload_left_alone_does_not_block_undo(engine):
    _store(engine, "orders", [JAN_A1, FEB_A2], "january")
    february = _store(engine, "orders", [JAN_A1, {**FEB_A2, "team": "East"}], "february")  # changed A2 only
    _store(engine, "orders", [JAN_A1], "march")  # repeats A1, which February did not change

    undo_upload(engine, february.upload_id, user="manager")

    stored = read_dataset(engine, "orders").set_index("case_ref")
    assert stored["team"].to_dict() == {"A1": "North", "A2": "South"}


def test_an_undone_later_upload_no_longer_blocks_undo(engine):
    january = _store(engine, "orders", [JAN_A1], "january")
    february = _store(engine, "orders", [JAN_A1, FEB_A2], "february")
    undo_upload(engine, february.upload_id, user="manager")

    undo_upload(engine, january.upload_id, user="manager")

    assert read_dataset(engine, "orders").empty
