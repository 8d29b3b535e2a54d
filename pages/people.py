"""People (admins only): who may use the dashboard, in which role, and which teams a team leader sees.

Signing in says who someone is; this list says what they may do. Someone signed in but not listed sees
the "no access yet" page. Every change is recorded in the audit trail; the last admin cannot be removed
or given another role. The same list is managed with `python cli.py users ...`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import store
from measures.access import ROLE_WORDS, ROLES, TEAM_LEADER, AccessError, checked_person
from pages.ui import data, state
from pages.ui.display import local_time, plain, show_table
from pages.ui.frame import current_user, page_start, run_guarded

ERRORS = (AccessError, store.StoreError)


def people_table(people: list[store.PersonRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Sign-in e-mail": [person.email for person in people],
            "Role": [ROLE_WORDS.get(person.role, person.role) for person in people],
            "Teams": [", ".join(person.teams) for person in people],
            "Added or changed": [local_time(person.added_at) for person in people],
            "By": [person.added_by for person in people],
        }
    )


def say(message: str) -> None:
    """A confirmation shown once, after the rerun a change causes."""
    st.session_state[state.PEOPLE_MESSAGE] = message


def add_section(known_teams: list[str]) -> None:
    """Add someone, or change the role and teams of someone already listed (same e-mail)."""
    st.subheader("Add someone or change their role")
    with st.form(state.PEOPLE_FORM, clear_on_submit=True):
        email = st.text_input("Sign-in e-mail", key=state.PEOPLE_EMAIL, max_chars=254)
        role = st.selectbox("Role", ROLES, format_func=ROLE_WORDS.get, key=state.PEOPLE_ROLE)
        teams = st.multiselect(
            "Teams (team leaders only)",
            known_teams,
            key=state.PEOPLE_TEAMS,
            help="A team leader sees only these teams' records, figures and rejected rows.",
        )
        other = st.text_input(
            "Other teams, not in the data yet (comma-separated)", key=state.PEOPLE_NEW_TEAMS, max_chars=500
        )
        if not st.form_submit_button("Save", key=state.PEOPLE_SAVE, type="primary"):
            return
    typed = [team for team in other.split(",") if team.strip()]

    def save() -> store.PersonRecord:
        person = checked_person(email, role, [*teams, *typed])
        return store.add_person(data.engine(), person.email, person.role, person.teams, current_user())

    saved = run_guarded(save, ERRORS)
    if isinstance(saved, store.PersonRecord):
        teams_words = f" ({', '.join(saved.teams)})" if saved.role == TEAM_LEADER else ""
        say(f"{saved.email} is now {ROLE_WORDS[saved.role].lower()}{teams_words}.")
        st.rerun()


def remove_section(people: list[store.PersonRecord]) -> None:
    st.subheader("Remove someone")
    choice = st.selectbox(
        "Person", [person.email for person in people], index=None, key=state.PEOPLE_REMOVE_CHOICE
    )
    confirmed = st.checkbox(
        "Yes, take this person's access away", key=state.PEOPLE_REMOVE_CONFIRM, disabled=choice is None
    )
    if st.button("Remove", key=state.PEOPLE_REMOVE, disabled=not (choice and confirmed)) and choice:
        done = run_guarded(lambda: store.remove_person(data.engine(), choice, current_user()) or True, ERRORS)
        if done:
            say(f"{choice} no longer has access.")
            st.rerun()


def main() -> None:
    start = page_start("People", needs_data=False)
    if message := st.session_state.pop(state.PEOPLE_MESSAGE, None):
        st.success(plain(message))
    st.caption(
        "Who may use the dashboard. Administrators manage people and see the audit trail; officers upload, "
        "undo and change settings; managers see every team; team leaders only their own teams; viewers "
        "the service-level figures. Every change is recorded in the audit trail."
    )
    people = store.list_people(data.engine())
    show_table(people_table(people))
    known_teams = data.filter_options_for(start.url, start.version, start.filters.as_at).teams
    add_section(known_teams)
    if people:
        remove_section(people)


main()
