"""Cached reads for the pages: the store, its data version, and the frames measures/ computes from it.

Caching is keyed on (store URL, store.data_version, as-at date or filters), so an upload, an undo or a
settings change is seen by every page on the next rerun, and nothing that has not changed is
recomputed. The big frames (datasets, record statuses) are held once with st.cache_resource and must
be treated as read-only; small per-filter aggregates are st.cache_data copies. The rules themselves
live in measures/; these wrappers only decide what is cached and for how long.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

import store
from loaders import DATASET_NAMES
from measures import (
    Settings,
    SettingsError,
    default_settings,
    quarterly_compliance,
    record_statuses,
    settings_from_document,
)
from measures.filters import FilterOptions, Filters, filter_options, status_mask
from measures.worklist import open_work
from pages.ui import state

# Turned into categoricals once, so every filter after it is a cheap code comparison.
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
    """The data version every cached read is keyed on, queried once per rerun.

    dashboard.py reads it at the start of each run and keeps it in the session for that run
    (state.DATA_VERSION); outside a run's frame (a button's callback) it is queried afresh.
    """
    version = st.session_state.get(state.DATA_VERSION)
    return version if version is not None else store.data_version(engine())


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

    Shared between sessions: read-only.
    """
    statuses = record_statuses(frames_for(url, version), settings_for(url, version), as_at)
    present = [column for column in _CATEGORY_COLUMNS if column in statuses.columns]
    return statuses.astype(dict.fromkeys(present, "category"))


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


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options_for(url: str, version: str, as_at: date) -> FilterOptions:
    """Choices for the sidebar filters."""
    return filter_options(statuses_for(url, version, as_at))


@st.cache_resource(show_spinner=False, max_entries=8)
def kept_rows(url: str, version: str, filters: Filters) -> np.ndarray:
    """Which status rows the filters keep, as a boolean array over statuses_for(...). Read-only."""
    return status_mask(statuses_for(url, version, filters.as_at), filters)


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


@st.cache_resource(show_spinner=False, max_entries=8)
def worklist_for(url: str, version: str, as_at: date, within_days: int) -> pd.DataFrame:
    """Every open case due within `within_days` working days of `as_at` (SPEC 7.2). Read-only."""
    return open_work(
        statuses_for(url, version, as_at),
        frames_for(url, version).get("reviews"),
        settings_for(url, version),
        as_at,
        within_days,
    )


def plan_version() -> str:
    """The action plan's version (store.actions_version), queried once per page run that shows the plan."""
    return store.actions_version(engine())


@st.cache_data(show_spinner=False, max_entries=8)
def actions_for(url: str, plan: str) -> pd.DataFrame:
    """The improvement action plan, read once per plan version."""
    return store.list_actions(engine_for(url))
