"""Action plan: an officer adds, edits, completes and notes an action; the history says what changed;
the overview lists each area's actions overdue first; measure charts mark where actions started."""

from __future__ import annotations

import json
from datetime import date

import store
from measures.actions import ASSESSMENT_AREA, REVIEWS_AREA, ActionDraft

from .conftest import AS_AT, page


def table(app, column: str) -> list:
    """The values of a column in the first table that has it."""
    frame = next(frame.value for frame in app.dataframe if column in frame.value.columns)
    return list(frame[column])


def test_an_officer_adds_an_action_and_sees_it_in_the_plan(demo_url, make_app):
    app = make_app(page("action_plan"))
    assert not app.error
    assert any("No actions yet" in info.value for info in app.info)

    app.text_input(key="plan_add_title").input("Weekly due-date list to team leaders")
    app.selectbox(key="plan_add_area").select(ASSESSMENT_AREA)
    app.text_input(key="plan_add_owner").input("Service manager")
    app.date_input(key="plan_add_start").set_value(date(2021, 1, 4))
    app.date_input(key="plan_add_due").set_value(date(2021, 3, 31))
    app.selectbox(key="plan_add_status").select("on track")
    app.button(key="FormSubmitter:plan_add_form-Add the action").click().run()

    assert not app.error
    assert [s.value for s in app.success] == ["Added: Weekly due\\-date list to team leaders"]
    assert table(app, "Action") == ["Weekly due-date list to team leaders"]
    assert table(app, "Status") == ["On track"]
    # Linked by default to the area's measures, named in words.
    assert table(app, "Measures")[0].startswith("First contact; Induction")
    assert table(app, "What changed") == ["added"]


def test_an_action_that_cannot_be_stored_is_one_line_and_nothing_is_added(demo_url, make_app):
    app = make_app(page("action_plan"))
    app.text_input(key="plan_add_title").input("Backwards dates")
    app.text_input(key="plan_add_owner").input("Team leader")
    app.date_input(key="plan_add_start").set_value(date(2021, 3, 1))
    app.date_input(key="plan_add_due").set_value(date(2021, 2, 1))
    app.button(key="FormSubmitter:plan_add_form-Add the action").click().run()

    assert len(app.error) == 1 and "due" in app.error[0].value.lower()
    assert store.list_actions(store.connect(demo_url)).empty


def add(url: str, title: str, area: str = REVIEWS_AREA, status: str = "on track", **dates: date) -> int:
    draft = ActionDraft(
        title,
        area,
        ("review_on_time",) if area == REVIEWS_AREA else ("first_contact",),
        "Team leader",
        dates.get("start", date(2020, 11, 2)),
        dates.get("due", date(2021, 3, 31)),
        status,
    )
    return store.add_action(store.connect(url), draft, "tester")


def test_completing_an_action_records_when_and_the_history_says_what_changed(demo_url, make_app):
    add(demo_url, "Quarterly review audit")
    app = make_app(page("action_plan"))
    edit = "plan_edit_1"
    app.selectbox(key=f"{edit}_status").select("complete")
    app.date_input(key=f"{edit}_due").set_value(date(2021, 4, 30))
    app.button(key="FormSubmitter:plan_edit_form_1-Save changes").click().run()

    assert not app.error
    assert table(app, "Status") == ["Complete"]
    assert table(app, "Completed on")[0] is not None
    changes = table(app, "What changed")
    assert changes[0].startswith("due date: 31/03/2021 -> 30/04/2021; status: on track -> complete")
    assert changes[-1] == "added"
    assert table(app, "Who") == ["local user", "tester"]  # sign-in off (local mode), then the adder


def test_a_progress_note_is_kept_with_its_date(demo_url, make_app):
    add(demo_url, "Case recording briefing")
    app = make_app(page("action_plan"))
    app.date_input(key="plan_note_on_1").set_value(date(2021, 2, 15))
    app.text_area(key="plan_note_1").input("Briefed North and South teams.")
    app.button(key="FormSubmitter:plan_note_form_1-Add the note").click().run()

    assert not app.error
    assert table(app, "Note") == ["Briefed North and South teams."]
    assert str(table(app, "Dated")[0])[:10] == "2021-02-15"
    assert "progress note added, dated 15/02/2021" in table(app, "What changed")


def test_the_example_plan_is_marked_and_can_be_removed(demo_url, make_app):
    engine = store.connect(demo_url)
    added = store.seed_example_plan(engine, "demo", today=AS_AT)
    app = make_app(page("action_plan"))
    assert any("example plan" in warning.value for warning in app.warning)
    assert len(table(app, "Action")) == added

    app.button(key="plan_remove_examples").click().run()
    assert [s.value for s in app.success] == [f"{added} example actions removed; their history is kept."]
    assert store.list_actions(engine).empty


def test_the_overview_lists_each_areas_actions_overdue_first(demo_url, make_app):
    add(demo_url, "On time", due=date(2021, 6, 30))
    add(demo_url, "Slipped", due=date(2021, 3, 31))  # a month before the as-at date of 30/04/2021
    add(demo_url, "Other area", area=ASSESSMENT_AREA, due=date(2021, 6, 30))
    app = make_app()

    labels = [expander.label for expander in app.expander]
    assert "1 improvement actions, none overdue" in labels
    assert "2 improvement actions, **1 overdue**" in labels
    reviews_actions = next(
        frame.value
        for frame in app.dataframe
        if "Action" in frame.value and "Slipped" in set(frame.value["Action"])
    )
    assert list(reviews_actions["Action"]) == ["Slipped", "On time"]
    assert list(reviews_actions["Overdue"]) == ["30 days", ""]


def test_a_measure_chart_marks_the_quarter_an_action_started(demo_url, make_app):
    add(demo_url, "Reminder for reviews", start=date(2020, 11, 2))  # 2020-21 Q3
    app = make_app(page("reviews"))

    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    labels = [(note["x"], note["text"]) for note in spec["layout"].get("annotations", [])]
    assert ("2020-21 Q3", "▲ started: Reminder for reviews") in labels
