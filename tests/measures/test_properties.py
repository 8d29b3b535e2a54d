"""Properties that must hold for any data: one status per applicable record, counts add up, rates in range."""

from __future__ import annotations

from datetime import date, timedelta

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


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=date(2019, 1, 1), max_value=date(2022, 12, 31)),
    n=st.integers(0, 30),
    holiday=st.dates(min_value=date(2019, 1, 1), max_value=date(2023, 6, 30)),
)
def test_adding_a_holiday_never_makes_a_due_date_earlier(start: date, n: int, holiday: date) -> None:
    years = range(2018, 2025)
    before = WorkingCalendar((), years).add_working_days([start], n)[0]
    after = WorkingCalendar((holiday,), years).add_working_days([start], n)[0]
    assert after >= before


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
