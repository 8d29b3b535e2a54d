"""Hand-made mutations the loader tests once let through (issue 14), each pinned by a hand-made sheet.

Each test names the mutation it catches.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from loaders import read_extract
from tests.loaders import build

DUE, HELD = datetime(2020, 6, 10), datetime(2020, 6, 12)
REVIEWS_HEADER = ["Case Ref", "Review Due", "Review Held", "Participated"]


# --- the header row needs two recognised names (SPEC 4) -------------------------------------------

# "Reference" (case_ref), "Order" (order_type) and "Review" (review_number) are each a synonym on its
# own, so a title row holding one of them as a cell has exactly one recognised name: not enough.
TITLE_ROWS_WITH_ONE_RECOGNISED_NAME = {
    "a title cell reading just Review": ["Review"],
    "Reference beside the title text": ["Reference", "list for Review"],
    "Order beside a run date": ["Order", None, "Report run on 15/06/2020 09:12"],
}


@pytest.mark.parametrize(
    "title", TITLE_ROWS_WITH_ONE_RECOGNISED_NAME.values(), ids=list(TITLE_ROWS_WITH_ONE_RECOGNISED_NAME)
)
def test_a_title_row_with_one_recognised_name_is_not_the_header(title: list) -> None:
    """Mutation caught: one recognised name taken as enough (">= 1" for ">= 2" in find_header_row)."""
    rows = [title, [], REVIEWS_HEADER, ["A1", DUE, HELD, "Yes"], ["A2", DUE, None, None]]
    (sheet,) = read_extract("reviews.xlsx", build.xlsx(rows, title="Reviews")).sheets
    assert sheet.header_row == 3  # Excel row 3, below the title and the blank row
    assert sheet.dataset == "reviews"
    assert sheet.column_map == {
        "Case Ref": "case_ref",
        "Review Due": "review_due",
        "Review Held": "review_held",
        "Participated": "participated",
    }
    assert sheet.records["case_ref"].tolist() == ["A1", "A2"]
    assert sheet.records["source_row"].tolist() == [4, 5]
    assert sheet.rejects.empty


def test_a_csv_title_row_with_one_recognised_name_is_not_the_header() -> None:
    """Mutation caught: ">= 1" for ">= 2", through the CSV reader."""
    text = "Review\n\nCase Ref,Review Due,Review Held,Participated\nA1,10/06/2020,12/06/2020,Y\n"
    (sheet,) = read_extract("reviews.csv", text.encode()).sheets
    assert (sheet.header_row, sheet.dataset) == (3, "reviews")
    assert sheet.records["case_ref"].tolist() == ["A1"]
    assert sheet.records["source_row"].tolist() == [4]


def test_the_words_of_one_title_cell_are_not_separate_names() -> None:
    """Mutation caught: a title cell matched word by word ("Reference list for Review" holds two
    synonyms, but it is one cell reading neither)."""
    rows = [["Reference list for Review"], REVIEWS_HEADER, ["A1", DUE, HELD, "No"]]
    (sheet,) = read_extract("reviews.xlsx", build.xlsx(rows, merges=["A1:D1"], title="Reviews")).sheets
    assert (sheet.header_row, sheet.dataset) == (2, "reviews")
    assert sheet.records["case_ref"].tolist() == ["A1"]


def test_a_row_with_two_recognised_names_is_the_header() -> None:
    """The other side of the rule: two recognised names are enough, even among unknown columns."""
    rows = [["Case Ref", "Notes", "Order Date"], ["A1", "first", DUE]]
    (sheet,) = read_extract("orders.xlsx", build.xlsx(rows)).sheets
    assert (sheet.header_row, sheet.dataset, sheet.ignored_columns) == (1, "orders", ["Notes"])


# --- tick and cross marks as yes and no (SPEC 4) --------------------------------------------------

# Heavy and light ticks are both yes, both crosses no, in either column and with stray spaces.
TICKS_AND_CROSSES = [("✔", "✘"), ("✓", "✗"), ("✘", "✔"), (" ✔ ", "✗")]
EXPECTED = {
    "participated": [True, True, False, True],
    "needs_tool": [False, False, True, False],
}


def test_ticks_and_crosses_in_a_csv_are_yes_and_no() -> None:
    """Mutations caught: "✔" or "✓" not read as yes, "✘" or "✗" not read as no (the row is rejected)."""
    lines = ["Case Ref,Review Due,Review Held,Participated,Needs Tool"]
    lines += [f"A{i},10/06/2020,12/06/2020,{p},{n}" for i, (p, n) in enumerate(TICKS_AND_CROSSES, 1)]
    (sheet,) = read_extract("reviews.csv", ("\n".join(lines) + "\n").encode("utf-8")).sheets
    assert sheet.rejects.empty, sheet.rejects.to_dict("records")
    assert {column: sheet.records[column].tolist() for column in EXPECTED} == EXPECTED


def test_ticks_and_crosses_in_a_workbook_are_yes_and_no() -> None:
    """The same mutations, through the workbook reader."""
    rows = [["Case Ref", "Review Due", "Review Held", "Participated", "Needs Tool"]]
    rows += [[f"A{i}", DUE, HELD, p, n] for i, (p, n) in enumerate(TICKS_AND_CROSSES, 1)]
    (sheet,) = read_extract("reviews.xlsx", build.xlsx(rows, title="Reviews")).sheets
    assert sheet.rejects.empty, sheet.rejects.to_dict("records")
    assert {column: sheet.records[column].tolist() for column in EXPECTED} == EXPECTED


def test_a_mark_that_is_neither_tick_nor_cross_rejects_its_row() -> None:
    """The other side: a question mark is no answer the service gave, so the row is rejected."""
    text = "Case Ref,Review Due,Participated\nA1,10/06/2020,✔\nA2,10/06/2020,?\n"
    (sheet,) = read_extract("reviews.csv", text.encode("utf-8")).sheets
    assert sheet.records["participated"].tolist() == [True]
    assert sheet.rejects["row"].tolist() == [3]
    assert "is not yes or no" in sheet.rejects["reason"].iloc[0]
