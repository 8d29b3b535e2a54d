"""Working days and due dates (SPEC 3.1) on the calendar edges a service manager would check by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from measures import WorkingCalendar, scottish_bank_holidays


def due(start: str, n: int, local: tuple[date, ...] = ()) -> date:
    calendar = WorkingCalendar(local, years=range(2019, 2029))
    return pd.Timestamp(calendar.add_working_days([start], n)[0]).date()


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        ("2020-05-22", 1, date(2020, 5, 26), "Fri before the Spring Bank Holiday Mon 25 May"),
        ("2020-05-22", 5, date(2020, 6, 1), "26, 27, 28, 29 May, 1 June"),
        ("2020-05-22", 0, date(2020, 5, 22), "day 0 is the day itself when it is a working day"),
        ("2020-06-13", 0, date(2020, 6, 15), "a Saturday rolls forward to Monday"),
        ("2020-06-13", 1, date(2020, 6, 16), "Saturday order: Monday is day 0, Tuesday day 1"),
        ("2025-11-28", 1, date(2025, 12, 2), "St Andrew's Day (Sun 30 Nov) observed Mon 1 Dec"),
        ("2025-12-31", 1, date(2026, 1, 5), "1 Jan and 2 Jan (Thu, Fri) are both holidays in Scotland"),
        ("2026-12-24", 1, date(2026, 12, 29), "Christmas Fri 25, Boxing Day observed Mon 28"),
        ("2026-12-24", 5, date(2027, 1, 6), "29, 30, 31 Dec, (1 Jan, 4 Jan observed 2 Jan), 5, 6 Jan"),
        ("2026-12-24", 7, date(2027, 1, 8), "7 working days runs to Friday 8 January"),
    ],
)
def test_due_dates_skip_weekends_and_scottish_bank_holidays(
    start: str, n: int, expected: date, why: str
) -> None:
    assert due(start, n) == expected, why


def test_holidays_package_gives_the_observed_substitute_days() -> None:
    days = set(scottish_bank_holidays([2025, 2026, 2027]))
    assert {date(2025, 12, 1), date(2026, 12, 28), date(2027, 1, 4), date(2026, 1, 2)} <= days
    assert date(2027, 1, 2) in days  # the Saturday itself is listed; it is a weekend day anyway


def test_a_local_holiday_moves_the_due_date_on() -> None:
    # Fri 25 Sep 2020 + 1 working day is Mon 28 Sep, unless the council closes that Monday.
    assert due("2020-09-25", 1) == date(2020, 9, 28)
    assert due("2020-09-25", 1, local=(date(2020, 9, 28),)) == date(2020, 9, 29)


def test_working_days_between_counts_from_the_rolled_forward_start() -> None:
    calendar = WorkingCalendar(years=range(2019, 2022))
    start = pd.Series(pd.to_datetime(["2020-05-22", "2020-06-13", "2020-06-13", "2020-06-10", "2020-05-22"]))
    end = pd.Series(pd.to_datetime(["2020-05-26", "2020-06-15", "2020-06-14", "2020-06-01", None]))
    counts = calendar.working_days_between(start, end)
    # Fri->Tue over a bank holiday is 1; Sat->Mon and Sat->Sun are 0; 10 June back to 1 June is 7 early.
    assert counts.tolist() == [1, 0, 0, -7, pd.NA]


def test_dates_outside_the_calendar_years_still_skip_weekends() -> None:
    calendar = WorkingCalendar(years=[2020])
    # Fri 3 Jan 2031 + 1 working day = Mon 6 Jan 2031, outside the table the calendar precomputed.
    assert pd.Timestamp(calendar.add_working_days(["2031-01-03"], 1)[0]).date() == date(2031, 1, 6)
    assert calendar.working_days_between(["2031-01-03"], ["2031-01-06"]).tolist() == [1]


def test_blank_dates_stay_blank() -> None:
    calendar = WorkingCalendar(years=[2020])
    result = calendar.add_working_days(pd.Series(pd.to_datetime([None, "2020-05-22"])), 1)
    assert np.isnat(result[0])
    assert pd.Timestamp(result[1]).date() == date(2020, 5, 26)
