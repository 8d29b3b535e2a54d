"""Cached reads for the pages: the store, its data version, and the frames measures/ computes from it.

Caching is keyed on (store URL, store.data_version, as-at date or filters), so an upload, an undo or a
settings change is seen by every page on the next rerun, and nothing that has not changed is
recomputed. The record statuses are held once with st.cache_resource and must be treated as read-only;
small per-filter aggregates are st.cache_data copies. The datasets themselves are not kept: pages read
the columns they need (dataset_for) and cache what they work out from them. The rules themselves
live in measures/; these wrappers only decide what is cached and for how long.

Team scope (issue 7) is applied here, where the session's frames are read, once: a team leader's
dataset_for and statuses_for hold only their teams' rows, and everything else is derived from those.
Every public function keeps its signature and reads the session's scope inside (`current_scope()`,
set by dashboard.py from the signed-in person); the cached inner functions take the scope as an
explicit argument, so a cache entry is never shared between scopes. The whole service's frames stay
one shared, read-only copy; a scope's rows are cut from it once per data version. The data version
pages see (`data_version()`) also names the scope, so the caches pages keep of their own, keyed on
(url, version, ...), are scope-separated too without each having to know about scope.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import threading
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

import store
import store.columnar
from loaders import DATASET_NAMES
from measures import (
    Settings,
    SettingsError,
    default_settings,
    quarterly_compliance,
    record_statuses,
    settings_from_document,
    settings_to_document,
)
from measures.access import in_scope, suppress_small
from measures.counts import (
    StatusCounts,
    options_from_counts,
    quarterly_in_filters,
    status_counts,
    updated_counts,
)
from measures.filters import FilterOptions, Filters, filter_options, status_mask
from measures.incremental import StatusChange, redated_change, updated_change
from measures.saved import statuses_key
from measures.statuses import GROUPING_COLUMNS
from measures.worklist import DEFAULT_WITHIN_DAYS, open_work
from pages.ui import state

_log = logging.getLogger(__name__)

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


Scope = tuple[str, ...] | None  # the teams a session sees; None: every team
_SCOPE_MARK = "|scope:"


def current_scope() -> Scope:
    """The teams this session's person sees (None: every team), as dashboard.py set it for the run.

    Fails closed: a run that has not been through dashboard.py's identity check sees no team at all.
    """
    if state.TEAM_SCOPE not in st.session_state:
        return ()
    scope = st.session_state[state.TEAM_SCOPE]
    return None if scope is None else tuple(scope)


def suppressing() -> bool:
    """Whether this session's figures have small numbers suppressed (viewers)."""
    return bool(st.session_state.get(state.SUPPRESS_SMALL, False))


def scope_suffix(scope: Scope, suppress: bool = False) -> str:
    """What a scope adds to the data version: nothing for the whole service, else a short digest."""
    if scope is None and not suppress:
        return ""
    named = sorted(team.casefold() for team in scope) if scope is not None else None
    digest = hashlib.sha256(json.dumps([named, suppress]).encode()).hexdigest()[:12]
    return f"{_SCOPE_MARK}{digest}"


def _base(version: str) -> str:
    """The store's own data version, without the scope a page's copy of it names."""
    return version.split(_SCOPE_MARK, 1)[0]


def store_data_version() -> str:
    """The store's data version as queried now (dashboard.py keeps it for the run)."""
    return store.data_version(engine())


def data_version() -> str:
    """The data version every cached read is keyed on, queried once per rerun, naming the session's scope.

    dashboard.py reads it at the start of each run and keeps it in the session for that run
    (state.DATA_VERSION); outside a run's frame (a button's callback) it is queried afresh. The scope
    suffix keeps the caches pages hold of their own (keyed on url and version) apart between scopes.
    """
    version = st.session_state.get(state.DATA_VERSION)
    base = version if version is not None else store_data_version()
    return base + scope_suffix(current_scope(), suppressing())


def settings_for(url: str, version: str) -> Settings:
    """The settings in force (not case data: the same for every scope)."""
    return _settings(url, _base(version))


@st.cache_resource(show_spinner=False, max_entries=4)
def _settings(url: str, version: str) -> Settings:
    try:
        return settings_from_document(store.load_settings(engine_for(url)))
    except SettingsError:
        # Saved settings are validated before they are stored; an unreadable document falls back safely.
        return default_settings()


# Categorical columns holding names: a scope's copy keeps only the names its rows use.
_NAME_COLUMNS = ("team", "worker")


def _in_scope_rows(frame: pd.DataFrame, scope: tuple[str, ...]) -> pd.DataFrame:
    """A scope's rows of a shared frame (a blank team is in no scope), numbered afresh.

    Team and worker categories no row uses are dropped, so no other team's name, nor its workers', can
    appear as an empty group in a breakdown, a filter choice or a count. Other categories (measure,
    status, quarter, ...) name nothing of another team and are left as they are: trimming them costs time
    on millions of rows and gains nothing.
    """
    kept = frame.take(np.flatnonzero(in_scope(frame["team"], scope)))
    kept.index = pd.RangeIndex(len(kept))
    for column in _NAME_COLUMNS:
        if column in kept.columns and isinstance(kept[column].dtype, pd.CategoricalDtype):
            kept[column] = kept[column].cat.remove_unused_categories()
    return kept


def _all_records(url: str) -> dict[str, pd.DataFrame]:
    """Every dataset as stored, the whole service, for a full computation of the statuses: read when
    needed and not kept (a million records as Python objects would otherwise stay in memory)."""
    connection = engine_for(url)
    return {name: store.read_dataset(connection, name) for name in DATASET_NAMES}


def dataset_for(url: str, version: str, dataset: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One dataset's records within the session's team scope: the named canonical columns only (all when
    None), with record_id and upload_id. A new frame at each call, read from the store's saved copy
    (store.read_dataset); no cache keeps it, so callers cache what they work out from it (a few rows
    or counts) and the server does not hold every record between visits. Reading a few columns of a
    million records takes a fraction of a second; reading them all, a second or two.
    """
    scope = current_scope()
    wanted = columns if columns is None or scope is None else (*columns, "team")
    frame = store.read_dataset(engine_for(url), dataset, wanted)
    if scope is None:
        return frame
    kept = _in_scope_rows(frame, scope)
    return kept if columns is None or "team" in columns else kept.drop(columns="team")


@st.cache_resource(show_spinner="Working out compliance…", max_entries=2)
def _all_statuses(url: str, version: str, as_at: date) -> pd.DataFrame:
    """Every record's status per measure as at a date, the whole service. Read-only.

    Read from the copy saved on disk for these records, settings and date when there is one (a
    server start, or another server on the same store that worked them out first); else brought up to
    date from the statuses this server last had, when uploads alone wrote records since (only those
    records are worked out, and the earlier ones moved to a new as-at date: measures.incremental); else
    worked out whole. A new frame is saved in the background for the next server, once the pages have
    had their turn (SAVE_DELAY_SECONDS). Two entries: today's, and one other as-at date.
    """
    versions = store.records_versions(engine_for(url))
    settings = _settings(url, version)
    saved = _statuses_path(url, versions, settings, as_at)
    statuses = store.columnar.load_frame(saved) if saved is not None and saved.exists() else None
    change = None
    if statuses is None:
        change = _brought_up_to_date(url, versions, settings, as_at)
        statuses = change.statuses if change is not None else None
        if statuses is None:
            statuses = _as_categories(record_statuses(_all_records(url), settings, as_at))
        if saved is not None:
            with _save_lock:
                _newest_to_save[(url, as_at)] = saved
            saving = threading.Thread(target=_save_later, args=((url, as_at), saved, statuses), daemon=True)
            _saving.append(saving)
            saving.start()
    earlier = _latest.get(url)
    _latest[url] = _Latest(versions, _document_text(settings), as_at, statuses)
    if change is not None and earlier is not None:
        _changed[url] = _Changed(earlier.statuses, change)
    else:
        _changed.pop(url, None)  # read or worked out whole: an older change must not hold its frames
    return statuses


class _Latest(NamedTuple):
    """The statuses this server last had for a store, and what they were worked out from."""

    versions: dict[str, store.RecordsVersion]
    settings: str
    as_at: date
    statuses: pd.DataFrame


# Per store: the statuses last read or worked out, from which the next records version's are brought up to
# date. The frame is one of _all_statuses' entries (shared, read-only), so holding it costs no memory
# while that entry is cached.
_latest: dict[str, _Latest] = {}


class _Changed(NamedTuple):
    """How the newest statuses of a store were brought up to date from the earlier ones."""

    earlier: pd.DataFrame
    change: StatusChange


class _Counted(NamedTuple):
    statuses: pd.DataFrame
    counts: StatusCounts | None


# Per store: how its newest statuses came from the earlier ones, and the statuses last counted (the whole
# service's) with their counts, so the next counts are brought up to date from the changed rows
# (measures.counts.updated_counts). Each holds frames the caches hold too, until the next write.
_changed: dict[str, _Changed] = {}
_counted: dict[str, _Counted] = {}


def _document_text(settings: Settings) -> str:
    return json.dumps(settings_to_document(settings), sort_keys=True, default=str)


def _brought_up_to_date(
    url: str, versions: dict[str, store.RecordsVersion], settings: Settings, as_at: date
) -> StatusChange | None:
    """The statuses of these records versions as at this date from the ones this server last had, when
    those are for the same settings and only uploads wrote records since (no undo); else None (work them
    out). A new extract's later data date moves the as-at date pages open with: the earlier statuses are
    moved to it first (measures.incremental.redated_statuses), as they are for a date typed in the sidebar."""
    earlier = _latest.get(url)
    if earlier is None or earlier.settings != _document_text(settings):
        return None
    moved = redated_change(earlier.statuses, earlier.as_at, as_at)
    if moved is None or earlier.versions == versions:
        return moved  # no records written since: only the date moved
    changes = {}
    for name in DATASET_NAMES:
        change = store.written_since(
            engine_for(url), name, earlier.versions[name], versions[name], GROUPING_COLUMNS
        )
        if change is None:
            return None
        changes[name] = change
    updated = updated_change(moved.statuses, changes, settings, as_at)
    return None if updated is None else moved.then(updated)


_saving: list[threading.Thread] = []
# Saving millions of statuses takes a second or two of processor time. Started at once, it would compete
# with the page that asked for them (and the warming of their counts and worklist), so it waits this
# long first, and is left out when newer statuses of the same store and as-at date came meanwhile (uploads
# in a row: only the last is saved, and no save lands in the next upload's first visit); a server that
# stops, or a test, has the newest saved at once (wait_for_saves). Per as-at date: a new extract moves the
# date pages open with while the warming thread may still work for the date last asked for, and one
# date's statuses must not displace the other's (the next start, or the command line's report, reads them).
SAVE_DELAY_SECONDS = 10.0
_save_now = threading.Event()
_save_lock = threading.Lock()
# per store and as-at date: the newest statuses waiting to be saved
_newest_to_save: dict[tuple[str, date], Path] = {}


def _save_later(which: tuple[str, date], path: Path, statuses: pd.DataFrame) -> None:
    _save_now.wait(SAVE_DELAY_SECONDS)
    with _save_lock:
        if _newest_to_save.get(which) != path:
            return  # newer statuses of this store and date came since: those are saved instead
        del _newest_to_save[which]
    _save_quietly(path, statuses)


def wait_for_saves(timeout: float = 60.0) -> None:
    """Save the statuses waiting to be saved now and wait until they are on disk (a server that stops,
    and the test that restarts one, need them whole). dashboard.py's lifespan calls it when the server
    stops; at the exit of any other process (tests, bare mode) it runs as an exit handler."""
    _save_now.set()
    try:
        while _saving:
            _saving.pop().join(timeout)
    finally:
        _save_now.clear()


atexit.register(wait_for_saves)


def _as_categories(statuses: pd.DataFrame) -> pd.DataFrame:
    """The grouping columns as categoricals, converting in place only those that are not (record_statuses
    makes them so already): a copy of every column of millions of rows cost a second."""
    for column in _CATEGORY_COLUMNS:
        if column in statuses.columns and not isinstance(statuses[column].dtype, pd.CategoricalDtype):
            statuses[column] = statuses[column].astype("category")
    return statuses


def statuses_file(url: str, version: str, as_at: date) -> Path | None:
    """Where the statuses of this store's records, settings and as-at date are saved (None: nowhere).

    Named by a digest of every dataset's records version (marks of this database's history included),
    the settings document in force, the date and the code and libraries that work statuses out, so a
    file is read only where working them out again would give the same frame.
    """
    versions = store.records_versions(engine_for(url))
    return _statuses_path(url, versions, _settings(url, version), as_at)


def _statuses_path(
    url: str, versions: dict[str, store.RecordsVersion], settings: Settings, as_at: date
) -> Path | None:
    return store.statuses_path(engine_for(url).url, versions, statuses_key(settings, as_at))


_KEEP_STATUS_FILES = 3


def _save_quietly(path: Path, statuses: pd.DataFrame) -> None:
    """Save the statuses for the next server start and keep the newest few files; a failure (a full or
    read-only disk) only means the next start works them out again."""
    try:
        store.columnar.save_frame(path, statuses)
        files = sorted(path.parent.glob("statuses-*.arrow"), key=lambda file: file.stat().st_mtime)
        for old in files[:-_KEEP_STATUS_FILES]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError) as error:
        _log.warning("record statuses not saved for the next start: %s", type(error).__name__)


@st.cache_resource(show_spinner=False, max_entries=8)
def _scoped_statuses(url: str, version: str, as_at: date, scope: tuple[str, ...]) -> pd.DataFrame:
    """The scope's rows of the whole service's statuses (one mask on team codes). Read-only."""
    return _in_scope_rows(_all_statuses(url, version, as_at), scope)


def _statuses(url: str, version: str, as_at: date, scope: Scope) -> pd.DataFrame:
    if scope is None:
        return _all_statuses(url, version, as_at)
    return _scoped_statuses(url, version, as_at, scope)


def statuses_for(url: str, version: str, as_at: date) -> pd.DataFrame:
    """Every record's status per measure as at a date (one row per measure and applicable record),
    within the session's team scope. Shared between sessions: read-only.
    """
    _last_as_at[url] = as_at
    return _statuses(url, _base(version), as_at, current_scope())


# The as-at date pages last asked for, per store: what pages.ui.warm works out after a write.
_last_as_at: dict[str, date] = {}


@st.cache_data(show_spinner=False, max_entries=8)
def newest_data_for(url: str, version: str) -> store.UploadInfo | None:
    """The live upload with the newest data date, read once per data version."""
    return store.newest_data(engine_for(url))


def default_as_at(url: str, version: str) -> date:
    """The as-at date pages open with: the newest data date of the live uploads; today for a store
    without one."""
    newest = newest_data_for(url, _base(version))
    return newest.data_date if newest is not None and newest.data_date else date.today()


def warm(url: str, version: str) -> None:
    """Fill the whole service's caches of this store version as the overview would, for the as-at date
    pages last asked for (after a server start: the date pages open with): statuses, their counts per
    group, filter choices and the worklist. pages.ui.warm calls it from its thread at a server's start
    and after every write."""
    as_at = _last_as_at.get(url) or default_as_at(url, version)
    _all_statuses(url, version, as_at)
    _status_counts(url, version, as_at, None)
    _filter_options(url, version, as_at, None)
    _all_worklist(url, version, as_at, DEFAULT_WITHIN_DAYS)


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
    """Whether the store holds no records at all, whatever the scope (an empty scope is no empty store)."""
    return _holds_no_records(url, _base(version))


@st.cache_data(show_spinner=False, max_entries=8)
def _holds_no_records(url: str, version: str) -> bool:
    """Asked of the database, not read from the records: a page that needs only statuses (saved on disk,
    or brought up to date after an upload) then never has to turn a million records into a frame."""
    return not store.holds_records(engine_for(url))


def filter_options_for(url: str, version: str, as_at: date) -> FilterOptions:
    """Choices for the sidebar filters: only the scope's teams, and the workers and order types in them."""
    _last_as_at[url] = as_at
    return _filter_options(url, _base(version), as_at, current_scope())


@st.cache_data(show_spinner=False, max_entries=8)
def _filter_options(url: str, version: str, as_at: date, scope: Scope) -> FilterOptions:
    counts = _status_counts(url, version, as_at, scope)
    return (
        options_from_counts(counts)
        if counts is not None
        else filter_options(_statuses(url, version, as_at, scope))
    )


def kept_rows(url: str, version: str, filters: Filters) -> np.ndarray:
    """Which status rows the filters keep, as a boolean array over statuses_for(...). Read-only."""
    return _kept_rows(url, _base(version), filters, current_scope())


@st.cache_resource(show_spinner=False, max_entries=8)
def _kept_rows(url: str, version: str, filters: Filters, scope: Scope) -> np.ndarray:
    return status_mask(_statuses(url, version, filters.as_at, scope), filters)


def filtered_statuses(
    url: str,
    version: str,
    filters: Filters,
    measure_ids: tuple[str, ...] | None = None,
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The status rows the filters keep, optionally for some measures and of some columns only (a new
    frame each call: asking for the few columns a view needs keeps the copy small on millions of rows)."""
    return _filtered(url, _base(version), filters, current_scope(), measure_ids, columns)


def _filtered(
    url: str,
    version: str,
    filters: Filters,
    scope: Scope,
    measure_ids: tuple[str, ...] | None,
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    statuses = _statuses(url, version, filters.as_at, scope)
    keep = _kept_rows(url, version, filters, scope)
    if measure_ids is not None:
        keep = keep & statuses["measure"].isin(measure_ids).to_numpy()
    chosen = statuses if columns is None else statuses[list(columns)]
    return _run_of(chosen, keep)


def _run_of(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """`frame[keep]`, as a slice (no copy) when the kept rows are one run of consecutive rows.

    Statuses are stacked measure by measure, so with the sidebar's defaults a measure's rows are one run:
    a measure page then shares the cached statuses instead of copying a million rows (copy-on-write keeps
    the slice as good as a copy).
    """
    if keep.any():
        first, last = int(keep.argmax()), len(keep) - int(keep[::-1].argmax())
        if np.count_nonzero(keep) == last - first:
            return frame.iloc[first:last]
    return frame[keep]


def measure_statuses(url: str, version: str, filters: Filters, measure_id: str) -> pd.DataFrame:
    """One measure's filtered statuses, cut once per filter so a page's sections share it. Read-only."""
    return _measure_statuses(url, _base(version), filters, measure_id, current_scope())


@st.cache_resource(show_spinner=False, max_entries=4)
def _measure_statuses(
    url: str, version: str, filters: Filters, measure_id: str, scope: Scope
) -> pd.DataFrame:
    return _filtered(url, version, filters, scope, (measure_id,))


def quarterly_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """Quarterly compliance per measure for the filtered records (SPEC 3.2-3.5); for a viewer, rates
    from fewer than 10 due records suppressed (measures.access.suppress_small).
    """
    return _quarterly(url, _base(version), filters, current_scope(), suppressing())


@st.cache_data(show_spinner=False, max_entries=64)
def _quarterly(url: str, version: str, filters: Filters, scope: Scope, suppress: bool) -> pd.DataFrame:
    """From the statuses counted per group (a sum of a few thousand cells, so a filter change never
    passes over the millions of rows); else only the three columns the count needs are cut out."""
    counts = _status_counts(url, version, filters.as_at, scope)
    if counts is not None:
        quarterly = quarterly_in_filters(counts, filters, _settings(url, version))
    else:
        statuses = _statuses(url, version, filters.as_at, scope)
        kept = _kept_rows(url, version, filters, scope)
        quarterly = quarterly_compliance(
            statuses.loc[kept, ["measure", "status", "quarter_start"]], _settings(url, version)
        )
    return suppress_small(quarterly) if suppress else quarterly


def status_counts_for(url: str, version: str, as_at: date) -> StatusCounts | None:
    """The statuses within the session's scope counted per (team, worker, order type) group, measure,
    quarter, month and status (measures.counts), once per data version and as-at date; None where they
    cannot stand in for the rows. Read-only."""
    return _status_counts(url, _base(version), as_at, current_scope())


@st.cache_resource(show_spinner=False, max_entries=4)
def _status_counts(url: str, version: str, as_at: date, scope: Scope) -> StatusCounts | None:
    statuses = _statuses(url, version, as_at, scope)
    if scope is not None:
        return status_counts(statuses)
    counts = _counts_brought_up_to_date(url, statuses)
    if counts is None:
        counts = status_counts(statuses)
    _counted[url] = _Counted(statuses, counts)
    changed = _changed.get(url)
    if changed is not None and changed.change.statuses is statuses:
        _changed.pop(url, None)  # used: the earlier statuses need not be held for it any longer
    return counts


def _counts_brought_up_to_date(url: str, statuses: pd.DataFrame) -> StatusCounts | None:
    """The whole service's counts of `statuses` from the counts of the statuses they were brought up to
    date from, when this server counted those; else None (count the rows)."""
    changed, counted = _changed.get(url), _counted.get(url)
    if changed is None or counted is None or counted.counts is None:
        return None
    if changed.change.statuses is not statuses or counted.statuses is not changed.earlier:
        return None
    change = changed.change
    return updated_counts(counted.counts, statuses, change.removed, change.added)


@st.cache_resource(show_spinner=False, max_entries=8)
def _all_worklist(url: str, version: str, as_at: date, within_days: int) -> pd.DataFrame:
    return open_work(
        _all_statuses(url, version, as_at),
        store.read_dataset(engine_for(url), "reviews", ("review_due",)),  # all open_work reads of it
        _settings(url, version),
        as_at,
        within_days,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _scoped_worklist(
    url: str, version: str, as_at: date, within_days: int, scope: tuple[str, ...]
) -> pd.DataFrame:
    work = _all_worklist(url, version, as_at, within_days)
    return work[in_scope(work["team"], scope)].reset_index(drop=True)


def worklist_for(url: str, version: str, as_at: date, within_days: int) -> pd.DataFrame:
    """Every open case due within `within_days` working days of `as_at` (SPEC 7.2), within the
    session's team scope. Read-only."""
    scope = current_scope()
    base = _base(version)
    if scope is None:
        return _all_worklist(url, base, as_at, within_days)
    return _scoped_worklist(url, base, as_at, within_days, scope)


def plan_version() -> str:
    """The action plan's version (store.actions_version), queried once per page run that shows the plan."""
    return store.actions_version(engine())


@st.cache_data(show_spinner=False, max_entries=8)
def actions_for(url: str, plan: str) -> pd.DataFrame:
    """The improvement action plan, read once per plan version."""
    return store.list_actions(engine_for(url))
