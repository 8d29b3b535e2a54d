"""Financial quarters (SPEC 3.4): April to March, labelled like "2020-21 Q3"."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from measures import parse_quarter, quarter_after, quarter_label, quarter_start, quarters_between


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2020, 3, 31), "2019-20 Q4"),
        (date(2020, 4, 1), "2020-21 Q1"),
        (date(2020, 6, 30), "2020-21 Q1"),
        (date(2020, 7, 1), "2020-21 Q2"),
        (date(2020, 10, 1), "2020-21 Q3"),
        (date(2020, 12, 31), "2020-21 Q3"),
        (date(2021, 1, 1), "2020-21 Q4"),
        (date(1999, 5, 1), "1999-00 Q1"),
    ],
)
def test_quarter_label(day: date, label: str) -> None:
    assert quarter_label(day) == label


@pytest.mark.parametrize(
    ("label", "first_day"),
    [
        ("2020-21 Q1", date(2020, 4, 1)),
        ("2020-21 Q3", date(2020, 10, 1)),
        ("2020-21 Q4", date(2021, 1, 1)),
        ("2099-00 Q2", date(2099, 7, 1)),
        (" 2020-21 q3 ", date(2020, 10, 1)),
    ],
)
def test_parse_quarter(label: str, first_day: date) -> None:
    assert parse_quarter(label) == first_day


@pytest.mark.parametrize("label", ["2020-22 Q1", "2020 Q1", "2020-21 Q5", "Q3 2020-21", ""])
def test_parse_quarter_rejects_a_bad_label(label: str) -> None:
    with pytest.raises(ValueError, match="quarter"):
        parse_quarter(label)


@pytest.mark.parametrize(
    ("day", "first_day"),
    [
        (date(2020, 3, 31), date(2020, 1, 1)),
        (date(2020, 4, 1), date(2020, 4, 1)),
        (date(2020, 11, 15), date(2020, 10, 1)),
    ],
)
def test_quarter_start(day: date, first_day: date) -> None:
    assert quarter_start(day) == first_day


@pytest.mark.parametrize(
    ("label", "next_first_day"),
    [
        ("2020-21 Q1", date(2020, 7, 1)),
        ("2020-21 Q3", date(2021, 1, 1)),
        ("2020-21 Q4", date(2021, 4, 1)),
    ],
)
def test_quarter_after_is_the_first_day_of_the_next_quarter(label: str, next_first_day: date) -> None:
    assert quarter_after(label) == next_first_day


def test_quarters_between_lists_every_quarter_across_a_year_end() -> None:
    assert quarters_between(date(2019, 12, 31), pd.Timestamp("2020-07-01")) == [
        "2019-20 Q3",
        "2019-20 Q4",
        "2020-21 Q1",
        "2020-21 Q2",
    ]
    assert quarters_between(date(2020, 5, 1), date(2020, 6, 30)) == ["2020-21 Q1"]
