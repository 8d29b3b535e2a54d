"""The worklist (SPEC 7.2): open cases due soon, each date worked out by hand on a 2020 calendar.

Monday 25 May 2020 was the Spring bank holiday in Scotland; June 2020 had none.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from measures import default_settings, record_statuses
from measures.filters import Filters
from measures.worklist import WORKLIST_COLUMNS, open_work, work_by_area, work_counts, work_in_filters
from tests.measures.frames import frame


def worklist(
    orders: list[dict[str, object]] = (),
    reviews: list[dict[str, object]] = (),
    *,
    as_at: date,
    within: int = 10,
    settings=None,
) -> pd.DataFrame:
    frames = {
        "orders": frame("orders", [{"case_ref": f"ORD-{i}", **row} for i, row in enumerate(orders, 1)]),
        "reviews": frame("reviews", [{"case_ref": f"REV-{i}", **row} for i, row in enumerate(reviews, 1)]),
    }
    settings = settings or default_settings()
    statuses = record_statuses(frames, settings, as_at)
    return open_work(statuses, frames["reviews"], settings, as_at, within)


def only(work: pd.DataFrame, measure: str) -> pd.DataFrame:
    return work[work["measure"] == measure].reset_index(drop=True)


def test_a_due_date_on_a_bank_holiday_weekend_rolls_forward_and_counts_working_days_left() -> None:
    # Order Friday 22 May; first contact within 1 working day: Monday 25 is a holiday -> due Tuesday 26.
    # As at Friday 22 May: working days from the 22nd to the 26th are Friday only (Monday is a holiday).
    work = only(worklist([{"order_date": "2020-05-22"}], as_at=date(2020, 5, 22)), "first_contact")
    assert work.loc[0, "due_date"] == pd.Timestamp("2020-05-26")
    assert work.loc[0, "working_days_left"] == 1
    assert work.loc[0, "when"] == "next week"
    assert work.loc[0, "order_date"] == pd.Timestamp("2020-05-22")
    assert pd.isna(work.loc[0, "review_due"])


def test_a_case_due_on_the_as_at_date_has_no_days_left_and_is_due_this_week() -> None:
    # Order Monday 1 June; first contact due Tuesday 2 June; as at the 2nd.
    work = only(worklist([{"order_date": "2020-06-01"}], as_at=date(2020, 6, 2)), "first_contact")
    assert (work.loc[0, "working_days_left"], work.loc[0, "when"]) == (0, "this week")


@pytest.mark.parametrize(
    ("order_date", "as_at", "due"),
    [
        ("2020-06-01", date(2020, 6, 3), "2020-06-02"),  # due Tuesday, as at Wednesday
        (
            "2020-06-04",
            date(2020, 6, 8),
            "2020-06-05",
        ),  # due Friday, as at Monday: the weekend is not counted
    ],
)
def test_overdue_by_one_working_day(order_date: str, as_at: date, due: str) -> None:
    work = only(worklist([{"order_date": order_date}], as_at=as_at), "first_contact")
    assert work.loc[0, "due_date"] == pd.Timestamp(due)
    assert (work.loc[0, "working_days_left"], work.loc[0, "when"]) == (-1, "overdue")


def test_an_excluded_case_and_a_done_step_are_left_out() -> None:
    work = worklist(
        [
            {"order_date": "2020-06-01", "exclusion_reason": "Transferred in"},
            {"order_date": "2020-06-01", "first_contact": "2020-06-02"},  # first contact done; induction open
        ],
        as_at=date(2020, 6, 3),
    )
    assert "ORD-1" not in set(work["case_ref"])
    assert "first_contact" not in set(work.loc[work["case_ref"] == "ORD-2", "measure"])
    assert "induction" in set(work.loc[work["case_ref"] == "ORD-2", "measure"])


def test_a_review_with_no_held_date_is_open_but_cannot_yet_be_recorded() -> None:
    # Review due Monday 1 June, not held; as at Friday 29 May: one working day left (the Friday).
    work = worklist(reviews=[{"review_due": "2020-06-01"}], as_at=date(2020, 5, 29))
    assert list(work["measure"]) == ["review_on_time"]
    assert work.loc[0, "review_due"] == pd.Timestamp("2020-06-01")
    assert pd.isna(work.loc[0, "order_date"])
    assert (work.loc[0, "working_days_left"], work.loc[0, "when"]) == (1, "next week")


def test_a_held_review_not_yet_recorded_shows_its_review_due_date() -> None:
    # Due Friday 29 May, held Monday 1 June, not recorded: recording due 5 working days on, Monday 8 June.
    work = worklist(
        reviews=[{"review_due": "2020-05-29", "review_held": "2020-06-01"}],
        as_at=date(2020, 6, 3),
    )
    assert list(work["measure"]) == ["review_recorded"]
    assert work.loc[0, "review_due"] == pd.Timestamp("2020-05-29")
    assert work.loc[0, "due_date"] == pd.Timestamp("2020-06-08")
    assert (work.loc[0, "working_days_left"], work.loc[0, "when"]) == (3, "next week")


def test_the_reach_ends_exactly_n_working_days_on() -> None:
    # As at Monday 1 June, 10 working days on is Monday 15 June: in; Tuesday 16 June: out.
    work = worklist(
        reviews=[{"review_due": "2020-06-15"}, {"review_due": "2020-06-16"}],
        as_at=date(2020, 6, 1),
    )
    assert list(work["case_ref"]) == ["REV-1"]
    assert work.loc[0, "working_days_left"] == 10
    assert work.loc[0, "when"] == "later"
    assert worklist(reviews=[{"review_due": "2020-06-16"}], as_at=date(2020, 6, 1), within=11)[
        "case_ref"
    ].tolist() == ["REV-1"]


def test_a_council_holiday_counts_as_a_non_working_day() -> None:
    settings = dataclasses.replace(default_settings(), local_holidays=[date(2020, 6, 2)])
    # Order Monday 1 June; first contact due the next working day: Tuesday 2 is the council's holiday.
    work = only(
        worklist([{"order_date": "2020-06-01"}], as_at=date(2020, 6, 1), settings=settings), "first_contact"
    )
    assert work.loc[0, "due_date"] == pd.Timestamp("2020-06-03")
    assert work.loc[0, "working_days_left"] == 1


def test_ordered_by_due_date_then_measure_order_then_case() -> None:
    work = worklist(
        [{"order_date": "2020-06-01"}, {"order_date": "2020-05-29"}],
        [{"review_due": "2020-06-02"}],
        as_at=date(2020, 6, 1),
    )
    keys = list(zip(work["due_date"].dt.strftime("%d/%m"), work["measure"], work["case_ref"], strict=True))[
        :3
    ]
    # ORD-2's first contact was due Monday 1 June; ORD-1's Tuesday 2 June ties with the review on that day.
    assert keys == [
        ("01/06", "first_contact", "ORD-2"),
        ("02/06", "first_contact", "ORD-1"),
        ("02/06", "review_on_time", "REV-1"),
    ]
    assert tuple(work.columns[: len(WORKLIST_COLUMNS)]) == WORKLIST_COLUMNS


def test_counts_per_worker_put_the_most_overdue_first() -> None:
    work = worklist(
        [
            {"order_date": "2020-06-01", "worker": "Ann (demo)", "requirements": "Supervision"},
            {"order_date": "2020-05-20", "worker": "Bob (demo)", "requirements": "Supervision"},
        ],
        as_at=date(2020, 6, 3),
        within=0,
    )
    counts = work_counts(work, "worker").set_index("worker")
    # Bob's order of Wednesday 20 May: first contact (due 21st) and induction (due 28th) overdue.
    # Ann's order of Monday 1 June: first contact (due 2nd) overdue, induction not due in reach.
    assert list(counts.index) == ["Bob (demo)", "Ann (demo)"]
    assert counts.loc["Bob (demo)", "overdue"] == 2
    assert counts.loc["Ann (demo)", "overdue"] == 1
    assert (
        counts["total"].tolist()
        == (counts["overdue"] + counts["this week"] + counts["next week"] + counts["later"]).tolist()
    )
    by_area = work_by_area(
        work, {"Assessment": ("first_contact", "induction"), "Reviews": ("review_on_time",)}
    )
    assert by_area.to_dict("records") == [
        {"area": "Assessment", "overdue": 3, "due soon": 0},
        {"area": "Reviews", "overdue": 0, "due soon": 0},
    ]


def test_nothing_open_gives_an_empty_worklist_with_the_spec_columns() -> None:
    work = worklist(
        [{"order_date": "2020-06-01", "first_contact": "2020-06-01"}], as_at=date(2020, 6, 1), within=0
    )
    work = work[work["measure"] == "first_contact"]
    assert work.empty
    # the overview's open-work line for each area then says nothing is open
    assert work_by_area(work, {"Assessment": ("first_contact", "induction")}).to_dict("records") == [
        {"area": "Assessment", "overdue": 0, "due soon": 0}
    ]
    assert open_work(
        record_statuses({}, default_settings(), date(2020, 6, 1)), None, default_settings(), date(2020, 6, 1)
    ).columns[: len(WORKLIST_COLUMNS)].tolist() == list(WORKLIST_COLUMNS)


def test_the_sidebar_filters_keep_their_team_and_worker_but_not_a_quarter_range() -> None:
    work = worklist(
        [
            {"order_date": "2019-06-03", "team": "North", "worker": "Ann (demo)"},  # a year overdue
            {"order_date": "2020-06-01", "team": "South", "worker": "Bob (demo)"},
        ],
        as_at=date(2020, 6, 3),
        within=0,
    )
    north = work_in_filters(work, Filters("2020-21 Q1", "2020-21 Q1", ("North",), (), (), date(2020, 6, 3)))
    assert set(north["case_ref"]) == {"ORD-1"}  # the 2019 order is still open now, whatever the quarters
    assert set(
        work_in_filters(work, Filters(None, None, (), ("Bob (demo)",), (), date(2020, 6, 3)))["case_ref"]
    ) == {"ORD-2"}
