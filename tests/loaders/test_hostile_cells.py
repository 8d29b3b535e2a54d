"""Single bad cells in any format (issue 13): each rejects its own row, naming the cell and the reason,
and never refuses the whole file. Every workbook is built here from synthetic rows."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from loaders import read_extract
from tests.loaders import build

D = datetime(2020, 2, 3)
REVIEWS_HEADER = ["Case Ref", "Order Date", "Review Number", "Review Due"]


def _xlsx_with_merged_block_below(rows: list[list[object]], cell_range: str) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active.merge_cells(cell_range)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsxwriter_book(rows: list[list[object]]) -> bytes:
    """xlsxwriter writes control characters as _xHHHH_ escapes, as Excel does; openpyxl refuses them."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False})
    sheet = book.add_worksheet("Orders")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1000", "1000"),
        ("100000", "100000"),
        ("12345678901234567890", "12345678901234567890"),
        ("0", "0"),
        ("-3", "-3"),
    ],
)
def test_an_implausible_review_number_rejects_its_row(typed, shown):
    text = ",".join(REVIEWS_HEADER) + f"\nR1,03/02/2020,{typed},\nR2,03/02/2020,2,\n"
    (sheet,) = read_extract("r.csv", text.encode()).sheets
    assert sheet.records["case_ref"].tolist() == ["R2"]
    assert sheet.records["review_due"].tolist() == [pd.Timestamp(2020, 8, 3)]
    assert sheet.rejects[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "review_number", shown, f"review_number: '{shown}' is not a plausible review number (1 to 999)"]
    ]


@pytest.mark.parametrize("number", [1e19, 1e300])
def test_a_huge_review_number_cell_in_a_workbook_rejects_its_row(number):
    shown = str(int(number))[:200]
    rows = [REVIEWS_HEADER, ["R1", D, number, None], ["R2", D, 999, datetime(2021, 1, 1)]]
    (sheet,) = read_extract("r.xlsx", build.xlsx(rows, title="Reviews")).sheets
    assert sheet.records["review_number"].tolist() == [999]
    assert sheet.rejects[["row", "column"]].values.tolist() == [[2, "review_number"]]
    assert sheet.rejects["reason"].tolist() == [
        f"review_number: '{shown}' is not a plausible review number (1 to 999)"
    ]


def test_a_due_date_that_would_be_computed_past_2099_rejects_its_row():
    text = ",".join(REVIEWS_HEADER) + "\nR1,03/02/2020,999,\nR2,15/11/2099,1,\nR3,03/02/2020,1,\n"
    (sheet,) = read_extract("r.csv", text.encode()).sheets
    assert sheet.records["case_ref"].tolist() == ["R3"]
    computed = "review_due computed from order_date and review_number"
    assert sheet.rejects[["row", "column", "reason"]].values.tolist() == [
        [2, "review_due", f"{computed} 999 would be after 31/12/2099"],
        [3, "review_due", f"{computed} 1 would be after 31/12/2099"],
    ]


def test_a_given_due_date_keeps_a_high_review_number():
    text = ",".join(REVIEWS_HEADER) + "\nR1,03/02/2020,999,03/02/2021\n"
    (sheet,) = read_extract("r.csv", text.encode()).sheets
    assert sheet.records["review_number"].tolist() == [999]
    assert sheet.rejects.empty


def test_an_empty_merged_block_below_the_data_is_ignored():
    rows = [["Case Ref", "Order Date", "Team"], ["A1", D, "North"], ["A2", D, "South"]]
    content = _xlsx_with_merged_block_below(rows, "A1005:C1010")
    (sheet,) = read_extract("o.xlsx", content).sheets
    assert sheet.records["case_ref"].tolist() == ["A1", "A2"]
    assert sheet.rejects.empty


def test_a_merged_block_running_past_the_last_row_fills_only_real_rows():
    rows = [["Case Ref", "Order Date", "Team"], ["A1", D, "North"], ["A2", D, None]]
    (sheet,) = read_extract("o.xlsx", _xlsx_with_merged_block_below(rows, "C2:C50")).sheets
    assert sheet.records["team"].tolist() == ["North", "North"]


@pytest.mark.parametrize("moment", [datetime(9999, 12, 31), datetime(2300, 1, 1)])
def test_a_real_date_cell_beyond_the_calendar_rejects_its_row(moment):
    rows = [["Case Ref", "Order Date"], ["A1", moment], ["A2", D]]
    (sheet,) = read_extract("o.xlsx", build.xlsx(rows)).sheets
    assert sheet.records["case_ref"].tolist() == ["A2"]
    reason = f"order_date: '{moment:%Y-%m-%d}' is outside the plausible range 01/01/1950-31/12/2099"
    assert sheet.rejects[["row", "column", "reason"]].values.tolist() == [[2, "order_date", reason]]


def test_control_characters_in_workbook_cells_reject_the_row_naming_the_column():
    rows = [
        ["Case Ref", "Order Date", "Team"],
        ["A\x00B", "03/02/2020", "North"],
        ["A2", "03/02/2020", "So\x1buth"],
        ["A3", "03/02/2020", "East"],
    ]
    (sheet,) = read_extract("o.xlsx", _xlsxwriter_book(rows)).sheets
    assert sheet.records["case_ref"].tolist() == ["A3"]
    assert sheet.rejects[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "case_ref", "A\u2400B", "case_ref: 'A\u2400B' contains a control character"],
        [3, "team", "So\u241buth", "team: 'So\u241buth' contains a control character"],
    ]


def test_no_stored_text_holds_a_control_character():
    rows = [["Case Ref", "Order Date", "No\x00tes", "Team"], ["A1", "03/02/2020", "x\x00y", "North"]]
    (sheet,) = read_extract("o.xlsx", _xlsxwriter_book(rows)).sheets
    assert sheet.ignored_columns == ["No\u2400tes"]
    assert sheet.records["case_ref"].tolist() == ["A1"]  # the note column is not stored


@pytest.mark.parametrize(
    "word", ["Total", "Totals", "TOTALS:", "Grand total", "Grand Total:", "  grand TOTAL  "]
)
def test_totals_rows_are_skipped_in_csv_and_workbooks(word):
    rows = [["Case Ref", "Order Date", "Team"], ["A1", D, "North"], [word, 1, 1], ["A2", D, "South"]]
    (book,) = read_extract("o.xlsx", build.xlsx(rows)).sheets
    text = "Case Ref,Order Date,Team\nA1,03/02/2020,North\n" + f"{word},1,1\nA2,03/02/2020,South\n"
    (csv,) = read_extract("o.csv", text.encode()).sheets
    for sheet in (book, csv):
        assert sheet.records["case_ref"].tolist() == ["A1", "A2"]
        assert sheet.skipped_rows == 1
        assert sheet.rejects.empty
