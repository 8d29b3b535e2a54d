"""The data date of an extract (SPEC 4, issue 8): a title row's date, else the latest happened date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders import read_extract
from loaders.data_date import data_date, latest_happened_date
from loaders.isolated import read_extract_isolated

from . import build

HEADER = "Case Ref,Order Date,First Contact"
ROWS = "A1,04/01/2021,05/01/2021\nA2,01/02/2021,\n"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Report run on 15/02/2021 09:12", dt.date(2021, 2, 15)),
        ("Run date: 15/02/2021", dt.date(2021, 2, 15)),
        ("Extracted on 15 Feb 2021", dt.date(2021, 2, 15)),
        ("Data as at 2021-02-15", dt.date(2021, 2, 15)),
        ("As at,15/02/2021", dt.date(2021, 2, 15)),  # the words in one cell, the date in the next
        ("REPORT RUN ON 15-02-21", dt.date(2021, 2, 15)),
        ("Orders 2020 to 2021", None),  # a title with no date words
        ("Report run on 31/02/2021", None),  # no such day: not a date
    ],
)
def test_a_title_row_gives_the_extracts_date(title, expected):
    content = build.csv(f"Justice social work orders\n{title}\n\n{HEADER}\n{ROWS}")
    assert read_extract("orders.csv", content).sheets[0].report_date == expected


def test_a_real_excel_date_beside_the_words_is_read():
    content = build.xlsx(
        [
            ["Orders extract"],
            ["Report run on", dt.datetime(2021, 2, 15, 9, 12)],
            [],
            ["Case Ref", "Order Date", "First Contact"],
            ["A1", dt.datetime(2021, 1, 4), dt.datetime(2021, 1, 5)],
        ]
    )
    assert read_extract("orders.xlsx", content).sheets[0].report_date == dt.date(2021, 2, 15)


def test_the_child_reader_hands_the_date_on():
    content = build.csv(f"Report run on 15/02/2021\n{HEADER}\n{ROWS}")
    assert read_extract_isolated("orders.csv", content).sheets[0].report_date == dt.date(2021, 2, 15)


def test_without_a_title_the_latest_happened_date_and_never_a_due_date():
    reviews = pd.DataFrame(
        {
            "review_due": pd.to_datetime(["2021-06-01", "2021-03-01"]),  # due dates say nothing
            "review_held": pd.to_datetime(["2021-02-10", None]),
            "recorded": pd.to_datetime(["2021-02-12", None]),
        }
    )
    assert latest_happened_date(reviews, "reviews", dt.date(2021, 2, 16)) == dt.date(2021, 2, 12)
    assert data_date(None, reviews, "reviews", dt.date(2021, 2, 16)) == dt.date(2021, 2, 12)


def test_never_later_than_the_upload_day():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2031-01-04"])})  # a typing slip
    assert data_date(None, orders, "orders", dt.date(2021, 2, 16)) == dt.date(2021, 2, 16)
    assert data_date(dt.date(2021, 3, 1), orders, "orders", dt.date(2021, 2, 16)) == dt.date(2021, 2, 16)


def test_a_sheet_without_any_dates_has_none():
    audits = pd.DataFrame({"audit_date": pd.Series([], dtype="datetime64[ns]")})
    assert data_date(None, audits, "audits", dt.date(2021, 2, 16)) is None
