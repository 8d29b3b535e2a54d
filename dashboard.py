"""Streamlit entry point: who is at the keyboard, page setup, the shared sidebar filters and the navigation.

Run with `streamlit run dashboard.py`. The person is resolved first (pages.ui.frame.resolve_access, the
one identity seam): nobody signed in sees only the sign-in page, someone signed in without a role sees
the "no access yet" page, and everyone else gets only the pages their role opens. The filters live here,
not on the pages, so they keep their values when the user moves between pages, and they are bound to
the URL so a link opens the same view.

`streamlit run dashboard.py` finds the `st.App` at the bottom and serves the app with it: its lifespan
starts keeping the store's caches warm when the server starts (pages/ui/warm.py), and every session's
rerun runs this file as the script (`__main__`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.delta_generator import DeltaGenerator

import store
from measures.access import (
    ROLE_WORDS,
    Person,
    filters_sidebar,
    may_open,
    suppresses_small_numbers,
    team_scope,
)
from pages.ui import data, memory, state, warm
from pages.ui.data_dates import as_at_box
from pages.ui.frame import (
    HOW_TO_SIGN_IN,
    USER_ERRORS,
    Access,
    auth_configured,
    current_user,
    page_path,
    record_event,
    record_once,
    resolve_access,
)

# Every page module with its title and icon, in navigation order; measures.access decides who opens which.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", ":material/dashboard:"),
    ("spc_summary", "SPC summary", ":material/monitoring:"),
    ("due_soon", "Due soon", ":material/alarm:"),
    ("assessment", "Assessment timescales", ":material/schedule:"),
    ("reviews", "Statutory reviews", ":material/event_available:"),
    ("quality", "Case recording quality", ":material/grading:"),
    ("action_plan", "Action plan", ":material/checklist:"),
    ("data_quality", "Data quality", ":material/rule:"),
    ("upload", "Upload", ":material/upload:"),
    ("export", "Export", ":material/download:"),
    ("report_pack", "Report pack", ":material/description:"),
    ("settings", "Settings", ":material/settings:"),
    ("people", "People", ":material/group:"),
    ("audit", "Audit trail", ":material/policy:"),
)
DEFAULT_PAGE = "overview"


def open_store() -> str:
    """The store's URL, with its data version read once for this run (pages.ui.data.data_version).

    A store that cannot be reached stops the run with one line.
    """
    url = data.store_url()
    st.session_state.pop(state.DATA_VERSION, None)  # a fresh read on every rerun
    try:
        st.session_state[state.DATA_VERSION] = data.store_data_version()
        warm.watch(url)  # from now on, this server works out what a write changed before anyone asks
        return url
    except USER_ERRORS as error:
        st.error(str(error))
    except SQLAlchemyError:
        # The driver's message can name hosts and users: it goes to the server log, not the page.
        st.error("The data store cannot be reached just now. Try again shortly, or ask the administrator.")
    st.stop()


def who_is_here() -> Access:
    """The identity seam's answer, kept in the session for this run with the person's scope."""
    try:
        access = resolve_access()
    except USER_ERRORS as error:
        st.error(str(error))
        st.stop()
    person = access.person
    st.session_state[state.PERSON] = person
    st.session_state[state.TEAM_SCOPE] = team_scope(person) if person is not None else ()
    st.session_state[state.SUPPRESS_SMALL] = person is not None and suppresses_small_numbers(person)
    return access


def sign_in_page() -> None:
    """Nobody is signed in: the sign-in button and nothing else."""
    st.title("Justice social work compliance")
    st.markdown("Sign in with your council account to see the dashboard.")
    if st.button("Sign in", key=state.SIGN_IN_BUTTON, type="primary"):
        try:
            st.login()
        except Exception as error:  # the [auth] settings are incomplete: say which, in one line
            reason = " ".join(str(error).split())  # the message is about the settings, never case data
            st.error(f"Sign-in is not set up correctly: {reason}")


def no_access_page(identity: str) -> None:
    """Signed in, but not on the People list: say how to ask for access, and record the attempt."""
    st.title("No access yet")
    st.markdown(
        f"You are signed in as **{identity}**, but you have not been given access to the dashboard. "
        "Ask an administrator to add you on the People page, or with "
        f"`python cli.py users add {identity} --role ROLE` (roles: admin, officer, manager, team_leader "
        "with `--team NAME`, viewer)."
    )
    record_once(state.REFUSALS_RECORDED, "no_role", "access_refused", "signed in with no role")
    sign_out_button(st.container())


def exposed_page() -> None:
    """Sign-in is off but the server can be reached from other machines: no data, and how to fix it."""
    st.title("Sign-in is off")
    st.error(
        "This dashboard can be reached from other computers, but sign-in is not configured, so it shows "
        "no case data."
    )
    st.markdown(HOW_TO_SIGN_IN)


def sign_out() -> None:
    """Sign-out button callback: recorded first, while the session still knows who it is."""
    record_event("sign_out", "signed out")
    st.logout()


def sign_out_button(where: DeltaGenerator) -> None:
    if auth_configured():
        where.button("Sign out", key=state.SIGN_OUT_BUTTON, on_click=sign_out, icon=":material/logout:")


def person_sidebar(person: Person) -> None:
    """Who is signed in and the sign-out button, on every page while sign-in is on."""
    if not auth_configured():
        return
    record_once(state.SIGN_IN_RECORDED, "sign_in", "sign_in", f"signed in as {person.role}")
    teams = f" ({', '.join(person.teams)})" if person.teams else ""
    st.sidebar.caption(f"Signed in as {current_user()}: {ROLE_WORDS.get(person.role, person.role)}{teams}")
    sign_out_button(st.sidebar)


def demo_banner(url: str, version: str) -> None:
    """While the store holds demo data, every page says so before anything else."""
    if data.holds_demo(url, version):
        st.warning(
            "**Demo data.** The store holds synthetic demonstration records, not real people. "
            "Upload real extracts on the Upload page; remove the demo data there in one step.",
            icon=":material/science:",
        )


def shared_filters(url: str, version: str, person: Person) -> None:
    """Quarter range, team, worker, order type and as-at date, in the sidebar of every page.

    The team, worker and order type choices are those within the person's scope; viewers, who see
    service-level figures only, get the quarter range and as-at date alone.

    They sit in a popover the person opens: its widgets are drawn in the browser only when it is open,
    and drawing six dropdowns and a text box on every page load was a sixth of a warm overview's time
    (0.08 s of 0.47 s). Every page states the filters in force under its title, so nothing is hidden.
    """
    sidebar = st.sidebar.popover("Filters", icon=":material/filter_list:", width="stretch")
    quarter_box, names_box = sidebar.container(), sidebar.container()
    # Typed, applies on Enter; blank: the data's own date. A date it cannot read is named in the sidebar
    # itself, where it is seen with the popover closed (a link can carry one).
    as_at = as_at_box(sidebar, st.sidebar, url, version)
    options = data.filter_options_for(url, version, as_at)
    quarters = options.quarters
    quarter_box.selectbox(
        "From quarter",
        quarters,
        index=0 if quarters else None,
        key=state.FILTER_FROM_QUARTER,
        bind="query-params",
        placeholder="No quarters yet",
    )
    quarter_box.selectbox(
        "To quarter",
        quarters,
        index=len(quarters) - 1 if quarters else None,
        key=state.FILTER_TO_QUARTER,
        bind="query-params",
        placeholder="No quarters yet",
    )
    if not filters_sidebar(person):
        for key in (state.FILTER_TEAMS, state.FILTER_WORKERS, state.FILTER_ORDER_TYPES):
            st.session_state.pop(key, None)
        return
    for label, choices, key in (
        ("Team", options.teams, state.FILTER_TEAMS),
        ("Worker", options.workers, state.FILTER_WORKERS),
        ("Order type", options.order_types, state.FILTER_ORDER_TYPES),
    ):
        names_box.multiselect(label, choices, key=key, bind="query-params", placeholder="All")


def refusal(name: str, title: str) -> Callable[[], None]:
    """A page the person's role lacks, registered hidden at its usual address: opened by URL, it refuses."""

    def refused() -> None:
        from pages.ui.frame import refuse

        refuse(name, title)

    refused.__name__ = f"refused_{name}"
    return refused


def navigation_pages(person: Person) -> dict[str, st.Page]:
    """The pages this person may open, shown in the navigation; the rest hidden, refusing when opened."""
    pages: dict[str, st.Page] = {}
    for name, title, icon in PAGES:
        if not Path(page_path(name)).exists():
            continue
        if may_open(person, name):
            pages[name] = st.Page(page_path(name), title=title, icon=icon, default=name == DEFAULT_PAGE)
        else:
            pages[name] = st.Page(refusal(name, title), title=title, url_path=name, visibility="hidden")
    return pages


def run_page(pages: dict[str, st.Page]) -> None:
    # Expanded: an admin has 13 pages, more than the menu shows before a "View more" otherwise.
    chosen = st.navigation(list(pages.values()), expanded=True)
    running = next((name for name, page in pages.items() if page is chosen), None)
    st.session_state[state.CURRENT_PAGE] = running
    st.session_state[state.FRAMED_BY_DASHBOARD] = True
    try:
        chosen.run()
    finally:
        st.session_state[state.FRAMED_BY_DASHBOARD] = False
        st.session_state.pop(state.DATA_VERSION, None)  # a callback before the next run queries afresh
        memory.release_freed_memory()


def run_alone(page: object, title: str) -> None:
    """A run that shows one page only (sign-in, no access, exposed): still through st.navigation, so
    Streamlit never falls back to listing the pages/ folder."""
    st.navigation([st.Page(page, title=title, url_path="welcome", default=True)], position="hidden").run()


def main() -> None:
    """One run of the script: who is here, then their pages with the shared filters."""
    # The tab icon is set here, once: left unset, Streamlit shows each page's material icon as the tab
    # icon and fetches it from a font CDN, a request that would leave the machine. An emoji is local.
    st.set_page_config(page_title="Justice social work compliance", page_icon="⚖️", layout="wide")
    store_url = open_store()  # the one data-version query of this rerun
    access = who_is_here()
    if access.kind == "exposed":
        run_alone(exposed_page, "Sign-in is off")
    elif access.kind == "signed_out":
        run_alone(sign_in_page, "Sign in")
    elif access.kind == "no_role" or access.person is None:
        run_alone(lambda: no_access_page(access.identity or "?"), "No access yet")
    else:
        person_sidebar(access.person)
        store_version = data.data_version()  # the store's version, naming this person's scope
        shared_filters(store_url, store_version, access.person)
        demo_banner(store_url, store_version)
        run_page(navigation_pages(access.person))


@asynccontextmanager
async def warm_from_the_start(_app: st.App) -> AsyncIterator[None]:
    """When the server starts, before anyone has opened a page, start keeping the store's caches warm:
    the first visitor finds the figures worked out (or being worked out) instead of starting the work.
    When it stops, write the statuses still waiting to be saved, for the next start and `cli.py report`
    (the server ends by its signal after this, so exit handlers would not run)."""
    warm.watch(store.resolve_url(None))
    yield
    await asyncio.to_thread(data.wait_for_saves)


if __name__ == "__main__":
    main()  # Streamlit runs this file as the app's script, once per rerun of every session
else:
    # `streamlit run dashboard.py` finds this and serves the app with it, so the lifespan runs once per
    # server process, at its start (Streamlit's st.App).
    app = st.App(__file__, lifespan=warm_from_the_start)
