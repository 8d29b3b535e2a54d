"""What frames every page: navigation, the start every page shares, who is signed in, guarded actions
and the export log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal, NamedTuple, overload

import streamlit as st

import store
from measures import SettingsError
from measures.filters import Filters
from pages.ui import data, state
from pages.ui.display import plain

PAGES_DIR = Path(__file__).resolve().parents[1]
DASHBOARD = PAGES_DIR.parent / "dashboard.py"
GET_STARTED = "No data yet: run `make run` for demo data or upload extracts on the Upload page."
USER_ERRORS: tuple[type[Exception], ...] = (store.StoreError, store.UndoError, SettingsError)


class PageStart(NamedTuple):
    """What a page needs from its start: the store, this run's data version and the sidebar's filters."""

    url: str
    version: str
    filters: Filters


def page_path(name: str) -> str:
    """Absolute path of a page module, so navigation works whatever directory the app started from."""
    return str(PAGES_DIR / f"{name}.py")


def require_dashboard_frame() -> None:
    """Run a page only inside dashboard.py's frame (filters, navigation).

    Streamlit treats a `pages/` folder beside the entry point as a legacy multipage app until the first
    session runs dashboard.py's st.navigation. A deep link opened first after a server start would run
    the page bare, without the sidebar filters; this sends it through dashboard.py instead, keeping
    the link's filters.
    """
    if not st.session_state.get(state.FRAMED_BY_DASHBOARD):
        st.switch_page(str(DASHBOARD), query_params=st.query_params.to_dict())


def current_filters() -> Filters:
    """The sidebar's current values (dashboard.py creates the widgets before any page runs)."""
    session = st.session_state
    return Filters(
        from_quarter=session.get(state.FILTER_FROM_QUARTER),
        to_quarter=session.get(state.FILTER_TO_QUARTER),
        teams=tuple(session.get(state.FILTER_TEAMS) or ()),
        workers=tuple(session.get(state.FILTER_WORKERS) or ()),
        order_types=tuple(session.get(state.FILTER_ORDER_TYPES) or ()),
        as_at=session.get(state.FILTER_AS_AT) or date.today(),
    )


def show_get_started() -> None:
    """What an empty store shows instead of figures: how to get data in."""
    st.info(GET_STARTED)
    st.page_link(page_path("upload"), label="Go to the Upload page", icon=":material/upload:")


@overload
def page_start(title: str, *, needs_data: Literal[False]) -> PageStart: ...
@overload
def page_start(title: str, *, needs_data: bool = True) -> PageStart | None: ...


def page_start(title: str, *, needs_data: bool = True) -> PageStart | None:
    """The start every page shares: inside dashboard.py's frame, its title, the store and filters.

    None when the page shows figures (`needs_data`) and the store is empty: the page has then said how
    to get data in, and draws nothing more.
    """
    require_dashboard_frame()
    st.title(title)
    url, version = data.store_url(), data.data_version()
    if needs_data and data.store_is_empty(url, version):
        show_get_started()
        return None
    return PageStart(url, version, current_filters())


def current_user() -> str:
    """Who is signed in (OIDC e-mail), else 'local user'; recorded with uploads and exports."""
    try:
        email = st.user.get("email")
    except Exception:  # no auth configured: st.user has no attributes
        email = None
    return str(email) if email else "local user"


def run_guarded(action: Callable[[], object], errors: tuple[type[Exception], ...] = USER_ERRORS) -> object:
    """Run an action a user asked for; a known failure becomes a one-line st.error, never a traceback."""
    try:
        return action()
    except errors as error:
        st.error(plain(str(error).splitlines()[0]) if str(error) else type(error).__name__)
        return None


def log_export(what: str, filters: dict[str, object], rows: int, file_format: str, content: bytes) -> None:
    """Download-button callback: record who took which rows, with which filters (never the rows)."""
    run_guarded(
        lambda: store.record_export(
            data.engine(),
            user=current_user(),
            what=what,
            filters=filters,
            rows=rows,
            file_format=file_format,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    )
