"""Records written in batches (store.ingest.BATCH_ROWS) store exactly what one batch would, and a failure
in a later batch, after earlier ones reached the database, stores nothing at all.

The batch size is lowered to 3 so seven records cross two batch boundaries (3 + 3 + 1), and on
PostgreSQL COPY is used from one row, so the batches go through one COPY as a million records do.
"""

from __future__ import annotations

import pandas as pd
import pytest

import store.bulk
import store.ingest
from loaders.schema import DATASETS
from store import list_uploads, read_dataset, rejected_rows, store_sheet, undo_upload
from store.frames import canonical_frame
from tests.store.sheets import make_sheet, sha_of

REVIEWS = DATASETS["reviews"]
REJECTS = [{"sheet": "S", "row": 9, "column": "review_due", "value": "x", "reason": "not a date"}]


def _reviews(team_of_first: str = "North", count: int = 7) -> list[dict]:
    """Seven reviews with every kind of blank somewhere (text, date, number, yes/no)."""
    rows = []
    for number in range(count):
        rows.append(
            {
                "case_ref": f"R-{number:03d}",
                "review_due": f"2020-0{1 + number % 9}-{10 + number:02d}",
                "review_number": None if number == 4 else number + 1,
                "review_held": None if number % 2 else f"2020-0{1 + number % 9}-{12 + number:02d}",
                "participated": [True, False, None][number % 3],
                "needs_tool": None if number == 5 else bool(number % 2),
                "team": team_of_first if number < 5 else (None if number == 6 else "South"),
            }
        )
    return rows


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.ingest, "BATCH_ROWS", 3)
    monkeypatch.setattr(store.bulk, "COPY_FROM_ROWS", 1)


def _store(engine, rows, label):
    return store_sheet(
        engine, make_sheet("reviews", rows, rejects=REJECTS), file_name=label, sha256=sha_of(label), user="u"
    )


def _stored_values(engine) -> pd.DataFrame:
    return read_dataset(engine, "reviews")[list(REVIEWS.column_names)]


def _expected(rows) -> pd.DataFrame:
    return canonical_frame(make_sheet("reviews", rows).records, REVIEWS).reset_index(drop=True)


def test_new_records_in_batches_are_stored_each_once_with_their_values(engine, small_batches):
    summary = _store(engine, _reviews(), "a")

    stored = read_dataset(engine, "reviews")
    assert summary.new == 7
    pd.testing.assert_frame_equal(stored[list(REVIEWS.column_names)], _expected(_reviews()))
    assert (stored["upload_id"] == summary.upload_id).all()
    assert stored["record_id"].is_unique


def test_updates_and_their_history_in_batches_are_stored_and_undone_exactly(engine, small_batches):
    first = _reviews("North")
    _store(engine, first, "a")
    # five records change team (3 + 2 across a boundary), two stay, and eight are new (3 + 3 + 2)
    second = _reviews("East") + [
        {**row, "case_ref": f"N-{row['case_ref']}"} for row in _reviews("West", count=8)
    ]

    summary = _store(engine, second, "b")

    assert (summary.new, summary.updated, summary.unchanged) == (8, 5, 2)
    pd.testing.assert_frame_equal(_stored_values(engine), _expected(second))
    undo_upload(engine, summary.upload_id, user="u")
    pd.testing.assert_frame_equal(_stored_values(engine), _expected(first))


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("failing", ["insert", "update"])
def test_a_failure_in_a_later_batch_leaves_the_store_as_it_was(engine, small_batches, monkeypatch, failing):
    first = _store(engine, _reviews("North"), "a")
    before = (list_uploads(engine), read_dataset(engine, "reviews"), rejected_rows(engine, first.upload_id))
    batches = []
    driver_columns = store.ingest.driver_columns

    def fail_on_the_second_batch(frame, dataset):
        batches.append(len(frame))
        if len(batches) == 2:  # the first batch has been handed to the database
            raise Boom("the disk filled up")
        return driver_columns(frame, dataset)

    monkeypatch.setattr(store.ingest, "driver_columns", fail_on_the_second_batch)
    if failing == "insert":  # seven new records
        rows = [{**row, "case_ref": f"N-{row['case_ref']}"} for row in _reviews("West")]
    else:  # five changed records (3 + 2); their history, written first, is not counted here
        rows = _reviews("East")
        no_history = lambda previous, dataset: ["{}"] * len(previous)  # noqa: E731
        monkeypatch.setattr(store.ingest, "history_documents", no_history)
    with pytest.raises(Boom):
        _store(engine, rows, "b")

    assert batches[0] == 3
    after = (list_uploads(engine), read_dataset(engine, "reviews"), rejected_rows(engine, first.upload_id))
    assert before[0] == after[0]
    pd.testing.assert_frame_equal(before[1], after[1])
    pd.testing.assert_frame_equal(before[2], after[2])
    monkeypatch.undo()
    stored = _store(engine, rows, "b")  # nothing of the failed attempt is left to say "already loaded"
    assert stored.already_loaded is None
    assert stored.new + stored.updated == (7 if failing == "insert" else 5)
