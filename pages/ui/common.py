"""UI helpers shared by the pages: cached store reads, the shared filters, figure tables and RAG words.

Caching is keyed on (store URL, store.data_version, as-at date), so an upload, an undo or a settings
change is seen by every page on the next rerun, and nothing that has not changed is recomputed.
The big frames (datasets, record statuses) are held once with st.cache_resource and must be treated as
read-only; small per-filter aggregates are st.cache_data copies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

import store
from loaders import DATASET_NAMES
from measures import (
    MEASURES,
    MeasureDef,
    Settings,
    SettingsError,
    default_settings,
    parse_quarter,
    quarter_label,
    quarterly_compliance,
    rag_for,
    rate_text,
    record_statuses,
    round_rates,
    settings_from_document,
)
from pages.ui import state
from pages.ui.display import plain

MEASURES_BY_ID: dict[str, MeasureDef] = {measure.id: measure for measure in MEASURES}
STATUS_ORDER: tuple[str, ...] = ("missed", "pending", "met", "excluded", "invalid")
TABLE_COUNT_COLUMNS: tuple[str, ...] = ("met", "missed", "pending", "excluded", "invalid")
# Colour-blind safe: every RAG colour also has a word and a distinct symbol.
RAG_WORDS: dict[str, str] = {
    "green": "● Green: on target",
    "amber": "▲ Amber: near target",
    "red": "■ Red: below target",
    "grey": "○ No rate",
}
RAG_BADGES: dict[str, tuple[str, str]] = {
    "green": ("green", ":material/check_circle:"),
    "amber": ("orange", ":material/change_history:"),
    "red": ("red", ":material/cancel:"),
    "grey": ("gray", ":material/radio_button_unchecked:"),
}
BREAKDOWNS: dict[str, str] = {
    "team": "Team",
    "worker": "Worker",
    "order_type": "Order type",
    "lscmi_version": "LS/CMI version",
    "risk_level": "Risk level",
}
UK_TIME = ZoneInfo("Europe/London")
DUE_SOON_DAYS = 14
CASES_SHOWN = 5_000  # a browser table of millions of rows helps nobody; the Export page has them all
CASE_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "team",
    "worker",
    "order_type",
    "from_date",
    "due_date",
    "to_date",
    "status",
    "days_taken",
)
GET_STARTED = "No data yet: run `make run` for demo data or upload extracts on the Upload page."
_CATEGORY_COLUMNS = (
    "measure",
    "team",
    "worker",
    "order_type",
    "lscmi_version",
    "risk_level",
    "status",
    "quarter",
)


class Filters(NamedTuple):
    """The sidebar filters, hashable so cached aggregates can be keyed on them."""

    from_quarter: str | None
    to_quarter: str | None
    teams: tuple[str, ...]
    workers: tuple[str, ...]
    order_types: tuple[str, ...]
    as_at: date


class FilterOptions(NamedTuple):
    quarters: list[str]
    teams: list[str]
    workers: list[str]
    order_types: list[str]


# --- store and cached frames -------------------------------------------------------------------------


def store_url() -> str:
    """The store URL dashboard.py resolved for this session."""
    if state.STORE_URL not in st.session_state:
        st.session_state[state.STORE_URL] = store.resolve_url(None)
    return st.session_state[state.STORE_URL]


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    """One engine (connection pool) per store for the whole server."""
    return store.connect(url)


def engine() -> Engine:
    return engine_for(store_url())


def data_version() -> str:
    """One cheap query; every cached read below is keyed on it."""
    return store.data_version(engine())


@st.cache_resource(show_spinner=False, max_entries=4)
def settings_for(url: str, version: str) -> Settings:
    try:
        return settings_from_document(store.load_settings(engine_for(url)))
    except SettingsError:
        # Saved settings are validated before they are stored; an unreadable document falls back safely.
        return default_settings()


@st.cache_resource(show_spinner="Reading the store…", max_entries=2)
def frames_for(url: str, version: str) -> dict[str, pd.DataFrame]:
    """Every dataset as stored. Shared between sessions: read-only."""
    connection = engine_for(url)
    return {name: store.read_dataset(connection, name) for name in DATASET_NAMES}


@st.cache_resource(show_spinner="Working out compliance…", max_entries=3)
def statuses_for(url: str, version: str, as_at: date) -> pd.DataFrame:
    """Every record's status per measure as at a date (one row per measure and applicable record).

    Text columns become categoricals once here, so every filter after it is a cheap code comparison.
    Shared between sessions: read-only.
    """
    statuses = record_statuses(frames_for(url, version), settings_for(url, version), as_at)
    present = [column for column in _CATEGORY_COLUMNS if column in statuses.columns]
    return statuses.astype({column: "category" for column in present})


@st.cache_data(show_spinner=False, max_entries=8)
def uploads_for(url: str, version: str) -> list[store.UploadInfo]:
    """The upload history, newest first, read once per data version (not on every rerun)."""
    return store.list_uploads(engine_for(url))


@st.cache_data(show_spinner=False, max_entries=8)
def last_uploads_for(url: str, version: str) -> dict[str, datetime | None]:
    """When each dataset was last uploaded, read once per data version."""
    return store.last_uploads(engine_for(url))


@st.cache_data(show_spinner=False, max_entries=8)
def holds_demo(url: str, version: str) -> bool:
    return store.holds_demo_data(engine_for(url))


def store_is_empty(url: str, version: str) -> bool:
    return all(frame.empty for frame in frames_for(url, version).values())


PAGES_DIR = Path(__file__).resolve().parents[1]
DASHBOARD = PAGES_DIR.parent / "dashboard.py"


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


def show_get_started() -> None:
    """What an empty store shows instead of figures: how to get data in."""
    st.info(GET_STARTED)
    st.page_link(page_path("upload"), label="Go to the Upload page", icon=":material/upload:")


# --- filters ----------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(url: str, version: str, as_at: date) -> FilterOptions:
    """Choices for the sidebar filters: every quarter from the first to the last, and the names in use."""
    statuses = statuses_for(url, version, as_at)
    starts = statuses["quarter_start"].dropna()
    quarters: list[str] = []
    if not starts.empty:
        span = pd.period_range(starts.min(), starts.max(), freq="Q-MAR")
        quarters = [quarter_label(period.start_time.date()) for period in span]

    def names(column: str) -> list[str]:
        values = statuses[column].dropna()
        return sorted(str(value) for value in values.unique())

    return FilterOptions(quarters, names("team"), names("worker"), names("order_type"))


def current_filters() -> Filters:
    """The sidebar's current values (dashboard.py creates the widgets before any page runs)."""
    session = st.session_state
    as_at = session.get(state.FILTER_AS_AT) or date.today()
    return Filters(
        from_quarter=session.get(state.FILTER_FROM_QUARTER),
        to_quarter=session.get(state.FILTER_TO_QUARTER),
        teams=tuple(session.get(state.FILTER_TEAMS) or ()),
        workers=tuple(session.get(state.FILTER_WORKERS) or ()),
        order_types=tuple(session.get(state.FILTER_ORDER_TYPES) or ()),
        as_at=as_at,
    )


def filter_mask(statuses: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Rows the filters keep. The order-type filter leaves audits alone: an audit has no order type."""
    keep = np.ones(len(statuses), dtype=bool)
    starts = statuses["quarter_start"].to_numpy()
    if filters.from_quarter:
        keep &= starts >= np.datetime64(parse_quarter(filters.from_quarter), "ns")
    if filters.to_quarter:
        keep &= starts <= np.datetime64(parse_quarter(filters.to_quarter), "ns")
    if filters.teams:
        keep &= statuses["team"].isin(filters.teams).to_numpy()
    if filters.workers:
        keep &= statuses["worker"].isin(filters.workers).to_numpy()
    if filters.order_types:
        audit_measures = [measure.id for measure in MEASURES if measure.dataset == "audits"]
        keep &= (
            statuses["order_type"].isin(filters.order_types) | statuses["measure"].isin(audit_measures)
        ).to_numpy()
    return keep


# The date that places a raw record in a quarter when a dataset (not a measure) is filtered.
DATASET_QUARTER_DATE: dict[str, str] = {
    "orders": "order_date",
    "reviews": "review_due",
    "audits": "audit_date",
}


def dataset_in_filters(frame: pd.DataFrame, dataset: str, filters: Filters) -> pd.DataFrame:
    """A dataset's records kept by the sidebar filters (quarter range on the dataset's own date).

    A filter on a column the dataset lacks (audits have no order type) leaves it alone.
    """
    keep = pd.Series(True, index=frame.index)
    when = frame[DATASET_QUARTER_DATE[dataset]]
    if filters.from_quarter:
        keep &= when >= pd.Timestamp(parse_quarter(filters.from_quarter))
    if filters.to_quarter:
        keep &= when < pd.Timestamp(parse_quarter(filters.to_quarter)) + pd.DateOffset(months=3)
    for column, chosen in (
        ("team", filters.teams),
        ("worker", filters.workers),
        ("order_type", filters.order_types),
    ):
        if chosen and column in frame.columns:
            keep &= frame[column].isin(chosen)
    return frame[keep]


@st.cache_resource(show_spinner=False, max_entries=8)
def kept_rows(url: str, version: str, filters: Filters) -> np.ndarray:
    """Which status rows the filters keep, as a boolean array over statuses_for(...). Read-only."""
    return filter_mask(statuses_for(url, version, filters.as_at), filters)


def filtered_statuses(
    url: str, version: str, filters: Filters, measure_ids: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """The status rows the filters keep, optionally for some measures only (a new frame each call)."""
    statuses = statuses_for(url, version, filters.as_at)
    keep = kept_rows(url, version, filters)
    if measure_ids is not None:
        keep = keep & statuses["measure"].isin(measure_ids).to_numpy()
    return statuses[keep]


@st.cache_resource(show_spinner=False, max_entries=16)
def measure_statuses(url: str, version: str, filters: Filters, measure_id: str) -> pd.DataFrame:
    """One measure's filtered statuses, cut once per filter so a page's sections share it. Read-only."""
    return filtered_statuses(url, version, filters, (measure_id,))


@st.cache_data(show_spinner=False, max_entries=64)
def quarterly_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """Quarterly compliance per measure for the filtered records (SPEC 3.2-3.5).

    Only the three columns the count needs are cut out, which keeps a filter change quick on millions
    of rows.
    """
    statuses = statuses_for(url, version, filters.as_at)
    counted = statuses.loc[kept_rows(url, version, filters), ["measure", "status", "quarter_start"]]
    return quarterly_compliance(counted, settings_for(url, version))


# --- figures as tables ------------------------------------------------------------------------------


def rag_badge(rag: object) -> None:
    """The RAG rating as a coloured badge whose icon shape and words carry it without colour."""
    colour, icon = RAG_BADGES.get(str(rag), RAG_BADGES["grey"])
    st.badge(rag_word(rag)[2:], icon=icon, color=colour)


def rag_word(rag: object) -> str:
    return RAG_WORDS.get(str(rag), RAG_WORDS["grey"])


def format_rate(rate: object) -> str:
    """'87.5%', or 'no rate' when nothing was due (SPEC 3.2: no rate when the denominator is 0)."""
    return "no rate" if rate is None or pd.isna(rate) else f"{rate_text(rate)}%"


def quarterly_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The figures behind a trend chart, as shown beside it."""
    table = pd.DataFrame(
        {
            "Quarter": rows["quarter"].astype(str),
            **{column.capitalize(): rows[column].astype("int64") for column in TABLE_COUNT_COLUMNS},
            "Rate %": round_rates(rows["rate"]),
            "Target %": rows["target"].astype("float64").round(1),
            "RAG": rows["rag"].map(rag_word),
        }
    )
    return table.reset_index(drop=True)


def show_table(frame: pd.DataFrame, *, key: str | None = None, height: int | str = "auto") -> None:
    """A table without the index, dates shown the UK way (dd/mm/yyyy)."""
    dates = {
        str(column): st.column_config.DateColumn(str(column), format="DD/MM/YYYY")
        for column, dtype in frame.dtypes.items()
        if pd.api.types.is_datetime64_any_dtype(dtype)
    }
    st.dataframe(frame, hide_index=True, key=key, height=height, column_config=dates)


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown_for(
    url: str, version: str, filters: Filters, measure_id: str, by: str, target: float, amber_margin: float
) -> pd.DataFrame:
    """Met / missed / pending / excluded / invalid, rate and RAG (against `target`) per value of a column."""
    rows = measure_statuses(url, version, filters, measure_id)
    groups = rows[by].astype("object").fillna("(blank)")
    counts = pd.crosstab(groups, rows["status"].astype("object"))
    counts = counts.reindex(columns=list(TABLE_COUNT_COLUMNS), fill_value=0)
    decided = counts["met"] + counts["missed"]
    rate = counts["met"] * 100.0 / decided.where(decided > 0)
    rag = [rag_for(value, target, amber_margin) for value in rate]  # unrounded, as the quarterly RAG
    table = counts.assign(rate=round_rates(rate), rag=rag).reset_index(names="group")
    return table.sort_values("group", kind="stable").reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def days_taken_for(url: str, version: str, filters: Filters, measure_id: str) -> pd.DataFrame:
    """How many records took each number of days (records with both dates, excluded ones left out)."""
    rows = measure_statuses(url, version, filters, measure_id)
    days = rows.loc[rows["status"] != "excluded", "days_taken"].dropna().astype("int64")
    counts = days.value_counts().sort_index()
    return pd.DataFrame({"days_taken": counts.index, "records": counts.to_numpy()})


def order_cases(cases: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Cases needing action first: overdue (missed, still open), then due soon, then the rest.

    Adds an `attention` column in words, so the order never relies on colour.
    """
    as_at_ts = pd.Timestamp(as_at)
    open_case = cases["to_date"].isna()
    overdue = cases["status"].eq("missed") & open_case
    due_soon = cases["status"].eq("pending") & (
        cases["due_date"] <= as_at_ts + pd.Timedelta(days=DUE_SOON_DAYS)
    )
    attention = pd.Series("", index=cases.index, dtype="object")
    attention[cases["status"].eq("missed")] = "missed"
    attention[overdue] = "overdue"
    attention[due_soon] = "due soon"
    rank = attention.map({"overdue": 0, "due soon": 1, "missed": 2}).fillna(3)
    status_rank = cases["status"].astype("object").map({s: i for i, s in enumerate(STATUS_ORDER)})
    ordered = cases.assign(attention=attention, _rank=rank, _status_rank=status_rank)
    ordered = ordered.sort_values(["_rank", "_status_rank", "due_date", "case_ref"], kind="stable")
    return ordered.drop(columns=["_rank", "_status_rank"])


@st.cache_data(show_spinner=False, max_entries=64)
def cases_for(
    url: str, version: str, filters: Filters, measure_id: str, quarter: str | None, status: str | None
) -> tuple[int, pd.DataFrame]:
    """The records behind one figure: a measure's quarter and status (None = every quarter / status).

    Returns how many there are and, in attention order, the first CASES_SHOWN of them.
    """
    rows = measure_statuses(url, version, filters, measure_id)
    if quarter:
        rows = rows[rows["quarter"] == quarter]
    if status:
        rows = rows[rows["status"] == status]
    columns = [column for column in CASE_COLUMNS if column in rows.columns]
    cases = rows[columns].astype(
        {c: "object" for c in columns if isinstance(rows[c].dtype, pd.CategoricalDtype)}
    )
    return len(cases), order_cases(cases, filters.as_at).head(CASES_SHOWN).reset_index(drop=True)


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as UK local time, dd/mm/yyyy hh:mm ('' for none)."""
    if moment is None or pd.isna(moment):
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(UK_TIME):%d/%m/%Y %H:%M}"


# --- identity and errors ----------------------------------------------------------------------------


def current_user() -> str:
    """Who is signed in (OIDC e-mail), else 'local user'; recorded with uploads and exports."""
    try:
        email = st.user.get("email")
    except Exception:  # no auth configured: st.user has no attributes
        email = None
    return str(email) if email else "local user"


USER_ERRORS: tuple[type[Exception], ...] = (store.StoreError, store.UndoError, SettingsError)


def log_export(what: str, filters: dict[str, object], rows: int, file_format: str, data: bytes) -> None:
    """Download-button callback: record who took which rows, with which filters (never the rows)."""
    run_guarded(
        lambda: store.record_export(
            engine(),
            user=current_user(),
            what=what,
            filters=filters,
            rows=rows,
            file_format=file_format,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )


def run_guarded(action: Callable[[], object], errors: tuple[type[Exception], ...] = USER_ERRORS) -> object:
    """Run an action a user asked for; a known failure becomes a one-line st.error, never a traceback."""
    try:
        return action()
    except errors as error:
        st.error(plain(str(error).splitlines()[0]) if str(error) else type(error).__name__)
        return None
