"""The action plan in the store: add, edit, complete, notes, history, the example plan and the upgrade.

Every test runs on SQLite and on PostgreSQL (the `engine` fixture). Drafts go through
measures.actions.validate_action first, as the Action plan page does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

import store.actions
from measures.actions import ASSESSMENT_AREA, REVIEWS_AREA, ActionDraft, draft_from_row, validate_action
from store import (
    ActionNotFound,
    StoreError,
    action_history,
    action_notes,
    actions_version,
    add_action,
    add_note,
    connect,
    data_version,
    list_actions,
    list_uploads,
    remove_example_plan,
    seed_example_plan,
    store_sheet,
    update_action,
)
from store.engine import open_engine
from store.migrate import HEAD_REVISION, current_revision, upgrade_schema
from store.tables import uploads
from tests.store.sheets import ORDER_ROWS, make_sheet, sha_of

LSCMI_LIST = validate_action(
    ActionDraft(
        title="Weekly LS/CMI due-date list to team leaders",
        improvement_area=ASSESSMENT_AREA,
        measures=("lscmi", "cmp"),
        owner="Performance and information officer",
        start_date=date(2021, 1, 4),
        due_date=date(2021, 3, 31),
        status="on track",
    )
)
REVIEW_AUDIT = validate_action(
    ActionDraft(
        title="Quarterly statutory review audit by team leaders",
        improvement_area=REVIEWS_AREA,
        measures=("review_on_time",),
        owner="Service manager",
        start_date=date(2020, 10, 1),
        due_date=date(2021, 9, 30),
        status="not started",
    )
)


def _only(engine) -> pd.Series:
    frame = list_actions(engine)
    assert len(frame) == 1
    return frame.iloc[0]


def _changes(engine, action_id: int) -> list[str]:
    """The history lines of one action, oldest first."""
    return action_history(engine, action_id)["change"].tolist()[::-1]


# --- add, edit, complete ----------------------------------------------------------------------------


def test_an_added_action_is_listed_as_entered_with_an_added_history_line(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")

    row = _only(engine)
    assert row["id"] == action_id
    assert row["title"] == "Weekly LS/CMI due-date list to team leaders"
    assert row["improvement_area"] == ASSESSMENT_AREA
    assert row["measures"] == ("lscmi", "cmp")
    assert row["owner"] == "Performance and information officer"
    assert (row["start_date"], row["due_date"]) == (pd.Timestamp("2021-01-04"), pd.Timestamp("2021-03-31"))
    assert row["status"] == "on track" and pd.isna(row["completed_on"])
    assert not row["is_example"]
    assert row["created_by"] == row["updated_by"] == "officer"
    assert draft_from_row(row) == LSCMI_LIST, "the edit form gets back what was entered"
    history = action_history(engine, action_id)
    assert history[["changed_by", "change", "title"]].values.tolist() == [
        ["officer", "added", LSCMI_LIST.title]
    ]
    assert history["changed_at"].iloc[0].tzinfo is not None


def test_an_edit_writes_one_history_line_naming_exactly_what_changed(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")

    edited = replace(LSCMI_LIST, status="at risk", due_date=date(2021, 4, 30), owner="Team leader")
    update_action(engine, action_id, edited, "admin")

    assert _changes(engine, action_id) == [
        "added",
        'owner: "Performance and information officer" -> "Team leader"; '
        "due date: 31/03/2021 -> 30/04/2021; status: on track -> at risk",
    ]
    row = _only(engine)
    assert (row["status"], row["due_date"]) == ("at risk", pd.Timestamp("2021-04-30"))
    assert row["owner"] == "Team leader"
    assert row["updated_by"] == "admin" and row["created_by"] == "officer"
    assert action_history(engine, action_id)["changed_by"].tolist() == ["admin", "officer"]


def test_changed_measures_title_and_area_read_plainly_in_the_history(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")

    edited = replace(
        LSCMI_LIST, title="Weekly LS/CMI list", measures=("lscmi",), improvement_area=REVIEWS_AREA
    )
    update_action(engine, action_id, edited, "admin")

    assert _changes(engine, action_id)[-1] == (
        'title: "Weekly LS/CMI due-date list to team leaders" -> "Weekly LS/CMI list"; '
        f"improvement area: {ASSESSMENT_AREA} -> {REVIEWS_AREA}; linked measures: lscmi, cmp -> lscmi"
    )


def test_saving_an_unchanged_action_writes_nothing(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")
    version = actions_version(engine)

    update_action(engine, action_id, LSCMI_LIST, "admin")

    assert _changes(engine, action_id) == ["added"]
    assert _only(engine)["updated_by"] == "officer"
    assert actions_version(engine) == version


def test_completing_sets_completed_on_and_reopening_clears_it(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")

    update_action(engine, action_id, replace(LSCMI_LIST, status="complete"), "admin", today=date(2021, 4, 2))
    assert _only(engine)["completed_on"] == pd.Timestamp("2021-04-02")

    update_action(engine, action_id, replace(LSCMI_LIST, status="at risk"), "admin", today=date(2021, 4, 9))
    assert pd.isna(_only(engine)["completed_on"])

    assert _changes(engine, action_id) == [
        "added",
        "status: on track -> complete; completed on: blank -> 02/04/2021",
        "status: complete -> at risk; completed on: 02/04/2021 -> blank",
    ]


def test_a_complete_action_keeps_its_completion_date_when_edited_again(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")
    done = replace(LSCMI_LIST, status="complete")
    update_action(engine, action_id, done, "admin", today=date(2021, 4, 2))

    update_action(engine, action_id, replace(done, owner="Team leader"), "admin", today=date(2021, 5, 1))

    assert _only(engine)["completed_on"] == pd.Timestamp("2021-04-02")
    assert _changes(engine, action_id)[-1] == 'owner: "Performance and information officer" -> "Team leader"'


def test_a_completion_date_can_be_given_for_work_finished_earlier(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")

    update_action(
        engine,
        action_id,
        replace(LSCMI_LIST, status="complete"),
        "admin",
        completed_on=date(2021, 3, 26),
        today=date(2021, 4, 6),
    )

    assert _only(engine)["completed_on"] == pd.Timestamp("2021-03-26")


def test_an_action_added_as_complete_is_completed_that_day(engine):
    add_action(engine, replace(LSCMI_LIST, status="complete"), "officer", today=date(2021, 3, 1))
    assert _only(engine)["completed_on"] == pd.Timestamp("2021-03-01")


def test_editing_an_action_that_is_not_there_changes_nothing(engine):
    add_action(engine, LSCMI_LIST, "officer")
    before = action_history(engine)

    with pytest.raises(ActionNotFound) as refused:
        update_action(engine, 999, REVIEW_AUDIT, "admin")

    assert str(refused.value) == (
        "action 999 is not in the plan (it may have been removed); nothing was changed"
    )
    assert isinstance(refused.value, StoreError)
    assert _only(engine)["title"] == LSCMI_LIST.title
    pd.testing.assert_frame_equal(action_history(engine), before)


# --- failures leave the plan as it was --------------------------------------------------------------


def test_a_failed_add_leaves_the_plan_and_its_history_as_they_were(engine, monkeypatch):
    add_action(engine, LSCMI_LIST, "officer")
    before_actions, before_history = list_actions(engine), action_history(engine)

    def history_fails(*_args, **_kwargs):  # the action row is in; the history insert then fails
        raise sa.exc.OperationalError("INSERT INTO action_history", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store.actions, "_history", history_fails)
    with pytest.raises(StoreError) as failure:
        add_action(engine, REVIEW_AUDIT, "officer")

    assert str(failure.value).endswith("; nothing was changed")
    pd.testing.assert_frame_equal(list_actions(engine), before_actions)
    pd.testing.assert_frame_equal(action_history(engine), before_history)


def test_the_database_refuses_a_status_outside_the_four(engine):
    """The store's last line if an unvalidated draft ever reached it."""
    with pytest.raises(StoreError, match="nothing was changed"):
        add_action(engine, replace(LSCMI_LIST, status="done"), "officer")
    with pytest.raises(StoreError, match="nothing was changed"):
        add_action(engine, replace(LSCMI_LIST, due_date=date(2020, 12, 31)), "officer")

    assert list_actions(engine).empty
    assert action_history(engine).empty


# --- progress notes ---------------------------------------------------------------------------------


def test_progress_notes_are_dated_attributed_and_listed_newest_first(engine):
    action_id = add_action(engine, LSCMI_LIST, "officer")
    other = add_action(engine, REVIEW_AUDIT, "officer")

    add_note(engine, action_id, date(2021, 1, 11), "First list sent to team leaders.", "officer")
    add_note(engine, action_id, date(2021, 2, 8), "List now runs every Monday.", "admin")
    add_note(engine, other, date(2021, 1, 20), "Not for the LS/CMI action.", "admin")

    notes = action_notes(engine, action_id)
    assert notes[["noted_on", "note", "added_by"]].values.tolist() == [
        [pd.Timestamp("2021-02-08"), "List now runs every Monday.", "admin"],
        [pd.Timestamp("2021-01-11"), "First list sent to team leaders.", "officer"],
    ]
    assert _changes(engine, action_id) == [
        "added",
        "progress note added, dated 11/01/2021",
        "progress note added, dated 08/02/2021",
    ]


def test_a_note_for_an_action_not_there_is_refused(engine):
    with pytest.raises(ActionNotFound):
        add_note(engine, 7, date(2021, 1, 11), "Orphan", "officer")
    assert action_history(engine).empty


# --- history across the plan and the version -------------------------------------------------------


def test_the_whole_plans_history_runs_newest_first_with_titles(engine):
    first = add_action(engine, LSCMI_LIST, "officer")
    second = add_action(engine, REVIEW_AUDIT, "officer")
    update_action(engine, first, replace(LSCMI_LIST, status="at risk"), "admin")

    history = action_history(engine)
    assert history[["action_id", "title", "change"]].values.tolist() == [
        [first, LSCMI_LIST.title, "status: on track -> at risk"],
        [second, REVIEW_AUDIT.title, "added"],
        [first, LSCMI_LIST.title, "added"],
    ]


def test_every_change_to_the_plan_changes_its_version_but_not_the_data_version(engine):
    store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="a", sha256=sha_of("a"), user="u")
    records_version = data_version(engine)
    seen = {actions_version(engine)}

    action_id = add_action(engine, LSCMI_LIST, "officer")
    seen.add(actions_version(engine))
    update_action(engine, action_id, replace(LSCMI_LIST, status="at risk"), "admin")
    seen.add(actions_version(engine))
    add_note(engine, action_id, date(2021, 2, 1), "Slipping: staff vacancies.", "admin")
    seen.add(actions_version(engine))
    seed_example_plan(engine, "demo")  # not empty: adds nothing, so no new version
    seen.add(actions_version(engine))

    assert len(seen) == 4
    assert data_version(engine) == records_version, "a plan change must not recompute record statuses"


# --- the example plan -------------------------------------------------------------------------------

SEED_DAY = date(2021, 3, 15)


def test_the_example_plan_fills_an_empty_plan_clearly_marked_as_an_example(engine):
    added = seed_example_plan(engine, "demo", today=SEED_DAY)

    plan = list_actions(engine)
    assert added == len(plan) and 5 <= added <= 7
    assert plan["is_example"].all()
    assert plan["title"].str.endswith("(example)").all()
    assert set(plan["improvement_area"]) == {ASSESSMENT_AREA, REVIEWS_AREA}
    assert {"complete", "on track", "at risk", "not started"} <= set(plan["status"])
    for _, row in plan.iterrows():
        validate_action(draft_from_row(row))  # every example is an action the page itself would accept
        notes = action_notes(engine, int(row["id"]))
        assert any("Example action" in note and "replace" in note for note in notes["note"])
        progress = notes[~notes["note"].str.startswith("Example action")]
        assert 1 <= len(progress) <= 2
        assert (notes["noted_on"] <= pd.Timestamp(SEED_DAY)).all(), "no note is dated in the future"
    done = plan[plan["status"] == "complete"]
    assert done["completed_on"].notna().all() and (done["completed_on"] < pd.Timestamp(SEED_DAY)).all()
    assert plan.loc[plan["status"] != "complete", "completed_on"].isna().all()
    overdue = (plan["due_date"] < pd.Timestamp(SEED_DAY)) & (plan["status"] != "complete")
    assert overdue.any() and (plan["due_date"] > pd.Timestamp(SEED_DAY)).any(), (
        "one overdue, some still to come"
    )
    assert not plan["owner"].str.contains("(demo)", regex=False).any()


def test_the_example_plan_sits_within_the_demo_datas_three_years(engine):
    seed_example_plan(engine, "demo", today=SEED_DAY)
    plan = list_actions(engine)
    assert plan["start_date"].min() >= pd.Timestamp("2018-04-01")  # the demo starts three years back


def test_the_example_plan_is_added_only_to_an_empty_plan(engine):
    assert seed_example_plan(engine, "demo", today=SEED_DAY) > 0
    count = len(list_actions(engine))

    assert seed_example_plan(engine, "demo", today=SEED_DAY) == 0
    assert len(list_actions(engine)) == count


def test_the_example_plan_never_joins_the_services_own_actions(engine):
    add_action(engine, LSCMI_LIST, "officer")

    assert seed_example_plan(engine, "demo", today=SEED_DAY) == 0
    assert list_actions(engine)["title"].tolist() == [LSCMI_LIST.title]


def test_removing_the_example_plan_keeps_own_actions_and_the_history(engine):
    seed_example_plan(engine, "demo", today=SEED_DAY)
    examples = list_actions(engine)
    own = add_action(engine, LSCMI_LIST, "officer")

    assert remove_example_plan(engine, "admin") == len(examples)

    assert list_actions(engine)["id"].tolist() == [own]
    first = int(examples["id"].iloc[0])
    assert action_notes(engine, first).empty
    assert _changes(engine, first) == [
        "added with the example plan",
        f'removed with the example plan: "{examples["title"].iloc[0]}"',
    ]
    assert remove_example_plan(engine, "admin") == 0
    assert seed_example_plan(engine, "demo", today=SEED_DAY) == 0, "own actions remain: no example again"


# --- the upgrade ------------------------------------------------------------------------------------


def test_a_store_at_revision_0002_upgrades_to_hold_an_action_plan(store_url):
    old = open_engine(store_url)
    upgrade_schema(old, "0002")
    with old.begin() as connection:
        connection.execute(
            sa.insert(uploads).values(
                uploaded_at=datetime(2021, 2, 1, 9, 30, tzinfo=UTC),
                user="officer",
                file_name="jan.csv",
                sheet=None,
                sha256=sha_of("jan"),
                dataset="orders",
                new=0,
                updated=0,
                unchanged=0,
                rejected=0,
                is_demo=False,
            )
        )
    assert not sa.inspect(old).has_table("actions")
    old.dispose()

    engine = connect(store_url)

    assert current_revision(engine) == HEAD_REVISION  # 0003 and every later revision
    assert [upload.file_name for upload in list_uploads(engine)] == ["jan.csv"]
    assert list_actions(engine).empty
    action_id = add_action(engine, LSCMI_LIST, "officer")
    add_note(engine, action_id, date(2021, 1, 11), "First list sent.", "officer")
    assert _changes(engine, action_id) == ["added", "progress note added, dated 11/01/2021"]
    engine.dispose()
