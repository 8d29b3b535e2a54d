"""The action plan's rules: what an action may hold, overdue first, and chart events in their quarters.

Dates are worked by hand; the as-at date of the overdue tests is Monday 15 March 2021.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from measures import MEASURES
from measures.actions import (
    ACTION_STATUSES,
    ASSESSMENT_AREA,
    IMPROVEMENT_AREAS,
    REVIEWS_AREA,
    ActionDraft,
    ActionError,
    chart_annotations,
    draft_from_row,
    measure_ids,
    overdue_first,
    quarter_annotations,
    validate_action,
    validate_note,
)

AS_AT = date(2021, 3, 15)


def draft(**changes: object) -> ActionDraft:
    base = ActionDraft(
        title="Weekly LS/CMI due-date list to team leaders",
        improvement_area=ASSESSMENT_AREA,
        measures=("lscmi", "cmp"),
        owner="Team leader",
        start_date=date(2021, 1, 4),
        due_date=date(2021, 3, 31),
        status="on track",
    )
    return replace(base, **changes)


# --- improvement areas ------------------------------------------------------------------------------


def test_the_two_improvement_areas_hold_the_inspections_measures() -> None:
    assert list(IMPROVEMENT_AREAS) == [
        "Assessment and plan timescales",
        "Quality assurance of reviews and case recording",
    ]
    assert IMPROVEMENT_AREAS[ASSESSMENT_AREA] == ("first_contact", "induction", "upw_start", "lscmi", "cmp")
    assert IMPROVEMENT_AREAS[REVIEWS_AREA] == (
        "review_on_time",
        "review_recorded",
        "review_participation",
        "review_needs_tool",
        "audit_good",
    )


def test_every_measure_belongs_to_exactly_one_area() -> None:
    in_areas = [measure for measures in IMPROVEMENT_AREAS.values() for measure in measures]
    assert sorted(in_areas) == sorted(measure.id for measure in MEASURES)


# --- validating a draft -----------------------------------------------------------------------------


def test_a_valid_draft_comes_back_tidied() -> None:
    tidy = validate_action(
        draft(title="  Weekly list  ", owner=" Team leader ", measures=("cmp", "lscmi", "cmp"))
    )
    assert tidy.title == "Weekly list"
    assert tidy.owner == "Team leader"
    assert tidy.measures == ("lscmi", "cmp"), "de-duplicated, in the order the measures are listed"


def test_an_action_may_be_due_on_the_day_it_starts() -> None:
    same_day = draft(start_date=date(2021, 3, 1), due_date=date(2021, 3, 1))
    assert validate_action(same_day).due_date == date(2021, 3, 1)


def test_timestamps_from_a_form_become_plain_dates() -> None:
    tidy = validate_action(draft(start_date=pd.Timestamp("2021-01-04"), due_date=pd.Timestamp("2021-03-31")))
    assert type(tidy.start_date) is date and tidy.start_date == date(2021, 1, 4)
    assert type(tidy.due_date) is date


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "Give the action a title."),
        ({"owner": ""}, "Name the owner (a role such as Team leader)."),
        ({"improvement_area": "Unpaid work"}, "Choose one of the improvement areas: "),
        ({"measures": ("lscmi", "risk_score")}, "There is no measure called 'risk_score'."),
        ({"status": "done"}, "The status must be one of: not started, on track, at risk, complete."),
        (
            {"start_date": date(2021, 4, 1), "due_date": date(2021, 3, 31)},
            "The due date (31/03/2021) is before the start date (01/04/2021).",
        ),
        ({"title": "x" * 201}, "The title is too long: keep it to 200 characters."),
        ({"owner": "x" * 101}, "The owner is too long: keep it to 100 characters."),
        ({"title": "Weekly\nlist"}, "The title must be a single line of plain text."),
        ({"due_date": None}, "Give the due date."),
    ],
)
def test_a_bad_draft_is_refused_with_one_plain_sentence(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ActionError) as refused:
        validate_action(draft(**changes))
    assert str(refused.value).startswith(message)
    assert isinstance(refused.value, ValueError)


def test_a_title_of_exactly_the_limit_is_accepted() -> None:
    assert len(validate_action(draft(title="x" * 200)).title) == 200


def test_notes_are_tidied_and_may_run_over_lines_but_not_be_empty_or_over_long() -> None:
    assert validate_note("  Audit done.\nFindings shared.  ") == "Audit done.\nFindings shared."
    with pytest.raises(ActionError, match="Write the progress note"):
        validate_note("  \n ")
    with pytest.raises(ActionError, match="keep it to 2000 characters"):
        validate_note("x" * 2001)


def test_measure_ids_read_tuples_and_the_stores_comma_text() -> None:
    assert measure_ids("lscmi, cmp,") == ("lscmi", "cmp")
    assert measure_ids(("lscmi",)) == ("lscmi",)
    assert measure_ids(None) == ()
    assert measure_ids(float("nan")) == ()


def test_a_stored_row_becomes_a_draft_for_the_edit_form() -> None:
    row = pd.Series(
        {
            "title": "Weekly list",
            "improvement_area": ASSESSMENT_AREA,
            "measures": ("lscmi",),
            "owner": "Team leader",
            "start_date": pd.Timestamp("2021-01-04"),
            "due_date": pd.Timestamp("2021-03-31"),
            "status": "at risk",
        }
    )
    assert draft_from_row(row) == draft(title="Weekly list", measures=("lscmi",), status="at risk")


# --- overdue first ----------------------------------------------------------------------------------


def actions_frame() -> pd.DataFrame:
    rows = [
        ("Weekly list", "2021-03-01", "on track"),  # 14 days overdue
        ("Template", "2021-02-10", "complete"),  # due earlier but complete: never overdue
        ("Briefing", "2021-03-15", "at risk"),  # due on the as-at date: not yet overdue
        ("Review audit", "2021-01-20", "not started"),  # 11 + 28 + 15 = 54 days overdue
        ("Audit guidance", "2021-03-01", "at risk"),  # same due date as "Weekly list": title decides
        ("Report", "2021-06-30", "on track"),
    ]
    return pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "title": [row[0] for row in rows],
            "due_date": pd.to_datetime([row[1] for row in rows]),
            "status": [row[2] for row in rows],
        }
    )


def test_overdue_actions_come_first_then_by_due_date_then_title() -> None:
    ordered = overdue_first(actions_frame(), AS_AT)

    assert ordered["title"].tolist() == [
        "Review audit",
        "Audit guidance",
        "Weekly list",
        "Template",
        "Briefing",
        "Report",
    ]
    assert ordered["overdue"].tolist() == [True, True, True, False, False, False]
    assert ordered["days_overdue"].tolist() == [54, 14, 14, pd.NA, pd.NA, pd.NA]


def test_a_day_later_the_action_due_on_the_as_at_date_is_overdue() -> None:
    ordered = overdue_first(actions_frame(), date(2021, 3, 16))
    briefing = ordered[ordered["title"] == "Briefing"].iloc[0]
    assert bool(briefing["overdue"]) and briefing["days_overdue"] == 1
    assert ordered["title"].tolist()[:4] == ["Review audit", "Audit guidance", "Weekly list", "Briefing"]


def test_an_empty_plan_has_nothing_overdue() -> None:
    ordered = overdue_first(actions_frame().iloc[0:0], AS_AT)
    assert ordered.empty and "overdue" in ordered


# --- chart annotations ------------------------------------------------------------------------------


def plan_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": ["Weekly list", "CMP template", "Review audit", "Planned briefing"],
            "measures": [("lscmi", "cmp"), "cmp", ("review_on_time",), ("cmp",)],
            "status": ["complete", "on track", "complete", "not started"],
            "start_date": pd.to_datetime(["2020-10-05", "2020-12-31", "2020-04-01", "2021-05-01"]),
            "completed_on": pd.to_datetime(["2021-01-01", None, "2020-09-30", None]),
        }
    )


def test_annotations_are_the_linked_actions_start_and_completion_dates() -> None:
    events = chart_annotations(plan_frame(), "cmp")

    assert list(events.columns) == ["date", "event", "title"]
    assert events.to_dict("records") == [
        {"date": pd.Timestamp("2020-10-05"), "event": "started", "title": "Weekly list"},
        {"date": pd.Timestamp("2020-12-31"), "event": "started", "title": "CMP template"},
        {"date": pd.Timestamp("2021-01-01"), "event": "completed", "title": "Weekly list"},
    ]


def test_an_action_not_started_is_not_drawn_as_started() -> None:
    assert "Planned briefing" not in chart_annotations(plan_frame(), "cmp")["title"].tolist()


def test_a_measure_no_action_names_has_no_annotations() -> None:
    assert chart_annotations(plan_frame(), "audit_good").empty
    assert chart_annotations(plan_frame().iloc[0:0], "cmp").empty


def test_events_fall_in_the_financial_quarter_of_their_date_across_a_boundary() -> None:
    quarters = quarter_annotations(chart_annotations(plan_frame(), "cmp"))

    # 31/12/2020 is October-December (Q3); 01/01/2021 is January-March (Q4) of the same financial year.
    assert quarters[["quarter", "event", "title"]].values.tolist() == [
        ["2020-21 Q3", "started", "Weekly list"],
        ["2020-21 Q3", "started", "CMP template"],
        ["2020-21 Q4", "completed", "Weekly list"],
    ]


def test_a_financial_year_turns_on_1_april() -> None:
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2021-03-31", "2021-04-01"]),
            "event": ["completed", "started"],
            "title": ["A", "B"],
        }
    )
    assert quarter_annotations(events)["quarter"].tolist() == ["2020-21 Q4", "2021-22 Q1"]


def test_events_outside_the_charts_quarters_are_left_out_and_the_rest_follow_its_order() -> None:
    events = chart_annotations(plan_frame(), "cmp")

    shown = quarter_annotations(events, ["2020-21 Q4", "2021-22 Q1"])

    assert shown[["quarter", "title"]].values.tolist() == [["2020-21 Q4", "Weekly list"]]
    assert quarter_annotations(events, []).empty


def test_statuses_are_the_four_the_issue_names() -> None:
    assert ACTION_STATUSES == ("not started", "on track", "at risk", "complete")


def test_the_store_spells_areas_and_the_complete_status_as_the_measures_do() -> None:
    # store/ cannot import measures/ (rooms import leftwards), so it restates two words: they must agree.
    from datetime import date

    import store.actions
    from measures.actions import COMPLETE, IMPROVEMENT_AREAS

    assert store.actions.COMPLETE == COMPLETE
    areas = {action["improvement_area"] for action in store.actions.example_plan(date(2021, 4, 30))}
    assert areas == set(IMPROVEMENT_AREAS)
