"""Properties that must hold for any data: one status per applicable record, counts add up, rates in range."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from measures import (
    RAG_VALUES,
    STATUSES,
    WorkingCalendar,
    default_settings,
    quarterly_compliance,
    record_statuses,
)
from tests.measures.frames import orders

# requirements text -> (unpaid work measure applies, supervision measures apply), worked out by hand
REQUIREMENTS = {
    None: (True, True),
    "UPW": (True, False),
    "Offender Supervision + Unpaid Work": (True, True),
    "Supervision": (False, True),
    "Conduct; Programme": (False, False),
}
TO_COLUMNS = ("first_contact", "induction", "upw_start", "lscmi_completed", "cmp_completed")
days_2019_2021 = st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31))

order_rows = st.lists(
    st.fixed_dictionaries(
        {
            "order_date": days_2019_2021,
            "requirements": st.sampled_from(list(REQUIREMENTS)),
            "exclusion_reason": st.sampled_from([None, None, None, "Transferred in"]),
            "offsets": st.lists(st.one_of(st.none(), st.integers(-5, 45)), min_size=5, max_size=5),
        }
    ),
    min_size=1,
    max_size=25,
)


def build_orders(rows: list[dict]) -> dict[str, pd.DataFrame]:
    records = []
    for row in rows:
        record = {key: row[key] for key in ("order_date", "requirements", "exclusion_reason")}
        for column, offset in zip(TO_COLUMNS, row["offsets"], strict=True):
            record[column] = None if offset is None else row["order_date"] + timedelta(days=offset)
        records.append(record)
    return orders(*records)


@settings(max_examples=60, deadline=None)
@given(rows=order_rows, as_at=days_2019_2021)
def test_every_applicable_order_gets_exactly_one_status_and_counts_add_up(
    rows: list[dict], as_at: date
) -> None:
    rules = default_settings()
    statuses = record_statuses(build_orders(rows), rules, as_at)
    all_ids = set(range(1, len(rows) + 1))
    upw_ids = {i for i, row in enumerate(rows, 1) if REQUIREMENTS[row["requirements"]][0]}
    supervision_ids = {i for i, row in enumerate(rows, 1) if REQUIREMENTS[row["requirements"]][1]}
    expected = {
        "first_contact": all_ids,
        "induction": all_ids,
        "upw_start": upw_ids,
        "lscmi": supervision_ids,
        "cmp": supervision_ids,
    }
    assert set(statuses["status"]) <= set(STATUSES)
    for measure, ids in expected.items():
        records = statuses.loc[statuses["measure"] == measure, "record_id"]
        assert records.is_unique
        assert set(records) == ids

    table = quarterly_compliance(statuses, rules)
    totals = table.groupby("measure")[["met", "missed", "pending", "excluded", "invalid"]].sum().sum(axis=1)
    assert {measure: len(ids) for measure, ids in expected.items() if ids} == totals.to_dict()
    rates = table["rate"].dropna()
    assert ((rates >= 0) & (rates <= 100)).all()
    assert table.loc[table["rate"].isna(), ["met", "missed"]].sum().sum() == 0
    assert set(table["rag"]) <= set(RAG_VALUES)
    assert (table.loc[table["rate"].isna(), "rag"] == "grey").all()

    excluded_ids = {i for i, row in enumerate(rows, 1) if row["exclusion_reason"]}
    assert set(statuses.loc[statuses["status"] == "excluded", "record_id"]) == excluded_ids & all_ids
    decided = statuses[statuses["status"].isin(["met", "missed"]) & statuses["to_date"].notna()]
    for measure in ("first_contact", "induction", "upw_start"):
        mine = decided[decided["measure"] == measure]
        within = mine["days_taken"].astype(int) <= rules.rules[measure].number
        assert (within == (mine["status"] == "met")).all()


# The independent reference for SPEC 3.1: a plain day-by-day walk over Monday-Friday that skips the
# `holidays` package's Scottish bank holidays (observed days included) and the local holidays. It
# shares nothing with measures.calendar (no numpy busday functions, no cached calendar).
CALENDAR_YEARS = range(2018, 2030)
SCOTTISH_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="SCT", years=CALENDAR_YEARS)
HOLIDAYS_2019_2027 = sorted(
    day for day in SCOTTISH_BANK_HOLIDAYS if date(2019, 1, 1) <= day <= date(2027, 12, 31)
)
# Start dates are forced to lie on a bank holiday or in the ten days before one, so that the walk to
# the due date nearly always crosses a holiday: a calendar that ignored them would soon be caught.
near_a_bank_holiday = st.builds(
    lambda holiday, days_before: holiday - timedelta(days=days_before),
    st.sampled_from(HOLIDAYS_2019_2027),
    st.integers(0, 10),
)


def is_working_day(day: date, local: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in SCOTTISH_BANK_HOLIDAYS and day not in local


def next_working_day(day: date, local: frozenset[date]) -> date:
    while not is_working_day(day, local):
        day += timedelta(days=1)
    return day


def walk_working_days(start: date, n: int, local: frozenset[date]) -> date:
    """Roll `start` forward to a working day (day 0), then step on one working day `n` times."""
    day = next_working_day(start, local)
    for _ in range(n):
        day = next_working_day(day + timedelta(days=1), local)
    return day


def test_the_day_by_day_walk_agrees_with_hand_worked_dates() -> None:
    """The reference itself, checked by hand, so the properties below cannot share a mistake with it."""
    # Fri 22 May 2020 + 1: Mon 25 May 2020 was the Spring bank holiday, so Tue 26 May.
    assert walk_working_days(date(2020, 5, 22), 1, frozenset()) == date(2020, 5, 26)
    # Thu 24 Dec 2026 + 5: Fri 25 Christmas, Mon 28 Boxing Day observed; 29, 30, 31 Dec; Fri 1 Jan
    # 2027 and Mon 4 Jan (2 January observed) are holidays; so 5 and 6 Jan. Day 5 is Wed 6 Jan 2027.
    assert walk_working_days(date(2026, 12, 24), 5, frozenset()) == date(2027, 1, 6)
    # Fri 25 Sep 2020 + 1 is Mon 28 Sep, or Tue 29 Sep when the council closes for the September weekend.
    assert walk_working_days(date(2020, 9, 25), 1, frozenset()) == date(2020, 9, 28)
    assert walk_working_days(date(2020, 9, 25), 1, frozenset({date(2020, 9, 28)})) == date(2020, 9, 29)


@settings(max_examples=150, deadline=None)
@given(
    start=near_a_bank_holiday,
    n=st.integers(0, 8),
    local_offset=st.one_of(st.none(), st.integers(-2, 12)),
)
def test_due_dates_skip_weekends_bank_holidays_and_local_holidays(
    start: date, n: int, local_offset: int | None
) -> None:
    """Caught: bank holidays ignored, local holidays ignored (either makes some due date too early)."""
    local = frozenset() if local_offset is None else frozenset({start + timedelta(days=local_offset)})
    calendar = WorkingCalendar(local, CALENDAR_YEARS)
    due = pd.Timestamp(calendar.add_working_days([start], n)[0]).date()
    assert due == walk_working_days(start, n, local)
    assert is_working_day(due, local), f"due on {due:%a %d %b %Y}, not a working day"
    assert calendar.working_days_between([start], [due]).tolist() == [n]


@settings(max_examples=40, deadline=None)
@given(
    order_days=st.lists(near_a_bank_holiday, min_size=1, max_size=8),
    local_picks=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 10)), max_size=3),
)
def test_order_due_dates_in_record_statuses_skip_every_holiday(
    order_days: list[date], local_picks: list[tuple[int, int]]
) -> None:
    """The same through record_statuses and its settings: local holidays given as a setting reach the
    calendar, and the calendar it builds covers the data's years (first contact 1, induction 5 and
    unpaid work 7 working days)."""
    local = frozenset(
        order_days[pick % len(order_days)] + timedelta(days=offset) for pick, offset in local_picks
    )
    rules = dataclasses.replace(default_settings(), local_holidays=sorted(local))
    frames = orders(*({"order_date": day, "requirements": "Unpaid Work"} for day in order_days))
    statuses = record_statuses(frames, rules, date(2028, 1, 1))
    for measure, n in (("first_contact", 1), ("induction", 5), ("upw_start", 7)):
        mine = statuses[statuses["measure"] == measure].sort_values("record_id")
        assert mine["due_date"].dt.date.tolist() == [walk_working_days(day, n, local) for day in order_days]


@settings(max_examples=60, deadline=None)
@given(
    starts=st.lists(
        st.one_of(st.none(), st.dates(date(2010, 1, 1), date(2035, 12, 31))), min_size=1, max_size=20
    ),
    gaps=st.lists(st.integers(-40, 40), min_size=20, max_size=20),
    n=st.integers(0, 40),
)
def test_working_calendar_agrees_with_numpy_busday_functions(starts: list, gaps: list, n: int) -> None:
    calendar = WorkingCalendar((date(2020, 9, 28),), years=range(2019, 2023))
    begin = np.array(
        [np.datetime64(day) if day else np.datetime64("NaT") for day in starts], dtype="datetime64[D]"
    )
    end = begin + np.array(gaps[: len(begin)], dtype="timedelta64[D]")
    cal = calendar.busdaycalendar
    known = ~np.isnat(begin)
    due = calendar.add_working_days(begin, n)
    assert np.array_equal(due[known], np.busday_offset(begin[known], n, roll="forward", busdaycal=cal))
    assert np.isnat(due[~known]).all()
    counts = calendar.working_days_between(begin, end)
    # SPEC 3.1 counts from the start rolled forward; the end is rolled too, so a Sunday end counts as Monday.
    rolled_begin = np.busday_offset(begin[known], 0, roll="forward", busdaycal=cal)
    rolled_end = np.busday_offset(end[known], 0, roll="forward", busdaycal=cal)
    assert counts[known].tolist() == np.busday_count(rolled_begin, rolled_end, busdaycal=cal).tolist()
    assert counts[~known].isna().all()
