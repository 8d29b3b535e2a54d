"""read_dataset hands back canonical columns in canonical dtypes, values exactly as stored."""

from __future__ import annotations

import pandas as pd
import pytest

import store.records
from loaders.schema import DATASETS
from store import read_dataset, store_sheet
from store.frames import frame_from_driver_batches
from tests.store.sheets import AUDIT_ROWS, ORDER_ROWS, REVIEW_ROWS, canonical_records, make_sheet, sha_of

EXPECTED_DTYPES = {
    "text": "object",
    "date": "datetime64[ns]",
    "integer": "Int64",
    "yesno": "boolean",
    "grade": "Int64",
}
ROWS = {"orders": ORDER_ROWS, "reviews": REVIEW_ROWS, "audits": AUDIT_ROWS}


def _expected_dtypes(dataset: str) -> dict[str, str]:
    dtypes = {column.name: EXPECTED_DTYPES[column.kind.value] for column in DATASETS[dataset].columns}
    return {**dtypes, "record_id": "int64", "upload_id": "int64"}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_an_empty_dataset_has_the_canonical_columns_and_dtypes(engine, dataset):
    frame = read_dataset(engine, dataset)

    assert frame.empty
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == _expected_dtypes(dataset)


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_values_come_back_as_they_went_in(engine, dataset):
    sheet = make_sheet(dataset, ROWS[dataset])
    store_sheet(engine, sheet, file_name="f", sha256=sha_of("f"), user="u")

    frame = read_dataset(engine, dataset)

    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == _expected_dtypes(dataset)
    expected = canonical_records(dataset, ROWS[dataset]).drop(columns="source_row")
    pd.testing.assert_frame_equal(frame[DATASETS[dataset].column_names], expected)
    assert frame["record_id"].is_unique


def test_case_references_keep_their_leading_zeros_and_blanks_stay_blank(engine):
    store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="f", sha256=sha_of("f"), user="u")

    frame = read_dataset(engine, "orders").set_index("case_ref")

    assert frame.index.tolist() == ["00412", "00413", "00414"]
    assert frame.loc["00413", "order_type"] is None
    assert pd.isna(frame.loc["00413", "first_contact"])


def test_yes_no_blanks_are_missing_not_false(engine):
    store_sheet(engine, make_sheet("reviews", REVIEW_ROWS), file_name="f", sha256=sha_of("f"), user="u")

    frame = read_dataset(engine, "reviews").sort_values("case_ref")

    assert frame["participated"].tolist() == [True, pd.NA]
    assert frame["needs_tool"].tolist() == [False, pd.NA]


def test_dates_far_apart_survive_the_round_trip(engine):
    rows = [
        {"case_ref": "D-1", "audit_date": "1999-12-31", "grade": 1},
        {"case_ref": "D-2", "audit_date": "2029-02-28", "grade": 6},
    ]
    store_sheet(engine, make_sheet("audits", rows), file_name="f", sha256=sha_of("f"), user="u")

    dates = read_dataset(engine, "audits")["audit_date"].tolist()

    assert dates == [pd.Timestamp("1999-12-31"), pd.Timestamp("2029-02-28")]


def test_an_unknown_dataset_is_a_clear_error(engine):
    with pytest.raises(ValueError, match="unknown dataset 'cases'"):
        read_dataset(engine, "cases")


def _copies(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """`count` copies of the rows, each copy's case references their own (so no record replaces another)."""
    return [{**row, "case_ref": f"{row['case_ref']}-{copy}"} for copy in range(count) for row in rows]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_reading_in_batches_gives_the_frame_read_in_one(engine, dataset, monkeypatch):
    """Records are fetched a batch at a time (store.records.FETCH_ROWS): any batch size, the same frame.
    read_records itself, not read_dataset: that would read the snapshot its first call saves."""
    sheet = make_sheet(dataset, _copies(ROWS[dataset], 3))
    store_sheet(engine, sheet, file_name="f", sha256=sha_of("f"), user="u")
    with engine.connect() as connection:
        whole = store.records.read_records(connection, dataset)
        for rows in (1, 2, len(whole) - 1):
            monkeypatch.setattr(store.records, "FETCH_ROWS", rows)
            batches = []
            monkeypatch.setattr(store.records, "frame_from_driver_batches", _counting(batches))
            pd.testing.assert_frame_equal(store.records.read_records(connection, dataset), whole)
            assert batches == [-(-len(whole) // rows)], "not read in batches of that size"
    assert len(whole) == 3 * len(ROWS[dataset])


def test_records_are_read_outside_a_transaction_too(engine):
    """On PostgreSQL the records come through a server-side cursor, which autocommit allows only WITH HOLD."""
    store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="f", sha256=sha_of("f"), user="u")
    with engine.connect() as connection:
        in_a_transaction = store.records.read_records(connection, "orders")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        pd.testing.assert_frame_equal(store.records.read_records(connection, "orders"), in_a_transaction)


def _counting(batches: list[int]):  # type: ignore[no-untyped-def]
    """store.frames.frame_from_driver_batches, noting how many batches it was handed."""

    def counted(fetched, names, kinds):  # type: ignore[no-untyped-def]
        listed = list(fetched)
        batches.append(len(listed))
        return frame_from_driver_batches(iter(listed), names, kinds)

    return counted


def test_equal_texts_are_held_once_not_once_per_record(engine):
    """A driver hands back a new string per cell; the frame keeps one per distinct text (the memory of a
    million records' teams and workers)."""
    sheet = make_sheet("orders", _copies(ORDER_ROWS, 4))
    store_sheet(engine, sheet, file_name="f", sha256=sha_of("f"), user="u")

    teams = read_dataset(engine, "orders")["team"].dropna().tolist()

    assert len(teams) > len(set(teams))
    assert len({id(team) for team in teams}) == len(set(teams))
