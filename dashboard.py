"""Streamlit entry point: page setup, the shared sidebar filters and the page navigation.

Run with `streamlit run dashboard.py`. The filters live here, not on the pages, so they keep their
values when the user moves between pages, and they are bound to the URL so a link opens the same view.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from pages.ui import data, state
from pages.ui.frame import USER_ERRORS, page_path

st.set_page_config(page_title="Justice social work compliance", layout="wide")

PAGES = [
    st.Page(page_path("overview"), title="Overview", icon=":material/dashboard:", default=True),
    st.Page(page_path("due_soon"), title="Due soon", icon=":material/alarm:"),
    st.Page(page_path("assessment"), title="Assessment timescales", icon=":material/schedule:"),
    st.Page(page_path("reviews"), title="Statutory reviews", icon=":material/event_available:"),
    st.Page(page_path("quality"), title="Case recording quality", icon=":material/grading:"),
    st.Page(page_path("action_plan"), title="Action plan", icon=":material/checklist:"),
    st.Page(page_path("data_quality"), title="Data quality", icon=":material/rule:"),
    st.Page(page_path("upload"), title="Upload", icon=":material/upload:"),
    st.Page(page_path("export"), title="Export", icon=":material/download:"),
    st.Page(page_path("settings"), title="Settings", icon=":material/settings:"),
]


def open_store() -> tuple[str, str]:
    """The store's URL and data version, read once for this run (pages.ui.data.data_version returns it).

    A store that cannot be reached stops the run with one line.
    """
    url = data.store_url()
    st.session_state.pop(state.DATA_VERSION, None)  # a fresh read on every rerun
    try:
        version = data.data_version()
        st.session_state[state.DATA_VERSION] = version
        return url, version
    except USER_ERRORS as error:
        st.error(str(error))
    except SQLAlchemyError:
        # The driver's message can name hosts and users: it goes to the server log, not the page.
        st.error("The data store cannot be reached just now. Try again shortly, or ask the administrator.")
    st.stop()


def demo_banner(url: str, version: str) -> None:
    """While the store holds demo data, every page says so before anything else."""
    if data.holds_demo(url, version):
        st.warning(
            "**Demo data.** The store holds synthetic demonstration records, not real people. "
            "Upload real extracts on the Upload page; undo the demo uploads there to remove them.",
            icon=":material/science:",
        )


def shared_filters(url: str, version: str) -> None:
    """Quarter range, team, worker, order type and as-at date, in the sidebar of every page."""
    sidebar = st.sidebar
    sidebar.header("Filters")
    quarter_box, names_box = sidebar.container(), sidebar.container()
    as_at = sidebar.date_input(
        "As at",
        value=date.today(),
        key=state.FILTER_AS_AT,
        bind="query-params",
        format="DD/MM/YYYY",
        help="The report date: a case with nothing recorded is missed once its due date has passed.",
    )
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
    for label, choices, key in (
        ("Team", options.teams, state.FILTER_TEAMS),
        ("Worker", options.workers, state.FILTER_WORKERS),
        ("Order type", options.order_types, state.FILTER_ORDER_TYPES),
    ):
        names_box.multiselect(label, choices, key=key, bind="query-params", placeholder="All")


store_url, store_version = open_store()  # the one data-version query of this rerun
shared_filters(store_url, store_version)
demo_banner(store_url, store_version)
st.session_state[state.FRAMED_BY_DASHBOARD] = True
try:
    st.navigation(PAGES).run()
finally:
    st.session_state[state.FRAMED_BY_DASHBOARD] = False
    st.session_state.pop(state.DATA_VERSION, None)  # a callback before the next run queries afresh
