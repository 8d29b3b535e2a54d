"""Record statuses (SPEC 3.2, 3.3): the cases behind every figure, checked against hand-worked dates."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from measures import STATUS_COLUMNS, Rule, default_settings, record_statuses
from tests.measures.frames import audits, orders, reviews

AS_AT = date(2021, 6, 30)


def one(statuses: pd.DataFrame, measure: str, record_id: int = 1) -> pd.Series:
    rows = statuses[(statuses["measure"] == measure) & (statuses["record_id"] == record_id)]
    assert len(rows) == 1, f"{measure} record {record_id} appears {len(rows)} times"
    return rows.iloc[0]


def with_rule(measure: str, rule: Rule, **changes: object):
    settings = default_settings()
    return dataclasses.replace(settings, rules={**settings.rules, measure: rule}, **changes)


def test_order_on_the_friday_before_a_bank_holiday() -> None:
    # Order Fri 22 May 2020; Mon 25 May is the Spring Bank Holiday, so first contact is due Tue 26 May.
    frames = orders(
        {"order_date": "2020-05-22", "first_contact": "2020-05-26", "induction": "2020-06-02"},
        {"order_date": "2020-05-22", "first_contact": "2020-05-27", "induction": "2020-06-01"},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    on_time, late = one(statuses, "first_contact", 1), one(statuses, "first_contact", 2)
    assert on_time["due_date"] == pd.Timestamp("2020-05-26")
    assert (on_time["status"], on_time["days_taken"]) == ("met", 1)
    assert (late["status"], late["days_taken"]) == ("missed", 2)
    # Induction within 5 working days: 26, 27, 28, 29 May and 1 June.
    assert one(statuses, "induction", 1)["status"] == "missed"
    assert one(statuses, "induction", 2)["status"] == "met"
    assert one(statuses, "induction", 2)["due_date"] == pd.Timestamp("2020-06-01")


def test_order_imposed_on_a_saturday_counts_from_the_monday() -> None:
    frames = orders({"order_date": "2020-06-13", "first_contact": "2020-06-14", "induction": "2020-06-22"})
    statuses = record_statuses(frames, default_settings(), AS_AT)
    contact = one(statuses, "first_contact")
    assert contact["due_date"] == pd.Timestamp("2020-06-16")  # Mon 15 is day 0, Tue 16 day 1
    assert (contact["status"], contact["days_taken"]) == ("met", 0)
    induction = one(statuses, "induction")  # 16, 17, 18, 19, 22 June
    assert (induction["due_date"], induction["status"], induction["days_taken"]) == (
        pd.Timestamp("2020-06-22"),
        "met",
        5,
    )


def test_christmas_and_new_year_substitute_days() -> None:
    # Thu 24 Dec 2026: Christmas Fri 25, Boxing Day observed Mon 28, New Year Fri 1 Jan,
    # 2 January holiday observed Mon 4 Jan. Unpaid work within 7 working days: 29, 30, 31 Dec, 5, 6, 7, 8 Jan.
    frames = orders({"order_date": "2026-12-24", "requirements": "Unpaid Work", "upw_start": "2027-01-08"})
    statuses = record_statuses(frames, default_settings(), date(2027, 2, 1))
    upw = one(statuses, "upw_start")
    assert (upw["due_date"], upw["status"], upw["days_taken"]) == (pd.Timestamp("2027-01-08"), "met", 7)
    assert one(statuses, "first_contact")["due_date"] == pd.Timestamp("2026-12-29")


def test_st_andrews_day_observed_on_monday() -> None:
    frames = orders({"order_date": "2025-11-28", "first_contact": "2025-12-02"})
    contact = one(record_statuses(frames, default_settings(), date(2026, 1, 31)), "first_contact")
    assert (contact["due_date"], contact["status"]) == (pd.Timestamp("2025-12-02"), "met")


def test_a_local_holiday_in_settings_moves_the_due_date() -> None:
    frames = orders({"order_date": "2020-09-25", "first_contact": "2020-09-29"})
    without = one(record_statuses(frames, default_settings(), AS_AT), "first_contact")
    settings = dataclasses.replace(default_settings(), local_holidays=[date(2020, 9, 28)])
    with_holiday = one(record_statuses(frames, settings, AS_AT), "first_contact")
    assert (without["due_date"], without["status"]) == (pd.Timestamp("2020-09-28"), "missed")
    assert (with_holiday["due_date"], with_holiday["status"]) == (pd.Timestamp("2020-09-29"), "met")


@pytest.mark.parametrize(
    ("order_date", "months", "expected_due"),
    [
        ("2020-08-31", 1, "2020-09-30"),
        ("2020-08-31", 6, "2021-02-28"),
        ("2019-08-31", 6, "2020-02-29"),
        ("2020-02-29", 1, "2020-03-29"),
        ("2020-02-29", 12, "2021-02-28"),
    ],
)
def test_calendar_month_rules_clip_to_month_end(order_date: str, months: int, expected_due: str) -> None:
    frames = orders({"order_date": order_date, "requirements": "Supervision", "cmp_completed": expected_due})
    statuses = record_statuses(frames, with_rule("cmp", Rule(months, "calendar_months")), AS_AT)
    cmp = one(statuses, "cmp")
    assert (cmp["due_date"], cmp["status"]) == (pd.Timestamp(expected_due), "met")


def test_lscmi_within_28_calendar_days_counts_weekends() -> None:
    frames = orders(
        {"order_date": "2020-05-22", "lscmi_completed": "2020-06-19"},
        {"order_date": "2020-05-22", "lscmi_completed": "2020-06-20"},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    assert (one(statuses, "lscmi", 1)["status"], one(statuses, "lscmi", 1)["days_taken"]) == ("met", 28)
    assert (one(statuses, "lscmi", 2)["status"], one(statuses, "lscmi", 2)["days_taken"]) == ("missed", 29)
    assert one(statuses, "lscmi", 2)["due_date"] == pd.Timestamp("2020-06-19")


def test_a_rule_in_weeks() -> None:
    frames = orders(
        {"order_date": "2020-05-22", "requirements": "Supervision", "lscmi_completed": "2020-06-20"}
    )
    lscmi = one(record_statuses(frames, with_rule("lscmi", Rule(5, "weeks")), AS_AT), "lscmi")
    assert (lscmi["due_date"], lscmi["status"]) == (pd.Timestamp("2020-06-26"), "met")


def test_blank_to_date_is_pending_until_the_due_date_then_missed() -> None:
    frames = orders({"order_date": "2020-05-22"})  # first contact due Tue 26 May 2020
    assert one(record_statuses(frames, default_settings(), date(2020, 5, 26)), "first_contact")["status"] == (
        "pending"
    )
    late = one(record_statuses(frames, default_settings(), date(2020, 5, 27)), "first_contact")
    assert late["status"] == "missed"
    assert pd.isna(late["days_taken"])


def test_an_exclusion_reason_excludes_the_order_from_every_timescale() -> None:
    frames = orders(
        {"order_date": "2020-05-22", "first_contact": "2020-07-01", "exclusion_reason": "Transferred in"}
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    assert set(statuses["status"]) == {"excluded"}
    assert set(statuses["measure"]) == {"first_contact", "induction", "upw_start", "lscmi", "cmp"}


def test_a_to_date_before_the_from_date_is_invalid() -> None:
    frames = orders({"order_date": "2020-05-22", "first_contact": "2020-05-21", "induction": "2020-05-22"})
    statuses = record_statuses(frames, default_settings(), AS_AT)
    assert one(statuses, "first_contact")["status"] == "invalid"
    assert one(statuses, "induction")["status"] == "met"  # the same day is day 0, not invalid


def test_a_review_held_before_its_due_date_is_met_not_invalid() -> None:
    frames = reviews(
        {"review_due": "2020-06-10", "review_held": "2020-06-01"},
        {"review_due": "2020-06-13", "review_held": "2020-06-15"},  # due on a Saturday: Monday is in time
        {"review_due": "2020-06-13", "review_held": "2020-06-16"},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    early = one(statuses, "review_on_time", 1)
    assert (early["status"], early["days_taken"]) == ("met", -7)  # 1-5, 8, 9 June: seven working days early
    assert one(statuses, "review_on_time", 2)["status"] == "met"
    assert one(statuses, "review_on_time", 2)["due_date"] == pd.Timestamp("2020-06-15")
    assert one(statuses, "review_on_time", 3)["status"] == "missed"


def test_review_recorded_applies_only_to_reviews_held() -> None:
    frames = reviews(
        {"review_due": "2020-06-10", "review_held": "2020-06-10", "recorded": "2020-06-17"},
        {"review_due": "2020-06-10", "review_held": "2020-06-10", "recorded": "2020-06-18"},
        {"review_due": "2020-06-10", "review_held": "2020-06-10", "recorded": "2020-06-09"},
        {"review_due": "2020-06-10"},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    recorded = statuses[statuses["measure"] == "review_recorded"].set_index("record_id")["status"]
    # Held Wed 10 June; 5 working days is Wed 17 June.
    assert recorded.to_dict() == {1: "met", 2: "missed", 3: "invalid"}
    assert one(statuses, "review_on_time", 4)["status"] == "missed"


@pytest.mark.parametrize(
    ("requirements", "upw_applies", "supervision_applies"),
    [
        (None, True, True),
        ("UPW", True, False),
        ("Offender Supervision + Unpaid Work", True, True),
        ("supervision; other activity", True, True),
        ("Conduct", False, False),
        ("Supervision and Programme", False, True),
    ],
)
def test_requirements_decide_which_measures_apply(
    requirements: str | None, upw_applies: bool, supervision_applies: bool
) -> None:
    frames = orders({"order_date": "2020-05-22", "requirements": requirements})
    measures = set(record_statuses(frames, default_settings(), AS_AT)["measure"])
    assert {"first_contact", "induction"} <= measures
    assert ("upw_start" in measures) is upw_applies
    assert ("lscmi" in measures) is supervision_applies
    assert ("cmp" in measures) is supervision_applies


def test_without_a_requirements_column_every_measure_applies() -> None:
    frames = orders({"order_date": "2020-05-22"})
    frames["orders"] = frames["orders"].drop(columns=["requirements", "lscmi_version", "risk_level"])
    statuses = record_statuses(frames, default_settings(), AS_AT)
    assert set(statuses["measure"]) == {"first_contact", "induction", "upw_start", "lscmi", "cmp"}
    assert statuses["risk_level"].isna().all()


def test_records_count_in_the_quarter_of_their_due_date() -> None:
    # Mon 30 Mar 2020 -> due Tue 31 Mar (2019-20 Q4); Tue 31 Mar -> due Wed 1 Apr (2020-21 Q1).
    frames = orders({"order_date": "2020-03-30"}, {"order_date": "2020-03-31"})
    statuses = record_statuses(frames, default_settings(), AS_AT)
    assert one(statuses, "first_contact", 1)["quarter"] == "2019-20 Q4"
    assert one(statuses, "first_contact", 1)["quarter_start"] == pd.Timestamp("2020-01-01")
    assert one(statuses, "first_contact", 2)["quarter"] == "2020-21 Q1"


def test_review_proportion_measures_count_held_reviews_and_blank_is_not_met() -> None:
    frames = reviews(
        {"review_due": "2020-06-10", "review_held": "2020-07-01", "participated": True, "needs_tool": False},
        {"review_due": "2020-06-10", "review_held": "2020-06-10", "participated": None, "needs_tool": True},
        {
            "review_due": "2020-06-10",
            "review_held": "2020-06-10",
            "participated": True,
            "exclusion_reason": "Died",
        },
        {"review_due": "2020-06-10", "participated": True},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT)
    participation = statuses[statuses["measure"] == "review_participation"].set_index("record_id")
    assert participation["status"].to_dict() == {1: "met", 2: "missed", 3: "excluded"}
    assert participation.loc[1, "quarter"] == "2020-21 Q2"  # quarter of review_held, not review_due
    needs_tool = statuses[statuses["measure"] == "review_needs_tool"].set_index("record_id")["status"]
    assert needs_tool.to_dict() == {1: "missed", 2: "met", 3: "excluded"}


def test_audit_good_means_grade_four_or_better() -> None:
    frames = audits(
        {"audit_date": "2020-03-31", "grade": 3},
        {"audit_date": "2020-04-01", "grade": 4},
        {"audit_date": "2020-04-01", "grade": 6},
    )
    statuses = record_statuses(frames, default_settings(), AS_AT).set_index("record_id")
    assert statuses["status"].to_dict() == {1: "missed", 2: "met", 3: "met"}
    assert statuses["grade"].tolist() == [3, 4, 6]
    assert statuses["quarter"].tolist() == ["2019-20 Q4", "2020-21 Q1", "2020-21 Q1"]


def test_output_has_the_documented_columns_even_with_no_data() -> None:
    for frames in ({}, orders(), {"orders": orders({"order_date": "2020-05-22"})["orders"].iloc[0:0]}):
        statuses = record_statuses(frames, default_settings(), AS_AT)
        assert list(statuses.columns) == list(STATUS_COLUMNS)
        assert statuses.empty
    full = record_statuses(
        {**orders({"order_date": "2020-05-22"}), **audits({"audit_date": "2020-05-22", "grade": 5})},
        default_settings(),
        AS_AT,
    )
    assert list(full.columns) == list(STATUS_COLUMNS)
    assert full["days_taken"].dtype == "Int64" and full["grade"].dtype == "Int64"
    assert str(full["due_date"].dtype) == "datetime64[ns]"
    assert full.loc[full["measure"] == "audit_good", "case_ref"].tolist() == ["SYN-000"]


def test_a_counting_report_can_leave_the_drill_down_text_out() -> None:
    frames = orders(
        {"order_date": "2020-05-22", "first_contact": "2020-05-26", "team": "North"},
        {"order_date": "2020-05-22", "first_contact": "2020-05-27", "team": "South"},
    )
    full = record_statuses(frames, default_settings(), AS_AT)
    lean = record_statuses(frames, default_settings(), AS_AT, text_columns=("team",))

    assert "case_ref" not in lean.columns and "worker" not in lean.columns
    assert lean["team"].tolist() == full["team"].tolist()
    same = ["measure", "record_id", "due_date", "status", "days_taken", "quarter"]
    pd.testing.assert_frame_equal(lean[same], full[same])
    assert list(record_statuses({}, default_settings(), AS_AT, text_columns=()).columns) == [
        column
        for column in STATUS_COLUMNS
        if column not in ("case_ref", "team", "worker", "order_type")
        and column not in ("lscmi_version", "risk_level")
    ]
