"""Record statuses counted once per group of filterable values, so the sidebar filters cost a sum, not a pass.

The overview's figures (the quarterly table, the monthly SPC series and the team funnels) count millions
of record-measure statuses. The sidebar filters (quarter range, team, worker, order type) only ever keep
or drop whole groups of records that share a team, a worker and an order type, in whole quarters. So the
statuses are counted once per (group, measure, quarter, month of the quarter, status) — a few thousand
cells — and every filter after that picks cells and adds them up: a team filter change no longer touches
the rows at all. The tables are built by the very functions a pass over the rows feeds
(`compliance.quarterly_from_counts`, `spc.monthly_from_counts`), so the figures are the same by
construction; `status_counts` declines (None) any frame its cells could not reproduce exactly (a blank
quarter or date, an unknown measure or status, a month outside its record's quarter, grouping columns that
are not categoricals), and callers then count the rows as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from measures.categories import category_key
from measures.compliance import quarterly_from_counts
from measures.definitions import MEASURE_IDS, MEASURES, STATUSES
from measures.filters import FilterOptions, Filters
from measures.quarters import parse_quarter, quarter_after, quarters_between
from measures.settings import Settings
from measures.spc import BLANK_GROUP, monthly_from_counts

# The columns a group is made of, in the order `StatusCounts.group_codes` holds their codes.
GROUP_COLUMNS: tuple[str, ...] = ("team", "worker", "order_type")
_AUDIT_CODES = np.array([measure.dataset == "audits" for measure in MEASURES])
_MET, _MISSED = STATUSES.index("met"), STATUSES.index("missed")
_NS_PER_DAY = 86_400 * 10**9
_BLANK = np.iinfo("int64").min  # NaT as int64 nanoseconds
_NOT_A_QUARTER = -(1 << 40)  # the "month" of a day no quarter starts on
_CHUNK = 1 << 17  # rows counted at a time: a chunk's temporaries stay in the processor's cache
# Counting through a dense table of this many cells at most; a sparser, larger key space is sorted instead.
_DENSE_LIMIT = 1 << 20


@dataclass(frozen=True)
class StatusCounts:
    """Every status row counted per cell of (group, measure, quarter, month in quarter, status).

    Groups are the distinct (team, worker, order type) combinations in use, as codes into `names`
    (-1: blank). Cells are sparse: one entry per combination holding any record.
    """

    names: dict[str, np.ndarray]  # column -> category names (object), as the statuses' categoricals hold
    group_codes: np.ndarray  # (groups, 3) codes of GROUP_COLUMNS per group, -1 for blank
    first_month: int  # first month (months since 1970-01) of quarter 0
    quarter_count: int
    group: np.ndarray  # per cell
    measure: np.ndarray
    quarter: np.ndarray
    month_in_quarter: np.ndarray  # 0, 1 or 2
    status: np.ndarray
    count: np.ndarray


def _category_codes(values: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Codes of `values` in `categories` (-1 for anything else); free for a matching categorical."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) and tuple(dtype.categories) == categories:
        return np.asarray(values.cat.codes)
    return np.asarray(pd.Categorical(values, categories=list(categories)).codes)


def status_counts(statuses: pd.DataFrame) -> StatusCounts | None:
    """Count `record_statuses` rows per cell; None when the frame's cells could not give exact figures.

    A record's month is the one `spc.monthly_counts` gives it (of its due date, or of its held / audit date
    for a proportion), which lies in the quarter it counts in (`quarter_start`). Two passes in chunks of
    rows, as `spc.monthly_counts` counts, so no temporary of millions of rows is made: the groups in use,
    then the cells.
    """
    if len(statuses) == 0 or not all(column in statuses for column in GROUP_COLUMNS):
        return None
    if not all(isinstance(statuses[column].dtype, pd.CategoricalDtype) for column in GROUP_COLUMNS):
        return None
    measure = _category_codes(statuses["measure"], MEASURE_IDS)
    status = _category_codes(statuses["status"], STATUSES)
    quarter_start = statuses["quarter_start"].to_numpy(dtype="datetime64[ns]").view("int64")
    due = statuses["due_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    start = statuses["from_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    if (measure < 0).any() or (status < 0).any() or int(quarter_start.min()) == _BLANK:
        return None
    names = {column: np.asarray(statuses[column].cat.categories, dtype=object) for column in GROUP_COLUMNS}
    group_codes = [np.asarray(statuses[column].cat.codes) for column in GROUP_COLUMNS]
    widths = [len(names[column]) + 1 for column in GROUP_COLUMNS]  # a slot for blank

    def group_key(rows: slice) -> np.ndarray:
        key = group_codes[0][rows].astype("int64")
        for codes, width in zip(group_codes[1:], widths[1:], strict=True):
            key *= width
            key += codes[rows]
        key += blank_offset  # code -1 (blank) -> slot 0
        return key

    blank_offset = sum(int(np.prod(widths[index + 1 :])) for index in range(len(widths)))

    # Pass 1: the groups in use, and the span of the dates a record counts in.
    present = np.zeros(int(np.prod(widths)), dtype=bool)
    low_start, high_start = int(quarter_start.min()), int(quarter_start.max())
    low, high = low_start, high_start
    for first in range(0, len(statuses), _CHUNK):
        rows = slice(first, first + _CHUNK)
        when = np.maximum(
            due[rows], start[rows]
        )  # NaT is the smallest int64: the due date, else the from date
        if int(when.min()) == _BLANK:
            return None
        low, high = min(low, int(when.min())), max(high, int(when.max()))
        present[group_key(rows)] = True
    groups = np.flatnonzero(present)
    group_of_key = np.cumsum(present) - 1

    first_day = low // _NS_PER_DAY
    days = np.arange(first_day, high // _NS_PER_DAY + 1).astype("datetime64[D]")
    month_of_day = days.astype("datetime64[M]").astype("int64")
    # a quarter start must be the first day (at midnight) of January, April, July or October
    quarter_of_day = np.where(
        (days == days.astype("datetime64[M]").astype("datetime64[D]")) & (month_of_day % 3 == 0),
        month_of_day,
        _NOT_A_QUARTER,
    )
    first_month, last_month = (
        int(quarter_of_day[day // _NS_PER_DAY - first_day]) for day in (low_start, high_start)
    )
    if _NOT_A_QUARTER in (first_month, last_month):
        return None
    quarter_count = (last_month - first_month) // 3 + 1
    shape = (len(groups), len(MEASURE_IDS), quarter_count, 3, len(STATUSES))
    size = int(np.prod(shape, dtype="int64"))

    # Pass 2: cell = ((((group * measures + measure) * quarters + quarter) * 3 + month) * statuses + status)
    dense = size <= _DENSE_LIMIT
    totals = np.zeros(size if dense else 0, dtype="int64")
    sparse: list[np.ndarray] = []
    for first in range(0, len(statuses), _CHUNK):
        rows = slice(first, first + _CHUNK)
        quarter_day, time_of_day = np.divmod(quarter_start[rows], _NS_PER_DAY)
        quarter_month = quarter_of_day[quarter_day - first_day]
        month = month_of_day[np.maximum(due[rows], start[rows]) // _NS_PER_DAY - first_day]
        month -= quarter_month  # far above 2 where the quarter start is not a quarter's first day
        if time_of_day.any() or (month < 0).any() or (month > 2).any():  # outside the record's quarter
            return None
        quarter_month -= first_month
        quarter_month //= 3
        cell = group_of_key[group_key(rows)]
        for width, part in zip(shape[1:], (measure[rows], quarter_month, month, status[rows]), strict=True):
            cell *= width
            cell += part
        if dense:
            totals += np.bincount(cell, minlength=size)
        else:
            sparse.append(cell)
    if dense:
        occupied = np.flatnonzero(totals)
        count = totals[occupied]
    else:
        occupied, count = np.unique(np.concatenate(sparse), return_counts=True)
    group_of, measure_of, quarter_of, month_of, status_of = np.unravel_index(occupied, shape)
    code_of = np.array(np.unravel_index(groups, widths)).T - 1  # slot 0 -> -1 (blank)
    return StatusCounts(
        names=names,
        group_codes=code_of,
        first_month=first_month,
        quarter_count=quarter_count,
        group=group_of,
        measure=measure_of,
        quarter=quarter_of,
        month_in_quarter=month_of,
        status=status_of,
        count=count.astype("int64"),
    )


def updated_counts(
    counts: StatusCounts,
    statuses: pd.DataFrame,
    removed: Sequence[pd.DataFrame],
    added: Sequence[pd.DataFrame],
) -> StatusCounts | None:
    """`status_counts(statuses)`, from `counts` of the earlier statuses that `statuses` are, less the rows
    `removed` (as they were) and with the rows `added`: only those rows are counted (issue 12).

    After an upload of a thousand orders, counting the 4.7 million rows again took 0.1–0.4 s of the first
    visit (by machine); the rows an upload took out and put in are a few thousand. Cells are matched by what
    they name, not by their codes: a group by the key of its names (as the statuses' categories match a
    spelling), a quarter by its month. None where the result could differ from counting the rows (the
    changed rows could not be counted, a group has no place in the new categories, or a removed row is
    not in the earlier counts), and the caller counts the rows.
    """
    if len(statuses) == 0 or not all(
        column in statuses and isinstance(statuses[column].dtype, pd.CategoricalDtype)
        for column in GROUP_COLUMNS
    ):
        return None
    names = {column: np.asarray(statuses[column].cat.categories, dtype=object) for column in GROUP_COLUMNS}
    parts = [(counts, 1)]
    for sign, frames in ((-1, removed), (1, added)):
        for frame in frames:
            if len(frame):
                part = status_counts(frame)
                if part is None:
                    return None
                parts.append((part, sign))
    places = {
        column: {category_key(str(name)): index for index, name in enumerate(names[column])}
        for column in GROUP_COLUMNS
    }  # gains a place for each name the new categories lack (its cells must come to nothing)
    cells = np.concatenate([_named_cells(part, places, sign) for part, sign in parts], axis=1)
    team, worker, order_type, measure, month, month_in_quarter, status, count = cells
    widths = tuple(len(places[column]) + 1 for column in GROUP_COLUMNS)  # a slot for blank
    group_key = np.ravel_multi_index((team + 1, worker + 1, order_type + 1), widths)
    low = int(month.min())
    span = (int(np.prod(widths)), len(MEASURE_IDS), (int(month.max()) - low) // 3 + 1, 3, len(STATUSES))
    key = np.ravel_multi_index((group_key, measure, (month - low) // 3, month_in_quarter, status), span)
    cell, where = np.unique(key, return_inverse=True)
    totals = np.zeros(len(cell), dtype="int64")
    np.add.at(totals, where, count)
    if (totals < 0).any() or not totals.any():
        return None
    cell, totals = cell[totals > 0], totals[totals > 0]
    group_key, measure_of, quarter_of, month_of, status_of = np.unravel_index(cell, span)
    groups, group_of = np.unique(group_key, return_inverse=True)
    group_codes = np.array(np.unravel_index(groups, widths)).T - 1  # slot 0 -> -1 (blank)
    if (group_codes >= [len(names[column]) for column in GROUP_COLUMNS]).any():
        return None  # rows remain in a group the new categories have no name for
    first_month = low + 3 * int(quarter_of.min())
    quarter_of = quarter_of - int(quarter_of.min())
    return StatusCounts(
        names=names,
        group_codes=group_codes,
        first_month=first_month,
        quarter_count=int(quarter_of.max()) + 1,
        group=group_of.reshape(-1),
        measure=measure_of,
        quarter=quarter_of,
        month_in_quarter=month_of,
        status=status_of,
        count=totals,
    )


def _named_cells(counts: StatusCounts, places: dict[str, dict[str, int]], sign: int) -> np.ndarray:
    """The counts' cells as rows of (team, worker and order type as places by key, -1 blank; measure;
    month of the quarter's start; month in quarter; status; signed count). A key `places` lacks is given
    the next place."""
    codes = []
    for place, column in enumerate(GROUP_COLUMNS):
        keys = places[column]
        mapping = np.array(
            [*(keys.setdefault(category_key(str(name)), len(keys)) for name in counts.names[column]), -1],
            dtype="int64",
        )
        codes.append(mapping[counts.group_codes[:, place]][counts.group])  # -1 (blank) picks the last
    return np.array(
        [
            *codes,
            counts.measure,
            counts.first_month + 3 * counts.quarter,
            counts.month_in_quarter,
            counts.status,
            sign * counts.count,
        ],
        dtype="int64",
    )


def options_from_counts(counts: StatusCounts) -> FilterOptions:
    """`filters.filter_options` of the statuses counted, from their cells: every quarter from the first to
    the last, and the team, worker and order-type names some row uses (a pass over the rows costs a
    tenth of a second at national scale, after every upload)."""

    def names(column: str) -> list[str]:
        codes = np.unique(counts.group_codes[:, GROUP_COLUMNS.index(column)])
        return sorted(str(name) for name in counts.names[column][codes[codes >= 0]])

    first, last = (
        _month_start(counts.first_month + 3 * quarter) for quarter in (0, counts.quarter_count - 1)
    )
    return FilterOptions(quarters_between(first, last), names("team"), names("worker"), names("order_type"))


def _month_start(month: int) -> date:
    """The first day of a month counted from 1970-01 (_month_index's inverse)."""
    return date(1970 + month // 12, month % 12 + 1, 1)


def _chosen(counts: StatusCounts, column: str, chosen: tuple[str, ...]) -> np.ndarray:
    """Per group: whether its value of `column` is one of `chosen` (a blank never is), as `isin` says."""
    hits = np.append(np.isin(counts.names[column], np.asarray(chosen, dtype=object)), False)
    selected: np.ndarray = hits[counts.group_codes[:, GROUP_COLUMNS.index(column)]]  # -1 picks the False
    return selected


def kept_cells(counts: StatusCounts, filters: Filters) -> np.ndarray:
    """Which cells the filters keep: exactly the rows `filters.status_mask` keeps, cell by cell."""
    months = counts.first_month + 3 * counts.quarter
    keep = np.ones(len(counts.count), dtype=bool)
    if filters.from_quarter:
        keep &= months >= _month_index(parse_quarter(filters.from_quarter))
    if filters.to_quarter:
        keep &= months < _month_index(quarter_after(filters.to_quarter))
    if filters.teams:
        keep &= _chosen(counts, "team", filters.teams)[counts.group]
    if filters.workers:
        keep &= _chosen(counts, "worker", filters.workers)[counts.group]
    if filters.order_types:
        keep &= (
            _chosen(counts, "order_type", filters.order_types)[counts.group] | _AUDIT_CODES[counts.measure]
        )
    return keep


def _month_index(day: date) -> int:
    """Months since 1970-01 of a date's month."""
    return (day.year - 1970) * 12 + day.month - 1


def quarterly_in_filters(counts: StatusCounts, filters: Filters, settings: Settings) -> pd.DataFrame:
    """`quarterly_compliance` of the rows the filters keep, from the counts."""
    keep = kept_cells(counts, filters)
    cell = (counts.measure[keep] * counts.quarter_count + counts.quarter[keep]) * len(STATUSES)
    cell += counts.status[keep]
    size = len(MEASURE_IDS) * counts.quarter_count * len(STATUSES)
    table = np.bincount(cell, weights=counts.count[keep], minlength=size)
    return quarterly_from_counts(table.astype("int64"), counts.first_month, settings)


def monthly_in_filters(counts: StatusCounts, filters: Filters) -> pd.DataFrame:
    """`spc.monthly_counts(statuses, status_mask(statuses, filters), by="team")`, from the counts."""
    decided = (counts.status == _MET) | (counts.status == _MISSED)
    keep = kept_cells(counts, filters) & decided
    teams = counts.names["team"]
    width = len(teams) + 1
    team = counts.group_codes[counts.group[keep], GROUP_COLUMNS.index("team")]
    team[team < 0] = width - 1  # blank: the last group
    month = counts.quarter[keep] * 3 + counts.month_in_quarter[keep]
    month_count = counts.quarter_count * 3
    cell = ((month * len(MEASURE_IDS) + counts.measure[keep]) * width + team) * 2
    cell += counts.status[keep] == _MET
    table = np.bincount(
        cell, weights=counts.count[keep], minlength=month_count * len(MEASURE_IDS) * width * 2
    )
    months = counts.first_month + np.arange(month_count)
    names = np.append(np.asarray([str(name) for name in teams], dtype=object), BLANK_GROUP)
    return monthly_from_counts(table.astype("int64").reshape(month_count, -1), months, names)
