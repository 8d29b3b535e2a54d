"""Action plan: the inspection's improvement actions, their status and progress notes, history kept."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import store
from measures import MEASURES
from measures.access import may
from measures.actions import (
    ACTION_STATUSES,
    IMPROVEMENT_AREAS,
    ActionDraft,
    ActionError,
    action_table,
    draft_from_row,
    overdue_first,
    validate_action,
    validate_note,
)
from pages.ui import data, state
from pages.ui.display import local_time, plain, show_table
from pages.ui.frame import current_person, current_user, page_start, run_guarded

MEASURE_TITLES = {measure.id: measure.title for measure in MEASURES}
FORM_ERRORS = (ActionError, store.StoreError)

# Pixel widths that fit the plan's nine columns in the main area at 1400 px; long texts wrap.
PLAN_WIDTHS: dict[str, int] = {
    "Action": 200,
    "Status": 80,
    "Due": 88,
    "Overdue": 70,
    "Owner": 120,
    "Start": 88,
    "Completed on": 88,
    "Improvement area": 90,
    "Measures": 110,
}


def action_fields(prefix: str, draft: ActionDraft | None, as_at: date) -> ActionDraft:
    """The inputs of an action form, filled from `draft` when editing; returns what they hold."""
    areas = list(IMPROVEMENT_AREAS)
    title = st.text_input("Action", value=draft.title if draft else "", key=f"{prefix}_title", max_chars=200)
    area = st.selectbox(
        "Improvement area",
        areas,
        index=areas.index(draft.improvement_area) if draft and draft.improvement_area in areas else 0,
        key=f"{prefix}_area",
    )
    linked = st.multiselect(
        "Measures it should move",
        list(MEASURE_TITLES),
        default=list(draft.measures) if draft else list(IMPROVEMENT_AREAS[area]),
        format_func=MEASURE_TITLES.get,
        key=f"{prefix}_measures",
        help="The measure pages mark their charts where this action started and was completed.",
    )
    owner = st.text_input(
        "Owner (a role)", value=draft.owner if draft else "", key=f"{prefix}_owner", max_chars=100
    )
    start_column, due_column, status_column = st.columns(3)
    start = start_column.date_input(
        "Start", value=draft.start_date if draft else as_at, key=f"{prefix}_start", format="DD/MM/YYYY"
    )
    due = due_column.date_input(
        "Due", value=draft.due_date if draft else as_at, key=f"{prefix}_due", format="DD/MM/YYYY"
    )
    status = status_column.selectbox(
        "Status",
        ACTION_STATUSES,
        index=ACTION_STATUSES.index(draft.status) if draft else 0,
        key=f"{prefix}_status",
    )
    return ActionDraft(title, area, tuple(linked), owner, start, due, status)


def say(message: str) -> None:
    """A confirmation shown once, after the rerun a form's save causes."""
    st.session_state[state.PLAN_MESSAGE] = message


def add_section(as_at: date) -> None:
    with st.expander("Add an action"), st.form(state.PLAN_ADD_FORM, clear_on_submit=True):
        draft = action_fields("plan_add", None, as_at)
        if st.form_submit_button("Add the action"):
            added = run_guarded(
                lambda: store.add_action(data.engine(), validate_action(draft), current_user()), FORM_ERRORS
            )
            if added is not None:
                say(f"Added: {plain(draft.title.strip())}")
                st.rerun()


def edit_section(plan: pd.DataFrame, as_at: date) -> None:
    """Edit one action, add a dated progress note and read its history."""
    titles = dict(zip(plan["id"], plan["title"], strict=True))
    chosen = st.selectbox(
        "Action", list(titles), format_func=lambda action_id: titles[action_id], key=state.PLAN_CHOICE
    )
    if chosen is None:
        return
    row = plan.set_index("id").loc[chosen]
    edit_column, notes_column = st.columns(2)
    with edit_column, st.form(state.keyed(state.PLAN_EDIT_FORM, action=chosen)):
        st.markdown("**Edit**")
        draft = action_fields(f"plan_edit_{chosen}", draft_from_row(row), as_at)
        if st.form_submit_button("Save changes"):
            saved = run_guarded(
                lambda: store.update_action(
                    data.engine(), int(chosen), validate_action(draft), current_user()
                )
                or True,
                FORM_ERRORS,
            )
            if saved:
                say(f"Saved: {plain(draft.title.strip())}")
                st.rerun()
    with notes_column:
        with st.form(state.keyed(state.PLAN_NOTE_FORM, action=chosen), clear_on_submit=True):
            st.markdown("**Progress note**")
            noted_on = st.date_input("Dated", value=as_at, format="DD/MM/YYYY", key=f"plan_note_on_{chosen}")
            note = st.text_area("Note", key=f"plan_note_{chosen}", max_chars=2000)
            if st.form_submit_button("Add the note"):
                added = run_guarded(
                    lambda: store.add_note(
                        data.engine(), int(chosen), noted_on, validate_note(note), current_user()
                    ),
                    FORM_ERRORS,
                )
                if added is not None:
                    say("Progress note added.")
                    st.rerun()
        notes = store.action_notes(data.engine(), int(chosen))
        show_table(
            notes[["noted_on", "note", "added_by"]].rename(
                columns={"noted_on": "Dated", "note": "Note", "added_by": "Added by"}
            ),
            widths={"Dated": 90, "Note": 240, "Added by": 110},
            wrap=True,
        )
    st.markdown("**History**")
    history = store.action_history(data.engine(), int(chosen))
    show_table(
        pd.DataFrame(
            {
                "When": history["changed_at"].map(local_time),
                "Who": history["changed_by"],
                "What changed": history["change"],
            }
        )
    )


def main() -> None:
    start = page_start("Action plan", needs_data=False)
    st.caption(
        "The improvement actions agreed after the inspection, with who owns each, when it is due and how "
        "it is going. Overdue actions come first. Measure pages mark their charts where an action started "
        "and was completed."
    )
    if message := st.session_state.pop(state.PLAN_MESSAGE, None):
        st.success(message)
    plan = data.actions_for(start.url, data.plan_version())
    as_at = start.filters.as_at
    person = current_person()
    if person is None or not may(person, "plan"):  # managers, team leaders: the plan, read-only
        if plan.empty:
            st.info("No actions yet.")
        else:
            show_table(action_table(overdue_first(plan, as_at)), widths=PLAN_WIDTHS, wrap=True)
        st.caption("Performance officers and administrators keep the plan up to date.")
        return
    if plan["is_example"].any():
        st.warning(
            "This is an **example plan** drawn from the inspection's two improvement areas. Replace it "
            "with the service's own actions.",
            icon=":material/science:",
        )
        if st.button("Remove the example actions", key=state.PLAN_REMOVE_EXAMPLES):
            removed = run_guarded(
                lambda: store.remove_example_plan(data.engine(), current_user()), FORM_ERRORS
            )
            if removed is not None:
                say(f"{removed} example actions removed; their history is kept.")
                st.rerun()
    if plan.empty:
        st.info("No actions yet. Add the first below.")
    else:
        show_table(action_table(overdue_first(plan, as_at)), widths=PLAN_WIDTHS, wrap=True)
    add_section(as_at)
    if not plan.empty:
        st.subheader("Update an action")
        edit_section(plan, as_at)


main()
