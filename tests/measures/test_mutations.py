"""Hand-made mutations the suite once let through (issue 14), each pinned by a hand-worked example.

Each test names the mutation it catches. The dates are worked out by hand in the comments, never
with the code under test.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from measures import default_settings, quarterly_compliance, rate_text, record_statuses, views
from tests.measures.frames import orders, reviews


def _only(table: pd.DataFrame, measure: str, quarter: str) -> pd.Series:
    rows = table[(table["measure"] == measure) & (table["quarter"] == quarter)]
    assert len(rows) == 1, f"{measure} {quarter} appears {len(rows)} times"
    return rows.iloc[0]


# --- pending records are not in a rate's denominator (SPEC 3.2) -----------------------------------

# First contact is due 1 working day after the order (day 0 is the order day). July-September 2020
# holds no Scottish bank holiday on these days (the summer one is Mon 3 Aug).
AS_AT_PENDING = date(2020, 9, 29)  # Tuesday
THREE_MET_ONE_MISSED_TWO_PENDING = (
    {"order_date": "2020-07-06", "first_contact": "2020-07-06"},  # Mon 6 Jul, due Tue 7 Jul: met
    {"order_date": "2020-07-06", "first_contact": "2020-07-07"},  # contact on the due day: met
    {"order_date": "2020-07-10", "first_contact": "2020-07-13"},  # Fri 10 Jul, due Mon 13 Jul: met
    {"order_date": "2020-07-06", "first_contact": "2020-07-08"},  # Wed 8 Jul, a day late: missed
    {"order_date": "2020-09-28"},  # Mon 28 Sep, due Tue 29 Sep = the as-at date: pending
    {"order_date": "2020-09-29"},  # Tue 29 Sep, due Wed 30 Sep, still to come: pending
)


def _pending_statuses() -> pd.DataFrame:
    frames = orders(*({**row, "team": "North"} for row in THREE_MET_ONE_MISSED_TWO_PENDING))
    statuses = record_statuses(frames, default_settings(), AS_AT_PENDING)
    return statuses[statuses["measure"] == "first_contact"]


def test_pending_records_stay_out_of_the_quarterly_rate() -> None:
    """Mutation caught: pending counted in the denominator (3 / 6 = 50.0 instead of 3 / 4 = 75.0)."""
    statuses = _pending_statuses()
    assert statuses.sort_values("record_id")["status"].tolist() == [
        "met",
        "met",
        "met",
        "missed",
        "pending",
        "pending",
    ]
    q2 = _only(quarterly_compliance(statuses, default_settings()), "first_contact", "2020-21 Q2")
    assert q2[["met", "missed", "pending", "excluded", "invalid"]].tolist() == [3, 1, 2, 0, 0]
    assert q2["rate"] == 75.0
    assert rate_text(q2["rate"]) == "75.0"
    assert q2["rag"] == "red"  # 75.0 is below the 90% target less the 5-point amber margin


def test_pending_records_stay_out_of_a_breakdown_rate() -> None:
    """Mutation caught: the team/worker breakdown counting pending in its denominator (50.0)."""
    by_team = views.breakdown(_pending_statuses(), "team", 90.0, 5.0)
    assert by_team[["group", "met", "missed", "pending", "rate", "rag"]].values.tolist() == [
        ["North", 3, 1, 2, 75.0, "red"]
    ]


# --- excluded wins over invalid (SPEC 3.2 lists excluded first) -----------------------------------


def test_an_excluded_order_with_its_to_date_before_its_from_date_is_excluded_not_invalid() -> None:
    """Mutation caught: invalid tested before excluded (the order shows as invalid on the data page)."""
    # Order Fri 22 May 2020; first contact Thu 21 May, the day before: a to-date earlier than the
    # from-date. The first order has an exclusion reason, the second (the control) has none.
    # First contact is due Tue 26 May (Mon 25 May 2020 was the Spring bank holiday), in 2020-21 Q1.
    frames = orders(
        {"order_date": "2020-05-22", "first_contact": "2020-05-21", "exclusion_reason": "Transferred in"},
        {"order_date": "2020-05-22", "first_contact": "2020-05-21"},
    )
    statuses = record_statuses(frames, default_settings(), date(2020, 6, 30))
    contact = statuses[statuses["measure"] == "first_contact"].set_index("record_id")["status"]
    assert contact.to_dict() == {1: "excluded", 2: "invalid"}
    q1 = _only(quarterly_compliance(statuses, default_settings()), "first_contact", "2020-21 Q1")
    assert q1[["met", "missed", "pending", "excluded", "invalid"]].tolist() == [0, 0, 0, 1, 1]
    invalid = views.invalid_records(statuses)
    assert invalid["case_ref"].tolist() == ["SYN-001"]  # only the control is on the data quality page


def test_an_excluded_review_recorded_before_it_was_held_is_excluded_not_invalid() -> None:
    """Mutation caught: invalid tested before excluded, seen on review_recorded."""
    # Held Wed 10 Jun 2020, recorded Tue 9 Jun: recorded before it was held.
    frames = reviews(
        {
            "review_due": "2020-06-10",
            "review_held": "2020-06-10",
            "recorded": "2020-06-09",
            "exclusion_reason": "Order ended",
        },
        {"review_due": "2020-06-10", "review_held": "2020-06-10", "recorded": "2020-06-09"},
    )
    statuses = record_statuses(frames, default_settings(), date(2020, 6, 30))
    recorded = statuses[statuses["measure"] == "review_recorded"].set_index("record_id")["status"]
    assert recorded.to_dict() == {1: "excluded", 2: "invalid"}


@pytest.mark.parametrize("reason", ["Warrant", " Did not comply "])
def test_every_timescale_of_an_excluded_order_is_excluded_however_its_dates_look(reason: str) -> None:
    """Mutation caught: invalid before excluded, on every order measure at once."""
    # Every "to" date is the day before the order date; requirements blank, so all five apply.
    frames = orders(
        {
            "order_date": "2020-05-22",
            "first_contact": "2020-05-21",
            "induction": "2020-05-21",
            "upw_start": "2020-05-21",
            "lscmi_completed": "2020-05-21",
            "cmp_completed": "2020-05-21",
            "exclusion_reason": reason,
        }
    )
    statuses = record_statuses(frames, default_settings(), date(2020, 6, 30))
    assert statuses.set_index("measure")["status"].astype(str).to_dict() == {
        "first_contact": "excluded",
        "induction": "excluded",
        "upw_start": "excluded",
        "lscmi": "excluded",
        "cmp": "excluded",
    }
