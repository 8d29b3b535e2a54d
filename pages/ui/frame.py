"""What frames every page: navigation, the start every page shares, who is signed in, guarded actions,
the export log and the audit trail of what each person saw.

The identity seam (issue 7) is `resolve_access()`: the one place that decides who is at the keyboard.
- `[auth]` in st.secrets: sign-in is on. st.user says who signed in (OpenID Connect claims), and the
  store's People list says their role; someone signed in but not listed has no access yet.
- no `[auth]`: local mode. The person at the keyboard is an admin ("local user"), every page says
  sign-in is off, and the server must listen only on this machine: if it can be reached from elsewhere
  (server.address not a loopback address, or the request came from another host or through a proxy)
  it shows no case data and says how to turn sign-in on.
dashboard.py resolves the person first and keeps them, their team scope and whether figures are
suppressed in the session for the run; pages read them through `current_person()` and pages.ui.data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, NamedTuple, overload

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import store
from measures import SettingsError
from measures.access import (
    ADMIN,
    Person,
    identity_from_claims,
    may_open,
    suppresses_small_numbers,
)
from measures.filters import Filters, describe_filters
from pages.ui import data, data_dates, state
from pages.ui.display import plain

PAGES_DIR = Path(__file__).resolve().parents[1]
DASHBOARD = PAGES_DIR.parent / "dashboard.py"
GET_STARTED = "No data yet: run `make run` for demo data or upload extracts on the Upload page."
USER_ERRORS: tuple[type[Exception], ...] = (store.StoreError, store.UndoError, SettingsError)

LOCAL_USER = "local user"
LOCAL_PERSON = Person(LOCAL_USER, ADMIN, ())
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1", "localhost"})
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})
# Headers a reverse proxy adds: a request that carries one came from beyond this machine.
PROXY_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip", "Forwarded")
SIGN_IN_OFF = (
    "Sign-in is off: anyone at this computer uses the dashboard as an administrator. Turn sign-in on "
    "before real case data goes in (README: Sign-in and roles)."
)
HOW_TO_SIGN_IN = (
    "To turn sign-in on, add an `[auth]` section to `.streamlit/secrets.toml` (the README's "
    "“Sign-in and roles” lists the keys) and add the first administrator with "
    "`python cli.py users add EMAIL --role admin`. To use the dashboard on this computer only, run it "
    "listening on 127.0.0.1, as `.streamlit/config.toml` sets."
)
SUPPRESSION_NOTE = (
    "Service-level figures. A rate from fewer than 10 due records is not shown (and its counts are "
    "blank), so that nobody can be identified from it."
)


class Access(NamedTuple):
    """Who is at the keyboard, as the identity seam decided.

    kind: "local" (sign-in off, this machine only), "exposed" (sign-in off but reachable from elsewhere:
    no data), "signed_out", "no_role" (signed in, not on the People list) or "signed_in".
    """

    kind: Literal["local", "exposed", "signed_out", "no_role", "signed_in"]
    person: Person | None
    identity: str | None


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
    as_at = data_dates.current_as_at(data.store_url(), data.data_version())
    return Filters(
        from_quarter=session.get(state.FILTER_FROM_QUARTER),
        to_quarter=session.get(state.FILTER_TO_QUARTER),
        teams=tuple(session.get(state.FILTER_TEAMS) or ()),
        workers=tuple(session.get(state.FILTER_WORKERS) or ()),
        order_types=tuple(session.get(state.FILTER_ORDER_TYPES) or ()),
        as_at=as_at,
    )


def show_get_started() -> None:
    """What an empty store shows instead of figures: how to get data in."""
    st.info(GET_STARTED)
    page_link(st.container(), "upload", label="Go to the Upload page", icon=":material/upload:")


@overload
def page_start(title: str, *, needs_data: Literal[False], quarter_range: bool = True) -> PageStart: ...
@overload
def page_start(title: str, *, needs_data: bool = True, quarter_range: bool = True) -> PageStart | None: ...


def page_start(title: str, *, needs_data: bool = True, quarter_range: bool = True) -> PageStart | None:
    """The start every page shares: inside dashboard.py's frame, its title, the store and filters.

    A page of figures (`needs_data`) states the sidebar's filters in one line under its title, so a
    screenshot of it is never misleading (`quarter_range=False`: the page ignores the quarter range).
    None when the page shows figures and the store is empty: the page has then said how to get data
    in, and draws nothing more.
    """
    require_dashboard_frame()
    person = current_person()
    page = st.session_state.get(state.CURRENT_PAGE)
    if person is None or (page is not None and not may_open(person, str(page))):
        refuse(str(page), title)
    st.title(title)
    url, version = data.store_url(), data.data_version()
    filters = current_filters()
    if needs_data:
        st.caption(describe_filters(filters, quarter_range=quarter_range))
    if not auth_configured():
        st.caption(SIGN_IN_OFF)
    if person is not None and suppresses_small_numbers(person):
        st.caption(SUPPRESSION_NOTE)
    data_line = data_dates.data_date_line(url, version, filters.as_at)
    if data_line:
        st.caption(data_line)
    if needs_data and data.store_is_empty(url, version):
        show_get_started()
        return None
    return PageStart(url, version, filters)


# --- who is at the keyboard (the identity seam) -----------------------------------------------------


def auth_configured() -> bool:
    """Whether sign-in is on: st.secrets has an `[auth]` section (Streamlit's OpenID Connect settings)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one that cannot be read: sign-in is not configured
        return False


def _host_name(host: str) -> str:
    """'example.org:8501' -> 'example.org'; '[::1]:8501' -> '::1'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def reachable_beyond_localhost() -> bool:
    """Whether people on other machines can reach this server (then local mode must show no data).

    True when the server listens on anything but a loopback address (server.address unset means every
    address), when this request came from another address, or when it came through a reverse proxy
    or by a host name that is not this machine's.
    """
    address = st.get_option("server.address")
    if not address or str(address).strip().lower() not in LOOPBACK_ADDRESSES:
        return True
    try:
        remote = st.context.ip_address  # None for a connection from this machine
        if isinstance(remote, str) and remote:
            return True
        headers = st.context.headers
        if any(headers.get(name) for name in PROXY_HEADERS):
            return True
        host = headers.get("Host")
    except Exception:  # no request (a test run): only the listening address can tell
        return False
    return bool(host) and _host_name(str(host)) not in LOCAL_HOST_NAMES


def _claims() -> dict[str, object]:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def resolve_access() -> Access:
    """Decide who is at the keyboard: the one identity seam every role check starts from."""
    if not auth_configured():
        if reachable_beyond_localhost():
            return Access("exposed", None, None)
        return Access("local", LOCAL_PERSON, LOCAL_USER)
    claims = _claims()
    identity = identity_from_claims(claims) if claims.get("is_logged_in") else None
    if identity is None:
        return Access("signed_out", None, None)
    record = store.get_person(data.engine(), identity)
    if record is None:
        return Access("no_role", None, identity)
    return Access("signed_in", Person(record.email, record.role, record.teams), identity)


def current_person() -> Person | None:
    """The person this run is for, as dashboard.py resolved them (None: nobody with a role)."""
    if state.PERSON in st.session_state:
        person = st.session_state[state.PERSON]
        return person if isinstance(person, Person) else None
    return resolve_access().person


def current_user() -> str:
    """Who to record as doing something: the signed-in person's identity, else 'local user'."""
    person = current_person()
    if person is not None:
        return person.email
    identity = identity_from_claims(_claims()) if auth_configured() else None
    return identity or LOCAL_USER


def record_event(action: str, detail: str, rows: int | None = None) -> bool:
    """Append to the audit trail as the current person; False (and one line on the page) if it failed."""
    done = run_guarded(
        lambda: store.record_event(data.engine(), current_user(), action, detail, rows) or True
    )
    return bool(done)


def record_once(key: str, marker: str, action: str, detail: str, rows: int | None = None) -> bool:
    """Record an event once per session per marker (a page view, a refusal); True once it is recorded."""
    done = st.session_state.setdefault(key, set())
    if marker in done:
        return True
    if record_event(action, detail, rows):
        done.add(marker)
        return True
    return False


def record_case_view(what: str, filters: Mapping[str, object], rows: int) -> bool:
    """Record that case-level rows were shown: once per session for each (page, filters), with the
    rows shown. False when the record could not be written: the caller then shows no rows."""
    if rows <= 0:
        return True
    detail = store.detail_json(what, filters)
    return record_once(state.CASE_VIEWS_RECORDED, detail, "view_cases", detail, rows)


def refuse(page: str, title: str) -> None:
    """A page the person may not open: one plain line, recorded (once per session and page); stops."""
    st.title(title)
    st.error("You do not have access to this page. An administrator can change your role on the People page.")
    record_once(state.REFUSALS_RECORDED, page, "access_refused", f"page {page} refused")
    st.stop()


def page_link(container: DeltaGenerator, page: str, *, label: str, icon: str) -> None:
    """A link to another page, drawn only when the person may open it (a link to an absent page fails)."""
    person = current_person()
    if person is not None and may_open(person, page):
        container.page_link(page_path(page), label=label, icon=icon)


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


def filters_record(filters: Filters, **more: object) -> dict[str, object]:
    """The filters as the audit trail names them (JSON-safe), with anything more a page selected."""
    from measures.filters import filters_document

    return json.loads(json.dumps(filters_document(filters) | more, default=str))
