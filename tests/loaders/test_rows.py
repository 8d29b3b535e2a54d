"""Which rows become records, which are skipped, which are rejected and why."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pandas as pd
import xlsxwriter

from loaders import DATASETS, REJECT_COLUMNS, ReviewSchedule, read_extract
from tests.loaders import build

D = datetime(2020, 2, 3)


def test_blank_single_cell_and_totals_rows_are_skipped_not_rejected():
    rows = [
        ["Case Ref", "Order Date", "Order Type"],
        ["A1", D, "CPO"],
        [],
        ["Team North"],
        [None, None, "note in the last column"],
        ["Total", 2, 2],
        ["GRAND TOTAL:", None, 2],
        ["A2", D, "CPO"],
        ["Source: case management system"],
    ]
    (sheet,) = read_extract("o.xlsx", build.xlsx(rows)).sheets
    assert sheet.records["case_ref"].tolist() == ["A1", "A2"]
    assert sheet.records["source_row"].tolist() == [2, 8]
    assert sheet.skipped_rows == 6  # rows 3 (blank), 4 and 5 (one cell), 6 and 7 (totals), 9 (footnote)
    assert sheet.rejects.empty


def test_records_hold_every_canonical_column_and_absent_ones_are_null():
    (sheet,) = read_extract("o.xlsx", build.xlsx([["Case Ref", "Order Date"], ["A1", D]])).sheets
    assert list(sheet.records.columns) == [*DATASETS["orders"].column_names, "source_row"]
    assert sheet.records["team"].tolist() == [None]
    assert sheet.records["induction"].isna().all()
    assert sheet.records["induction"].dtype == "datetime64[ns]"


def test_one_reject_line_per_problem_and_the_row_is_not_a_record():
    rows = [
        ["Case Ref", "Review Due", "Participated", "Needs Tool"],
        [None, "31/02/2020", "maybe", "Y"],
        ["A2", D, "Y", "N"],
    ]
    (sheet,) = read_extract("r.xlsx", build.xlsx(rows, title="Reviews")).sheets
    assert list(sheet.rejects.columns) == [*REJECT_COLUMNS, "team"]  # the row's team: scope for team leaders
    assert sheet.rejects[["sheet", "row", "column"]].values.tolist() == [
        ["Reviews", 2, "case_ref"],
        ["Reviews", 2, "review_due"],
        ["Reviews", 2, "participated"],
    ]
    assert sheet.rejected_row_count == 1
    assert sheet.records["case_ref"].tolist() == ["A2"]


def test_a_repeated_natural_key_keeps_the_last_row():
    rows = [
        ["Case Ref", "Order Date", "Order Type", "Team"],
        ["A1", D, "CPO", "North"],
        ["A1", D, "DTTO", "North"],
        ["A1", D, "CPO", "South"],
        ["A1", D, "CPO", "East"],
    ]
    (sheet,) = read_extract("o.xlsx", build.xlsx(rows)).sheets
    assert sheet.records[["order_type", "team", "source_row"]].values.tolist() == [
        ["DTTO", "North", 3],
        ["CPO", "East", 5],
    ]
    assert sheet.rejects[["row", "value", "reason"]].values.tolist() == [
        [2, "A1", "duplicate of row 5 (same case_ref, order_date, order_type); the later row is kept"],
        [4, "A1", "duplicate of row 5 (same case_ref, order_date, order_type); the later row is kept"],
    ]


def test_blank_review_due_is_computed_from_order_date_and_review_number():
    rows = [
        ["Case Ref", "Review Due", "Order Date", "Review Number"],
        ["A1", None, datetime(2020, 8, 31), 1],
        ["A2", "n/a", datetime(2020, 8, 31), 2],
        ["A3", None, datetime(2020, 8, 31), 4],
        ["A4", datetime(2021, 1, 1), datetime(2020, 8, 31), 1],
        ["A5", None, None, 1],
    ]
    (sheet,) = read_extract("r.xlsx", build.xlsx(rows)).sheets
    assert sheet.records["review_due"].tolist() == [
        pd.Timestamp(2020, 11, 30),
        pd.Timestamp(2021, 2, 28),
        pd.Timestamp(2022, 2, 28),
        pd.Timestamp(2021, 1, 1),  # a given due date is kept
    ]
    assert sheet.rejects["reason"].tolist() == [
        "review_due blank and cannot be computed: order_date and review_number are both needed"
    ]
    (monthly,) = read_extract(
        "r.xlsx", build.xlsx(rows[:2]), review_schedule=ReviewSchedule(first_months=1)
    ).sheets
    assert monthly.records["review_due"].tolist() == [pd.Timestamp(2020, 9, 30)]


def test_review_due_column_absent_is_computed_for_every_row():
    rows = [["Case Ref", "Order Date", "Review No"], ["A1", datetime(2020, 1, 15), 3]]
    (sheet,) = read_extract("r.xlsx", build.xlsx(rows)).sheets
    assert sheet.dataset == "reviews"
    assert sheet.records["review_due"].tolist() == [pd.Timestamp(2021, 1, 15)]


def test_a_value_merged_down_over_data_rows_belongs_to_each_row():
    rows = [["Case Ref", "Order Date", "Team"], ["A1", D, "North"], ["A2", D, None], ["A3", D, "South"]]
    (sheet,) = read_extract("o.xlsx", build.xlsx(rows, merges=["C2:C3"])).sheets
    assert sheet.records["team"].tolist() == ["North", "North", "South"]


def test_a_20000_row_workbook_loads_every_row():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet("Orders")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Case Ref", "Order Date", "Order Type", "Requirements", "Team", "First Contact"])
    start = datetime(2019, 4, 1)
    for i in range(20_000):
        sheet.write_string(i + 1, 0, f"{i:06d}")
        sheet.write_datetime(i + 1, 1, start + timedelta(days=i % 700), dates)
        sheet.write_string(i + 1, 2, "CPO" if i % 2 else "DTTO")
        sheet.write_string(i + 1, 3, "Supervision; Unpaid Work")
        sheet.write_string(i + 1, 4, f"Team {i % 5}")
        if i % 3:
            sheet.write_datetime(i + 1, 5, start + timedelta(days=i % 700 + 2), dates)
    book.close()
    (result,) = read_extract("big.xlsx", buffer.getvalue()).sheets
    records = result.records
    assert len(records) == 20_000 and result.rejects.empty
    assert records.loc[0, "case_ref"] == "000000"
    assert records.loc[12_345, ["case_ref", "order_date", "team", "source_row"]].tolist() == [
        "012345",
        pd.Timestamp(start + timedelta(days=12_345 % 700)),
        "Team 0",
        12_347,
    ]
    assert records["first_contact"].isna().sum() == len(range(0, 20_000, 3))


def test_xls_and_ods_rows_are_numbered_as_excel_shows_them():
    rows = [["Orders report"], [], ["Case Ref", "Order Date"], ["A1", D], ["A2", "31/02/2020"]]
    for name, content in (("o.xls", build.xls(rows)), ("o.xlsx", build.xlsx(rows))):
        (sheet,) = read_extract(name, content).sheets
        assert sheet.header_row == 3
        assert sheet.records["source_row"].tolist() == [4]
        assert sheet.rejects["row"].tolist() == [5]
