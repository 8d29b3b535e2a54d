"""Cell values: UK dates in every accepted shape, yes/no, grades, whole numbers and text."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pandas as pd
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from loaders import read_extract
from tests.loaders import build

FEB_3 = pd.Timestamp(2020, 2, 3)


def _csv_sheet(header: str, *lines: str, **options):
    text = header + "\n" + "\n".join(lines) + "\n"
    (sheet,) = read_extract("x.csv", text.encode(), **options).sheets
    return sheet


@pytest.mark.parametrize(
    "text",
    [
        "03/02/2020",
        "03/02/20",
        "3/2/2020",
        "03-02-2020",
        "03.02.2020",
        "2020-02-03",
        "3 Feb 2020",
        "03-Feb-20",
        "3 february 2020",
        "2020-02-03 14:25:00",
        "43864",
        "43864.75",
    ],
)
def test_text_dates_are_day_first_in_every_accepted_shape(text):
    sheet = _csv_sheet("Case Ref,Order Date", f"A1,{text}")
    assert sheet.records["order_date"].tolist() == [FEB_3]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2020", "order_date: '31/02/2020' is not a real date"),
        ("13/13/2020", "order_date: '13/13/2020' is not a real date"),
        ("02/30/2020", "order_date: '02/30/2020' is not a real date"),  # US order is never guessed
        ("soon", "order_date: 'soon' is not a date (day/month/year expected)"),
        ("03/02/2999", "order_date: '03/02/2999' is outside the plausible range 01/01/1950-31/12/2099"),
        ("0", "order_date: '0' is outside the plausible range 01/01/1950-31/12/2099"),
    ],
)
def test_impossible_dates_reject_the_row_with_a_reason(text, reason):
    sheet = _csv_sheet("Case Ref,Order Date", f"A1,{text}", "A2,04/02/2020")
    assert sheet.records["case_ref"].tolist() == ["A2"]
    assert sheet.rejects.to_dict("records") == [
        {"sheet": None, "row": 2, "column": "order_date", "value": text, "reason": reason, "team": None}
    ]


@pytest.mark.parametrize("word", ["n/a", "NA", "N/K", "-", "None", "not known", "UNKNOWN", "  ", ""])
def test_na_words_mean_blank_in_any_column(word):
    sheet = _csv_sheet("Case Ref,Order Date,First Contact,Team", f"A1,03/02/2020,{word},{word}")
    assert pd.isna(sheet.records["first_contact"].iloc[0])
    assert sheet.records["team"].iloc[0] is None
    assert sheet.rejects.empty


def test_a_blank_required_cell_rejects_the_row():
    sheet = _csv_sheet("Case Ref,Order Date,Team", "n/a,03/02/2020,North", "A2,,South")
    assert sheet.records.empty
    assert sheet.rejects[["row", "column", "reason"]].values.tolist() == [
        [2, "case_ref", "case_ref is blank"],
        [3, "order_date", "order_date is blank"],
    ]


def test_excel_dates_serials_and_datetimes_from_a_workbook():
    rows = [
        ["Case Ref", "Order Date", "First Contact", "Induction", "UPW Start"],
        [412.0, date(2020, 2, 3), datetime(2020, 2, 3, 16, 45), 43864, "43864"],
        ["00413", "03/02/2020", time(9, 30), True, None],
    ]
    (sheet,) = read_extract("orders.xlsx", build.xlsx(rows)).sheets
    first = sheet.records.iloc[0]
    assert first["case_ref"] == "412"
    assert [first[c] for c in ("order_date", "first_contact", "induction", "upw_start")] == [FEB_3] * 4
    assert sheet.rejects["reason"].tolist() == [
        "first_contact: '09:30:00' is not a date",
        "induction: 'True' is not a date",
    ]


def test_1904_date_system_workbooks_give_the_same_dates():
    rows = [["Case Ref", "Order Date"], ["A1", date(2020, 2, 3)], ["A2", datetime(1999, 12, 31)]]
    for epoch in (None, CALENDAR_MAC_1904):
        (sheet,) = read_extract("orders.xlsx", build.xlsx(rows, epoch=epoch)).sheets
        assert sheet.records["order_date"].tolist() == [FEB_3, pd.Timestamp(1999, 12, 31)]


def test_formula_cells_read_their_cached_values_and_uncached_ones_reject_their_row():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Orders")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Case Ref", "Order Date", "Team"])
    sheet.write_formula(1, 0, '="A"&"1"', None, "A1")
    sheet.write_formula(1, 1, "=DATE(2020,2,3)", dates, 43864)
    sheet.write_string(1, 2, "North")
    sheet.write_string(2, 0, "A2")
    sheet.write_formula(2, 1, "=DATE(2020,2,4)", dates, "")  # never calculated
    sheet.write_string(2, 2, "South")
    book.close()
    (result,) = read_extract("orders.xlsx", buffer.getvalue()).sheets
    assert result.records[["case_ref", "order_date"]].values.tolist() == [["A1", FEB_3]]
    assert result.rejects["reason"].tolist() == [
        "order_date: the cell holds a formula with no saved value; open the file in Excel and save it again",
        "order_date is blank",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("✓", True),
        ("n", False),
        ("No", False),
        ("false", False),
        ("0", False),
        ("✗", False),
    ],
)
def test_yes_no_words(text, expected):
    sheet = _csv_sheet("Case Ref,Review Due,Participated", f"A1,03/02/2020,{text}")
    assert sheet.records["participated"].tolist() == [expected]


def test_yes_no_from_workbook_booleans_and_numbers_and_a_bad_word():
    rows = [
        ["Case Ref", "Review Due", "Participated", "Needs Tool"],
        ["A1", FEB_3, True, 0],
        ["A2", FEB_3, "maybe", 1],
    ]
    (sheet,) = read_extract("r.xlsx", build.xlsx(rows)).sheets
    assert sheet.records[["participated", "needs_tool"]].values.tolist() == [[True, False]]
    assert sheet.rejects["reason"].tolist() == ["participated: 'maybe' is not yes or no"]


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("Excellent", 6),
        ("very good", 5),
        ("VeryGood", 5),
        (" GOOD ", 4),
        ("adequate", 3),
        ("Weak", 2),
        ("Unsatisfactory", 1),
        ("4", 4),
        (2, 2),
        (6.0, 6),
    ],
)
def test_grades_as_numbers_or_words(value, grade):
    rows = [["Case Ref", "Audit Date", "Grade"], ["A1", FEB_3, value]]
    (sheet,) = read_extract("a.xlsx", build.xlsx(rows)).sheets
    assert sheet.records["grade"].tolist() == [grade]
    assert str(sheet.records["grade"].dtype) == "Int64"


@pytest.mark.parametrize("value", ["7", 0, "Very Weak", 4.5, "Good-ish"])
def test_anything_else_is_not_a_grade(value):
    rows = [["Case Ref", "Audit Date", "Grade"], ["A1", FEB_3, value]]
    (sheet,) = read_extract("a.xlsx", build.xlsx(rows)).sheets
    assert sheet.records.empty
    assert "is not a grade (1-6 or Excellent" in sheet.rejects["reason"].iloc[0]


def test_review_number_is_a_whole_number():
    sheet = _csv_sheet(
        "Case Ref,Review Due,Review Number", "A1,03/02/2020,2", "A2,03/02/2020,2.5", "A3,03/02/2020,two"
    )
    assert sheet.records["review_number"].tolist() == [2]
    assert sheet.rejects["reason"].tolist() == [
        "review_number: '2.5' is not a whole number",
        "review_number: 'two' is not a whole number",
    ]


def test_text_is_stripped_and_numeric_case_refs_lose_the_excel_decimal():
    rows = [["Case Ref", "Order Date", "Team"], [412.0, FEB_3, "  North  "], ["00413", FEB_3, 7.5]]
    (sheet,) = read_extract("o.xlsx", build.xlsx(rows)).sheets
    assert sheet.records[["case_ref", "team"]].values.tolist() == [["412", "North"], ["00413", "7.5"]]


def test_a_factorised_columns_text_is_the_same_as_a_classified_ones():
    """Its row-by-row text is built only when asked for, and then holds what classifying gives."""
    from loaders.values import Cells

    raw = pd.Series([" North ", None, "n/a", "South", " North ", 3.0, "South", ""] * 5, dtype=object)
    factorised = Cells.of(raw)
    assert factorised.distinct is not None and factorised.stripped is None
    classified = Cells._classify(raw)
    pd.testing.assert_series_equal(factorised.text, classified.text, check_index_type=False)
    assert factorised.text.tolist() == ["North", "South", "North", "South"] * 5


def test_a_long_column_parsed_once_per_distinct_value_keeps_every_rows_verdict():
    """Columns are parsed per distinct value and spread back to rows: each row keeps its own result."""
    from loaders.values import Cells

    dates = ["03/02/2020", "04/02/2020", "31/02/2020", "n/a"] * 25
    teams = ["North", "South"] * 50
    lines = ["Case Ref,Order Date,Team"] + [
        f"C{number:03d},{date},{team}" for number, (date, team) in enumerate(zip(dates, teams, strict=True))
    ]
    (sheet,) = read_extract("orders.csv", "\n".join(lines).encode()).sheets

    assert Cells.of(pd.Series(dates, dtype=object)).distinct is not None  # the distinct-value path ran
    impossible = [row + 2 for row, date in enumerate(dates) if date == "31/02/2020"]
    blank = [row + 2 for row, date in enumerate(dates) if date == "n/a"]
    assert sheet.rejects["row"].tolist() == sorted(impossible + blank)
    assert set(sheet.rejects.loc[sheet.rejects["row"].isin(impossible), "reason"]) == {
        "order_date: '31/02/2020' is not a real date"
    }
    assert set(sheet.rejects.loc[sheet.rejects["row"].isin(blank), "reason"]) == {"order_date is blank"}
    assert sheet.records["order_date"].tolist() == [pd.Timestamp(2020, 2, 3), pd.Timestamp(2020, 2, 4)] * 25
    assert sheet.records["source_row"].tolist() == [
        row + 2 for row, date in enumerate(dates) if date in ("03/02/2020", "04/02/2020")
    ]
