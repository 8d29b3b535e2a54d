"""Statistical process control on every measure (SPEC 7.1; NHS England's "Making Data Count", MDC).

A RAG colour says whether one quarter beat a target; it cannot say whether the service has changed, nor
whether the target is within the process's reach. This module answers both, as MDC does, from the record
statuses every other figure counts:

- `monthly_counts` / `period_counts`: met and missed per measure and month (of the due date, or of the
  held / audit date for proportions; the date whose quarter the record counts in), then per complete
  month or quarter with a denominator;
- `spc_chart`: an XmR chart on the rate from 15 points (segments split by rebases), else a run chart;
  the four special-cause rules, each a function of its own so each is tested alone; the variation and
  assurance of the series;
- `p_chart`: the same points with binomial limits from each point's denominator, small numbers marked;
- `group_counts` / `funnel`: teams (or any grouping) against the service rate, 95% and 99.8% limits;
- `benchmark_lines` / `benchmark_comparison`: the national figures beside our rate.

Decisions where SPEC is silent (docs/decisions.md): shift and two-of-three look within a segment, trend
across the whole series (it compares points with each other, not with a centre); a value within
`EPSILON` of a line is on it; a run chart ignores rebases; rules report every rule that flags a point,
whatever its direction, while the flag is improvement when both directions fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from loaders.schema import TEXT_DTYPE, frame_from_arrays
from measures.compliance import compliance_rate, rate_text, round_rates
from measures.definitions import MEASURE_IDS, MEASURES, MEASURES_BY_ID, STATUSES
from measures.quarters import label_for_quarter_month
from measures.settings import Benchmark, Rebase, Settings, SpcRules, Target
from measures.targets import targets_in_force

Period = Literal["month", "quarter"]
PERIODS: tuple[str, ...] = ("month", "quarter")
PERIOD_WORDS: dict[str, str] = {"month": "monthly", "quarter": "quarterly"}

MIN_XMR_POINTS = 15  # MDC draws limits only from 15 points; fewer make a run chart
TRIAL_LIMIT_POINTS = 12  # MDC: limits from a segment of fewer points are trial limits
RUN_SHIFT_LENGTH = 6  # run chart: points on one side of the median
RUN_TREND_LENGTH = 5  # run chart: points all rising or all falling
LIMIT_FACTOR = 2.66  # process limits: centre +/- 2.66 x mean moving range (3 sigma)
SIGMA_FACTOR = 1.773  # the 2 sigma lines: two thirds of the way to the limits
SCREEN_FACTOR = 3.267  # a moving range this many times the mean is an outlier, when screening is on
SMALL_NUMBERS = 5  # p-chart / funnel: n.p or n.(1 - p) below this and the normal approximation fails
# A value this close (in percentage points) to a line is on it: a rate such as 200/3 is not exact in
# floating point, and "on the centre" or "target on a limit" must not depend on the last binary digit.
EPSILON = 1e-9

RULES: tuple[str, ...] = ("limit", "shift", "trend", "two_of_three")
VARIATIONS: tuple[str, ...] = ("improvement", "common", "concern")
ASSURANCES: tuple[str, ...] = ("pass", "hit_and_miss", "fail")
NO_ASSURANCE = "none"

# Icons in words, as every output shows them: the words carry the meaning, the symbol (tables) or the
# material icon (pages) repeats it, and colour is never the only signal.
VARIATION_WORDS: dict[str, str] = {
    "improvement": "Special cause improvement",
    "common": "Common cause",
    "concern": "Special cause concern",
}
VARIATION_SYMBOLS: dict[str, str] = {"improvement": "⇧", "common": "∿", "concern": "⇩"}
ASSURANCE_WORDS: dict[str, str] = {
    "pass": "Consistently passes the target",
    "hit_and_miss": "Hit and miss",
    "fail": "Consistently fails the target",
    NO_ASSURANCE: "No assurance",
}
ASSURANCE_SYMBOLS: dict[str, str] = {"pass": "✔", "hit_and_miss": "⇅", "fail": "✘", NO_ASSURANCE: "–"}
CHART_WORDS: dict[str, str] = {
    "xmr": "SPC chart (XmR)",
    "run": "Run chart",
    "p": "p-chart",
    "none": "No chart",
}

_MET = STATUSES.index("met")
_MISSED = STATUSES.index("missed")
_TIMESCALE = np.array([measure.kind == "timescale" for measure in MEASURES])
BLANK_GROUP = "(blank)"  # a record with no team (or other group) is counted as its own group
_NAT_INT = np.iinfo("int64").min  # NaT as int64 nanoseconds
_NS_PER_DAY = 86_400 * 10**9
_CHUNK = 1 << 17  # rows counted at a time: a chunk's temporaries stay in the processor's cache

POINT_COLUMNS: tuple[str, ...] = (
    "period",
    "period_start",
    "met",
    "denominator",
    "rate",
    "segment",
    "centre",
    "lower",
    "upper",
    "sigma_lower",
    "sigma_upper",
    "target",
    *RULES,
    "improvement",
    "concern",
    "flag",
    "rules",
    "signal",
    "small_numbers",
)


# --- counting -----------------------------------------------------------------------------------------


def _codes(values: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Integer codes of `values` in `categories` (-1 for anything else); free for a matching categorical."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) and tuple(dtype.categories) == categories:
        return np.asarray(values.cat.codes)
    return np.asarray(pd.Categorical(values, categories=list(categories)).codes)


def monthly_counts(
    statuses: pd.DataFrame, keep: np.ndarray | None = None, *, by: str | None = None
) -> pd.DataFrame:
    """Met and missed records per measure and calendar month (and value of `by`, e.g. team), for every
    month holding either.

    `statuses` is `record_statuses` output; `keep` an optional boolean mask over it (the sidebar's
    filters), so a caller need not copy millions of rows to filter them. A record's month is that of
    its due date for a timescale measure and of its held / audit date for a proportion: the date whose
    quarter it already counts in, so months add up to the quarters every other page shows. Columns:
    measure, month_start (datetime64[ns]), [group: the value of `by`, "(blank)" for none,] met, missed;
    in measure order, then month (then group).

    Counting by team as well costs almost nothing more, and gives the funnel of every team
    (`group_totals`) from the same pass. The per-row work is a few in-place integer operations and one
    bincount over (day, measure, group, met); days are then summed into months.
    """
    measure_codes = _codes(statuses["measure"], MEASURE_IDS)
    status_codes = _codes(statuses["status"], STATUSES)
    group_codes, names = _group_codes(statuses[by]) if by is not None else (None, np.array([], dtype=object))
    width = max(len(names), 1)
    minor_count = len(MEASURE_IDS) * width * 2  # codes of (measure, group, met); one more: not counted
    # Stated, not assumed: the int64 view below counts nanoseconds (a no-op for the documented dtype).
    due = statuses["due_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    start = statuses["from_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    # The date a record counts in: its due date, or for a proportion (no due date) its held / audit date.
    # A timescale's due date is never before its from date and NaT is the smallest int64, so the larger
    # of the two is that date, without looking up each row's measure.
    if len(due) == 0:
        return _empty_counts(by)
    lowest = int(start.min())
    blank_start = lowest == _NAT_INT
    if blank_start:  # a blank from date (not record_statuses' rows): span the dates there are
        dates = np.maximum(due, start)
        dates = dates[dates != _NAT_INT]
        if len(dates) == 0:
            return _empty_counts(by)
        lowest = int(dates.min())
    first_day = lowest // _NS_PER_DAY
    last_day = max(int(due.max()), int(start.max())) // _NS_PER_DAY
    day_months = np.arange(first_day, last_day + 1).astype("datetime64[D]").astype("datetime64[M]")
    month_of_day = day_months.astype("int64")
    months = np.unique(month_of_day)  # months since 1970-01, every month of the span
    month_of_day -= months[0]
    # Chunk by chunk, so every temporary stays in the processor's cache and no array of millions is made:
    # per row a small code for (measure, group, met) and its month (looked up by day in a small table),
    # one bincount over (month, code) per chunk.
    stride = minor_count + 1
    totals = np.zeros(len(months) * stride, dtype="int64")
    keep_mask = None if keep is None else np.asarray(keep, dtype=bool)
    unknown_measures = bool((measure_codes < 0).any())
    small_codes = "int16" if stride < np.iinfo("int16").max else "int32"
    for low in range(0, len(due), _CHUNK):
        rows = slice(low, low + _CHUNK)
        status = status_codes[rows]
        met = status == _MET
        counted = met | (status == _MISSED)
        measure = measure_codes[rows]
        if unknown_measures:
            counted &= measure >= 0
        if keep_mask is not None:
            counted &= keep_mask[rows]
        minor = measure.astype(small_codes)
        if group_codes is not None:
            group = group_codes[rows]
            minor *= width
            minor += group
            np.add(minor, width, out=minor, where=group < 0)  # code -1 (blank) -> the last group
        minor *= 2
        minor += met
        np.copyto(minor, minor_count, where=~counted)  # the bin that is dropped
        days = np.maximum(due[rows], start[rows])
        if blank_start:
            blank = days == _NAT_INT
            minor[blank] = minor_count
            days[blank] = lowest
        np.floor_divide(days, _NS_PER_DAY, out=days)
        days -= first_day
        cells = month_of_day[days]
        cells *= stride
        cells += minor
        totals += np.bincount(cells, minlength=len(totals))
    by_month = totals.reshape(len(months), stride)[:, :minor_count]
    return monthly_from_counts(by_month, months, names if by is not None else None)


def monthly_from_counts(by_month: np.ndarray, months: np.ndarray, names: np.ndarray | None) -> pd.DataFrame:
    """`monthly_counts`' frame from records already counted per (month, measure, group, missed | met).

    `by_month` has a row per month of `months` (months since 1970-01, ascending) and MEASURE_IDS x groups
    x (missed, met) columns in that order; `names` are the groups' names (the last BLANK_GROUP), None when
    not counted by a group (one group). Kept apart from the pass over the rows so counts kept per group of
    records (measures.counts) give the very frame that pass would.
    """
    by = None if names is None else "group"
    width = 1 if names is None else len(names)
    if not by_month.any():
        return _empty_counts(by)
    # (months, measure, group, met) -> (measure, month, group, met), rows of (met, missed) pairs
    counts = by_month.reshape(len(months), len(MEASURE_IDS), width, 2).transpose(1, 0, 2, 3).reshape(-1, 2)
    occupied = np.flatnonzero(counts.sum(axis=1))
    measure_of_row, rest = np.divmod(occupied, len(months) * width)
    month_of_row, group_of_row = np.divmod(rest, width)
    columns: dict[str, object] = {
        "measure": np.array(MEASURE_IDS, dtype=object)[measure_of_row],
        "month_start": months[month_of_row].astype("datetime64[M]").astype("datetime64[ns]"),
    }
    if names is not None:
        columns["group"] = names[group_of_row]
    columns["met"] = counts[occupied, 1].astype("int64")
    columns["missed"] = counts[occupied, 0].astype("int64")
    return frame_from_arrays(columns)


def _group_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, -1 for blank; names, the last being BLANK_GROUP) of a grouping column."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes)
        names = np.asarray([str(name) for name in values.cat.categories], dtype=object)
    else:
        codes, uniques = pd.factorize(values.astype(object))
        names = np.asarray([str(value) for value in uniques], dtype=object)
    return codes, np.append(names, BLANK_GROUP)


def group_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """`monthly_counts(..., by=...)` summed over the months: measure, group, met, denominator, with a
    denominator only; in measure order, then group name (every record the filters keep, the current
    month included, as the breakdown beside the funnel counts them)."""
    if counts.empty:
        return pd.DataFrame(
            {
                "measure": pd.Series(dtype=object),
                "group": pd.Series(dtype=object),
                "met": pd.Series(dtype="int64"),
                "denominator": pd.Series(dtype="int64"),
            }
        )
    codes = _codes(counts["measure"], MEASURE_IDS).astype("int64")
    group_codes, names = pd.factorize(counts["group"].astype(object), sort=True)  # groups in name order
    met = counts["met"].to_numpy(dtype="int64")
    denominator = met + counts["missed"].to_numpy(dtype="int64")
    width = max(len(names), 1)
    keys, position = np.unique(codes * width + group_codes, return_inverse=True)
    met_sum = np.bincount(position, weights=met).astype("int64")
    denominator_sum = np.bincount(position, weights=denominator).astype("int64")
    kept = (keys >= 0) & (denominator_sum > 0)
    measure_of_key, group_of_key = np.divmod(keys[kept], width)
    return frame_from_arrays(
        {
            "measure": np.array(MEASURE_IDS, dtype=object)[measure_of_key],
            "group": np.asarray(names, dtype=object)[group_of_key],
            "met": met_sum[kept],
            "denominator": denominator_sum[kept],
        }
    )


def _decided(
    statuses: pd.DataFrame, measure_codes: np.ndarray, keep: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(met, met or missed) per status row, within `keep` and a known measure: the records a rate counts."""
    status_codes = _codes(statuses["status"], STATUSES)
    met = status_codes == _MET
    decided = met | (status_codes == _MISSED)
    decided &= measure_codes >= 0
    if keep is not None:
        decided &= np.asarray(keep, dtype=bool)
    return met, decided


def _empty_counts(by: str | None) -> pd.DataFrame:
    columns = {"measure": pd.Series(dtype=object), "month_start": pd.Series(dtype="datetime64[ns]")}
    if by is not None:
        columns["group"] = pd.Series(dtype=object)
    return pd.DataFrame({**columns, "met": pd.Series(dtype="int64"), "missed": pd.Series(dtype="int64")})


def period_counts(monthly: pd.DataFrame, period: str, as_at: date) -> pd.DataFrame:
    """Each measure's complete periods (SPEC 7.1): measure, period, period_start, met, denominator.

    A period is complete when its last day is on or before `as_at`; periods with no denominator are
    left out. Month labels are "2020-04", quarter labels "2020-21 Q3". Ordered by measure, then period.
    """
    if period not in PERIODS:
        raise ValueError(f"period {period!r}: expected month or quarter")
    months = monthly["month_start"].to_numpy().astype("datetime64[M]").astype("int64")
    step = 1 if period == "month" else 3
    starts = months if period == "month" else months - (months % 12 - 3) % 3
    codes = _codes(monthly["measure"], MEASURE_IDS).astype("int64")
    met = monthly["met"].to_numpy(dtype="int64")
    denominator = met + monthly["missed"].to_numpy(dtype="int64")
    known = codes >= 0
    if not known.any():
        return _empty_periods()
    # One key per (measure, period start), in measure then date order: np.unique sorts them so.
    first = int(starts[known].min())
    width = int(starts[known].max()) - first + 1
    keys, position = np.unique(codes[known] * width + (starts[known] - first), return_inverse=True)
    met_sum = np.bincount(position, weights=met[known]).astype("int64")
    denominator_sum = np.bincount(position, weights=denominator[known]).astype("int64")
    measure_of_key, start_of_key = np.divmod(keys, width)
    start_of_key += first
    next_start = (start_of_key + step).astype("datetime64[M]").astype("datetime64[D]")
    kept = (next_start <= np.datetime64(as_at + timedelta(days=1), "D")) & (denominator_sum > 0)
    start_months = start_of_key[kept]
    years, month0 = np.divmod(start_months, 12)
    labels = (
        np.array(
            [f"{year + 1970}-{month + 1:02d}" for year, month in zip(years, month0, strict=True)],
            dtype=object,
        )
        if period == "month"
        else np.array([label_for_quarter_month(int(month)) for month in start_months], dtype=object)
    )
    return frame_from_arrays(
        {
            "measure": np.array(MEASURE_IDS, dtype=object)[measure_of_key[kept]],
            "period": labels,
            "period_start": start_months.astype("datetime64[M]").astype("datetime64[ns]"),
            "met": met_sum[kept],
            "denominator": denominator_sum[kept],
        }
    )


def _empty_periods() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": pd.Series(dtype=object),
            "period": pd.Series(dtype=object),
            "period_start": pd.Series(dtype="datetime64[ns]"),
            "met": pd.Series(dtype="int64"),
            "denominator": pd.Series(dtype="int64"),
        }
    )


# --- the rules, one function each ----------------------------------------------------------------------


def _side(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """+1 above, -1 below, 0 on the line (within EPSILON)."""
    difference = np.asarray(values, dtype=float) - np.asarray(centre, dtype=float)
    return np.where(difference > EPSILON, 1, np.where(difference < -EPSILON, -1, 0))


def _run_lengths(condition: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """For each position, the length of the unbroken run of True (within its group) holding it; 0 if False."""
    condition = np.asarray(condition, dtype=bool)
    if len(condition) == 0:
        return np.zeros(0, dtype="int64")
    starts = np.ones(len(condition), dtype=bool)
    starts[1:] = condition[1:] != condition[:-1]
    if groups is not None:
        starts[1:] |= groups[1:] != groups[:-1]
    run = np.cumsum(starts) - 1
    lengths = np.bincount(run)
    return np.where(condition, lengths[run], 0)


def beyond_limits(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule 1: (above the upper limit, below the lower limit). A point on a limit is not beyond it."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return values > np.asarray(upper) + EPSILON, values < np.asarray(lower) - EPSILON


def shift(
    values: np.ndarray, centre: np.ndarray, segments: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 2: (above, below) for every point in a run of `length` or more consecutive points on one side
    of the centre, within one segment. A point on the centre breaks the run."""
    side = _side(values, centre)
    segments = np.asarray(segments)
    return _run_lengths(side > 0, segments) >= length, _run_lengths(side < 0, segments) >= length


def trend(values: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3: (rising, falling) for every point in a run of `length` or more consecutive points each
    higher (lower) than the one before, the first point of the run included. An equal value breaks it."""
    values = np.asarray(values, dtype=float)
    rising, falling = np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=bool)
    if len(values) < 2:
        return rising, falling
    steps = np.diff(values)
    for flags, moves in ((rising, steps > EPSILON), (falling, steps < -EPSILON)):
        in_run = _run_lengths(moves) >= length - 1  # a run of k steps joins k + 1 points
        flags[1:] |= in_run
        flags[:-1] |= in_run
    return rising, falling


def two_of_three(
    values: np.ndarray,
    centre: np.ndarray,
    sigma_lower: np.ndarray,
    sigma_upper: np.ndarray,
    segments: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 4: (high, low). In three consecutive points of one segment, all on the same side of the centre,
    two or three beyond that side's 2 sigma line (beyond the 3 sigma limit counts, as MDC since Nov 2023);
    only the points beyond the 2 sigma line are flagged."""
    values = np.asarray(values, dtype=float)
    count = len(values)
    high, low = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool)
    if count < 3:
        return high, low
    side = _side(values, centre)
    segments = np.asarray(segments)
    same_segment = segments[:-2] == segments[2:]  # segments only increase, so the middle one matches
    with np.errstate(invalid="ignore"):
        beyond_up = values > np.asarray(sigma_upper) + EPSILON
        beyond_down = values < np.asarray(sigma_lower) - EPSILON
    for flags, beyond, direction in ((high, beyond_up, 1), (low, beyond_down, -1)):
        on_side = side == direction
        windows = (
            same_segment
            & on_side[:-2]
            & on_side[1:-1]
            & on_side[2:]
            & (beyond[:-2].astype(int) + beyond[1:-1] + beyond[2:] >= 2)
        )
        in_window = np.zeros(count, dtype=bool)
        for offset in range(3):
            in_window[offset : offset + count - 2] |= windows
        flags |= in_window & beyond
    return high, low


def run_chart_shift(
    values: np.ndarray, median: float, length: int = RUN_SHIFT_LENGTH
) -> tuple[np.ndarray, np.ndarray]:
    """Run chart shift: (above, below) for points in a run of `length` or more on one side of the median.
    Points on the median neither count nor break the run (and are not flagged)."""
    side = _side(values, np.full(len(values), median))
    above, below = np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=bool)
    off = np.flatnonzero(side != 0)
    above[off] = _run_lengths(side[off] > 0) >= length
    below[off] = _run_lengths(side[off] < 0) >= length
    return above, below


def run_chart_trend(values: np.ndarray, length: int = RUN_TREND_LENGTH) -> tuple[np.ndarray, np.ndarray]:
    """Run chart trend: (rising, falling) for points in a run of `length` or more points all increasing
    (decreasing). Equal successive values count as one point: they neither add to nor break the run."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    new_value = np.ones(len(values), dtype=bool)
    new_value[1:] = np.abs(np.diff(values)) > EPSILON
    collapsed = values[new_value]
    group = np.cumsum(new_value) - 1  # each point's position in the collapsed series
    rising, falling = trend(collapsed, length)
    return rising[group], falling[group]


# --- limits -----------------------------------------------------------------------------------------


def segments_for(period_starts: np.ndarray, rebases: list[Rebase]) -> np.ndarray:
    """Segment number per point: how many rebases start on or before the point's period start.

    A quarter that starts before a rebase month stays in the old segment: it mixes both processes.
    """
    starts = np.array([rebase.start for rebase in rebases], dtype="datetime64[D]")
    return np.searchsorted(np.sort(starts), np.asarray(period_starts).astype("datetime64[D]"), side="right")


def xmr_limits(values: np.ndarray, segments: np.ndarray, *, screen: bool = False) -> dict[str, np.ndarray]:
    """Per point: centre (the segment's mean), process limits centre +/- 2.66 MR-bar clamped to [0, 100],
    and 2 sigma lines centre +/- 1.773 MR-bar (clamped too). MR-bar is the mean moving range within the
    segment; a segment of one point has no moving range and so no limits (NaN).

    With `screen`, moving ranges of 3.267 MR-bar or more are left out and MR-bar worked out again (as
    NHSRplotthedots does; MDC's tools and SPEC's default do not).
    """
    values = np.asarray(values, dtype=float)
    segments = np.asarray(segments)
    _, segment_index = np.unique(segments, return_inverse=True)
    count = int(segment_index.max()) + 1 if len(values) else 0
    centre = np.bincount(segment_index, weights=values, minlength=count) / np.maximum(
        np.bincount(segment_index, minlength=count), 1
    )
    joined = segment_index[1:] == segment_index[:-1]
    ranges = np.abs(np.diff(values))[joined]
    range_segment = segment_index[1:][joined]
    mr_bar = _mean_by(ranges, range_segment, count)
    if screen and len(ranges):
        kept = ranges < SCREEN_FACTOR * mr_bar[range_segment]
        mr_bar = _mean_by(ranges[kept], range_segment[kept], count)
    point_centre, point_mr = centre[segment_index], mr_bar[segment_index]
    return {
        "centre": point_centre,
        "mr_bar": point_mr,
        "lower": np.clip(point_centre - LIMIT_FACTOR * point_mr, 0, 100),
        "upper": np.clip(point_centre + LIMIT_FACTOR * point_mr, 0, 100),
        "sigma_lower": np.clip(point_centre - SIGMA_FACTOR * point_mr, 0, 100),
        "sigma_upper": np.clip(point_centre + SIGMA_FACTOR * point_mr, 0, 100),
    }


def _mean_by(values: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    sizes = np.bincount(groups, minlength=count)
    sums = np.bincount(groups, weights=values, minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes > 0, sums / np.maximum(sizes, 1), np.nan)


def p_limits(met: np.ndarray, denominator: np.ndarray, segments: np.ndarray) -> dict[str, np.ndarray]:
    """p-chart limits per point: p-bar pooled over the segment (sum met / sum denominator, not the mean of
    the rates), sigma_i = sqrt(p-bar (1 - p-bar) / n_i), limits p-bar +/- 3 sigma_i and 2 sigma lines,
    as percentages clamped to [0, 100]; `small_numbers` where n.p-bar or n.(1 - p-bar) is under 5."""
    met = np.asarray(met, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    _, segment_index = np.unique(np.asarray(segments), return_inverse=True)
    count = int(segment_index.max()) + 1 if len(met) else 0
    pooled = np.bincount(segment_index, weights=met, minlength=count) / np.maximum(
        np.bincount(segment_index, weights=denominator, minlength=count), 1
    )
    p_bar = pooled[segment_index]
    sigma = np.sqrt(p_bar * (1 - p_bar) / np.maximum(denominator, 1))
    return {
        "centre": 100 * p_bar,
        "lower": np.clip(100 * (p_bar - 3 * sigma), 0, 100),
        "upper": np.clip(100 * (p_bar + 3 * sigma), 0, 100),
        "sigma_lower": np.clip(100 * (p_bar - 2 * sigma), 0, 100),
        "sigma_upper": np.clip(100 * (p_bar + 2 * sigma), 0, 100),
        "small_numbers": (denominator * p_bar < SMALL_NUMBERS) | (denominator * (1 - p_bar) < SMALL_NUMBERS),
    }


# --- a chart ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SpcChart:
    """One measure's series as SPEC 7.1 reads it, ready for a chart, a table or the command line.

    `points` has POINT_COLUMNS; `variation` and `assurance` describe the series as of its last point
    (None when there is no point; assurance None for run charts and p-charts, or without a target);
    `note` says in words why the chart is what it is (a run chart, trial limits); `breaks` names each
    rebase that splits the points, with the period its new segment starts at.

    The points are held as arrays and made a frame only when read: the overview and the summary need
    every measure's icons, but a page draws one measure's points.
    """

    measure: str
    period: str
    chart: str  # "xmr", "run", "p" or "none"
    arrays: dict[str, np.ndarray] = field(repr=False)
    variation: str | None
    assurance: str | None
    target: float | None
    note: str = ""
    breaks: tuple[tuple[str, Rebase], ...] = field(default_factory=tuple)

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row per point, POINT_COLUMNS."""
        if not self.arrays:
            return pd.DataFrame({column: pd.Series(dtype=object) for column in POINT_COLUMNS})
        return frame_from_arrays({column: self.arrays[column] for column in POINT_COLUMNS})

    @property
    def count(self) -> int:
        """How many points the series has."""
        return len(self.arrays["rate"]) if self.arrays else 0

    def last(self, column: str) -> Any:
        """The last point's value in a POINT_COLUMNS column (None without points)."""
        return self.arrays[column][-1] if self.count else None


def spc_chart(
    points: pd.DataFrame,
    *,
    measure: str,
    period: str,
    targets: list[Target] | None = None,
    rebases: list[Rebase] | None = None,
    rules: SpcRules | None = None,
) -> SpcChart:
    """The XmR chart (15 or more points) or run chart of one measure's complete periods.

    `points` has period, period_start, met and denominator (a measure's rows of `period_counts`), oldest
    first; `targets` judge assurance against the target in force on the last period's first day.
    """
    rules = rules or SpcRules()
    rebases = sorted(rebases or [], key=lambda rebase: rebase.start)
    base = _base(points, targets or [])
    rate = base["rate"]
    if len(rate) == 0:
        return _no_chart(measure, period)
    if len(rate) < MIN_XMR_POINTS:
        return _run_chart(base, measure, period, rebases)
    segments = segments_for(base["period_start"], rebases)
    limits = xmr_limits(rate, segments, screen=rules.screen_moving_ranges)
    frame = _evaluate(base, segments, limits, rules.shift_length, rules.trend_length)
    assurance = _assurance(frame)
    sizes = np.bincount(np.unique(segments, return_inverse=True)[1])
    note = (
        f"Limits of a segment of fewer than {TRIAL_LIMIT_POINTS} points are trial limits: they will move "
        "as points are added."
        if (sizes < TRIAL_LIMIT_POINTS).any()
        else ""
    )
    return SpcChart(
        measure,
        period,
        "xmr",
        frame,
        _variation(frame),
        assurance,
        _last_target(frame),
        note,
        _breaks(frame, segments, rebases),
    )


def p_chart(
    points: pd.DataFrame,
    *,
    measure: str,
    period: str,
    targets: list[Target] | None = None,
    rebases: list[Rebase] | None = None,
    rules: SpcRules | None = None,
) -> SpcChart:
    """The p-chart view of the same points: limits per point from its denominator (segments as XmR).

    The same four rules are applied against each point's own lines; points with small numbers are
    marked, since their limits rest on an approximation that fails there. Variation and assurance stay
    the XmR chart's (MDC's icons); this view is for reading the points.
    """
    rules = rules or SpcRules()
    rebases = sorted(rebases or [], key=lambda rebase: rebase.start)
    base = _base(points, targets or [])
    if len(base["rate"]) == 0:
        return _no_chart(measure, period)
    segments = segments_for(base["period_start"], rebases)
    limits = p_limits(base["met"], base["denominator"], segments)
    frame = _evaluate(base, segments, limits, rules.shift_length, rules.trend_length, chart="p")
    small = int(frame["small_numbers"].sum())
    note = (
        f"{small} of {len(frame['rate'])} points have small numbers (n.p or n.(1-p) under "
        f"{SMALL_NUMBERS}): their limits are approximate."
        if small
        else ""
    )
    return SpcChart(
        measure, period, "p", frame, None, None, _last_target(frame), note, _breaks(frame, segments, rebases)
    )


def _base(points: pd.DataFrame, targets: list[Target]) -> dict[str, np.ndarray]:
    """The points as arrays, oldest first, with their rate and the target in force on each one's first day.

    Arrays rather than a frame: a chart is a few dozen points, and pandas' per-call cost would be most
    of the time spent on every measure.
    """
    starts = points["period_start"].to_numpy().astype("datetime64[ns]")
    order = np.argsort(starts, kind="stable")
    met = points["met"].to_numpy(dtype="int64")[order]
    denominator = points["denominator"].to_numpy(dtype="int64")[order]
    starts = starts[order]
    days = starts.astype("datetime64[D]")
    return {
        "period": np.asarray(points["period"].astype(str).to_numpy(dtype=object))[order],
        "period_start": starts,
        "met": met,
        "denominator": denominator,
        "rate": compliance_rate(met, denominator - met),
        "target": targets_in_force(targets, days)[0] if targets else np.full(len(order), np.nan),
    }


def _no_chart(measure: str, period: str) -> SpcChart:
    note = f"No complete {period} with records yet."
    return SpcChart(measure, period, "none", {}, None, None, None, note)


def _run_chart(base: dict[str, np.ndarray], measure: str, period: str, rebases: list[Rebase]) -> SpcChart:
    rate = base["rate"]
    median = float(np.median(rate))
    above, below = run_chart_shift(rate, median)
    rising, falling = run_chart_trend(rate)
    nothing = np.zeros(len(rate), dtype=bool)
    flags = {"limit": (nothing, nothing), "shift": (above, below), "trend": (rising, falling)}
    flags["two_of_three"] = (nothing, nothing)
    lines = {
        "centre": np.full(len(rate), median),
        **{name: np.full(len(rate), np.nan) for name in ("lower", "upper", "sigma_lower", "sigma_upper")},
    }
    frame = _points(base, np.zeros(len(rate), dtype="int64"), lines, flags, _run_words())
    words = PERIOD_WORDS[period]
    note = (
        f"Run chart: {len(rate)} {words} points, fewer than the {MIN_XMR_POINTS} an SPC chart needs, so "
        f"the centre is the median and there are no limits."
    )
    if any(base["period_start"][0] < np.datetime64(rebase.start, "ns") for rebase in rebases):
        note += f" Rebasing applies once there are {MIN_XMR_POINTS} points."
    return SpcChart(measure, period, "run", frame, _variation(frame), None, _last_target(frame), note)


def _evaluate(
    base: dict[str, np.ndarray],
    segments: np.ndarray,
    lines: dict[str, np.ndarray],
    shift_length: int,
    trend_length: int,
    chart: str = "xmr",
) -> dict[str, np.ndarray]:
    rate = base["rate"]
    flags = {
        "limit": beyond_limits(rate, lines["lower"], lines["upper"]),
        "shift": shift(rate, lines["centre"], segments, shift_length),
        "trend": trend(rate, trend_length),
        "two_of_three": two_of_three(
            rate, lines["centre"], lines["sigma_lower"], lines["sigma_upper"], segments
        ),
    }
    return _points(base, segments, lines, flags, _xmr_words(shift_length, trend_length, chart))


def _xmr_words(shift_length: int, trend_length: int, chart: str) -> dict[str, tuple[str, str]]:
    centre = "the centre (p-bar)" if chart == "p" else "the centre"
    return {
        "limit": ("above the upper process limit", "below the lower process limit"),
        "shift": (
            f"shift: {shift_length} or more points in a row above {centre}",
            f"shift: {shift_length} or more points in a row below {centre}",
        ),
        "trend": (
            f"trend: {trend_length} or more points each higher than the one before",
            f"trend: {trend_length} or more points each lower than the one before",
        ),
        "two_of_three": (
            "two of three points beyond the upper 2σ line",
            "two of three points beyond the lower 2σ line",
        ),
    }


def _run_words() -> dict[str, tuple[str, str]]:
    return {
        "limit": ("", ""),
        "shift": (
            f"shift: {RUN_SHIFT_LENGTH} or more points above the median",
            f"shift: {RUN_SHIFT_LENGTH} or more points below the median",
        ),
        "trend": (
            f"trend: {RUN_TREND_LENGTH} or more points rising (equal values count once)",
            f"trend: {RUN_TREND_LENGTH} or more points falling (equal values count once)",
        ),
        "two_of_three": ("", ""),
    }


def _points(
    base: dict[str, np.ndarray],
    segments: np.ndarray,
    lines: dict[str, np.ndarray],
    flags: dict[str, tuple[np.ndarray, np.ndarray]],
    words: dict[str, tuple[str, str]],
) -> dict[str, np.ndarray]:
    """The point table's columns: lines, each rule's flag (either direction), the flag and its words.

    High, above and rising are improvement (every measure's polarity is up); low, below and falling are
    concern; a point with both is improvement, and `rules` names every rule that fired.
    """
    count = len(base["rate"])
    improvement = np.zeros(count, dtype=bool)
    concern = np.zeros(count, dtype=bool)
    names = np.full(count, "", dtype=object)
    described = np.full(count, "", dtype=object)
    columns: dict[str, np.ndarray] = {}
    for rule in RULES:
        high, low = flags[rule]
        improvement |= high
        concern |= low
        columns[rule] = high | low
        names = _joined(names, np.where(high | low, rule, ""), ";")
        text = np.where(high, words[rule][0], np.where(low, words[rule][1], ""))
        described = _joined(described, text, "; ")
    flag = np.where(improvement, "improvement", np.where(concern, "concern", "")).astype(object)
    heading = np.where(
        flag == "improvement", VARIATION_WORDS["improvement"], VARIATION_WORDS["concern"]
    ).astype(object)
    signal = np.where(flag == "", VARIATION_WORDS["common"], heading + ": " + described)
    return {
        **{column: base[column] for column in ("period", "period_start", "met", "denominator", "rate")},
        "segment": np.asarray(segments, dtype="int64"),
        **{
            name: np.asarray(lines[name], dtype=float)
            for name in ("centre", "lower", "upper", "sigma_lower", "sigma_upper")
        },
        "target": np.asarray(base["target"], dtype=float),
        **columns,
        "improvement": improvement,
        "concern": concern & ~improvement,
        "flag": flag,
        "rules": names,
        "signal": signal.astype(object),
        "small_numbers": np.asarray(lines.get("small_numbers", np.zeros(count, dtype=bool)), dtype=bool),
    }


def _joined(left: np.ndarray, right: np.ndarray, separator: str) -> np.ndarray:
    """Element-wise `left + separator + right`, leaving out the separator where either side is empty."""
    left, right = np.asarray(left, dtype=object), np.asarray(right, dtype=object)
    both = (left != "") & (right != "")
    return np.where(both, left + separator + right, np.where(left != "", left, right)).astype(object)


def _variation(frame: dict[str, np.ndarray]) -> str:
    """SPEC 7.1: the series' variation is its last point's flag."""
    last = frame["flag"][-1]
    return str(last) if last else "common"


def _last_target(frame: dict[str, np.ndarray]) -> float | None:
    target = float(frame["target"][-1])
    return None if np.isnan(target) else target


def _assurance(frame: dict[str, np.ndarray]) -> str | None:
    return assurance_for(float(frame["target"][-1]), float(frame["lower"][-1]), float(frame["upper"][-1]))


def assurance_for(target: float | None, lower: float, upper: float) -> str | None:
    """SPEC 7.1, polarity up, at the last point's limits: "pass" when target <= lower limit, "fail" when
    target >= upper limit (a target on a limit counts, as MDC; NHSRplotthedots uses strict inequalities),
    else "hit_and_miss"; None without a target or without limits."""
    if target is None or np.isnan(target) or np.isnan(lower) or np.isnan(upper):
        return None
    if target <= lower + EPSILON:
        return "pass"
    if target >= upper - EPSILON:
        return "fail"
    return "hit_and_miss"


def _breaks(
    frame: dict[str, np.ndarray], segments: np.ndarray, rebases: list[Rebase]
) -> tuple[tuple[str, Rebase], ...]:
    """(period where a new segment starts, the rebase that starts it) for every break between points."""
    changes = np.flatnonzero(np.diff(segments) != 0) + 1
    periods = frame["period"]
    return tuple((str(periods[index]), rebases[int(segments[index]) - 1]) for index in changes)


# --- every measure --------------------------------------------------------------------------------------


def spc_for_measures(counts: pd.DataFrame, settings: Settings, period: str) -> dict[str, SpcChart]:
    """`spc_chart` for every measure from `period_counts` output (a measure with no points: chart "none")."""
    by_measure = measure_rows(counts)
    return {
        measure_id: spc_chart(
            by_measure[measure_id],
            measure=measure_id,
            period=period,
            targets=settings.targets.get(measure_id, []),
            rebases=settings.rebases.get(measure_id, []),
            rules=settings.spc,
        )
        for measure_id in MEASURE_IDS
    }


def measure_rows(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each measure's rows of a table with a measure column (every measure, empty where it has none).

    Cheaper than a groupby on the few hundred rows of `period_counts` or `group_totals`, which are
    already in measure order: one positional slice per measure.
    """
    codes = _codes(counts["measure"], MEASURE_IDS)
    if len(codes) and (np.diff(codes) < 0).any():
        order = np.argsort(codes, kind="stable")
        counts, codes = counts.iloc[order], codes[order]
    bounds = np.searchsorted(codes, np.arange(len(MEASURE_IDS) + 1))
    return {
        measure_id: counts.iloc[bounds[index] : bounds[index + 1]]
        for index, measure_id in enumerate(MEASURE_IDS)
    }


def variation_label(variation: str | None) -> str:
    """'⇧ Special cause improvement'; '' without a series."""
    if variation is None:
        return ""
    return f"{VARIATION_SYMBOLS[variation]} {VARIATION_WORDS[variation]}"


def assurance_label(assurance: str | None, chart: str) -> str:
    """'✔ Consistently passes the target', or why there is no assurance (a run chart, no target)."""
    if assurance is not None:
        return f"{ASSURANCE_SYMBOLS[assurance]} {ASSURANCE_WORDS[assurance]}"
    if chart == "none":
        return ""
    why = "run chart" if chart == "run" else "no target"
    return f"{ASSURANCE_SYMBOLS[NO_ASSURANCE]} {ASSURANCE_WORDS[NO_ASSURANCE]} ({why})"


SUMMARY_COLUMNS: tuple[str, ...] = (
    "measure",
    "title",
    "chart",
    "points",
    "last_period",
    "last_rate",
    "target",
    "variation",
    "assurance",
    "benchmark",
)


def spc_summary(charts: dict[str, SpcChart], benchmarks: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per measure (SPEC order): its chart, last point, target, variation, assurance, benchmark."""
    benchmarks = benchmarks or {}
    rows = []
    for measure_id in MEASURE_IDS:
        chart = charts.get(measure_id)
        charted = chart is not None and chart.count > 0
        rows.append(
            {
                "measure": measure_id,
                "title": MEASURES_BY_ID[measure_id].title,
                "chart": chart.chart if chart is not None else "none",
                "points": chart.count if chart is not None else 0,
                "last_period": str(chart.last("period")) if chart is not None and charted else "",
                "last_rate": float(chart.last("rate")) if chart is not None and charted else np.nan,
                "target": chart.target if chart is not None and chart.target is not None else np.nan,
                "variation": chart.variation if chart is not None else None,
                "assurance": chart.assurance if chart is not None else None,
                "benchmark": benchmarks.get(measure_id, ""),
            }
        )
    # Built as object and then typed: inferring would make the text columns' None into NaN under pandas 3.
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS), dtype=TEXT_DTYPE)
    return summary.astype({"points": "int64", "last_rate": "float64", "target": "float64"})


def icon_matrix(summary: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Measures per (variation, assurance) cell: rows VARIATIONS, columns ASSURANCES and NO_ASSURANCE.

    Every cell is present (an empty list says no measure is there); a measure with no series is in none.
    """
    cells: dict[tuple[str, str], list[str]] = {
        (variation, assurance): [] for variation in VARIATIONS for assurance in (*ASSURANCES, NO_ASSURANCE)
    }
    charted = summary[summary["variation"].notna()]
    for measure_id, variation, assurance in zip(
        charted["measure"], charted["variation"], charted["assurance"], strict=True
    ):
        cells[(str(variation), str(assurance) if assurance else NO_ASSURANCE)].append(str(measure_id))
    return cells


# --- teams compared fairly: the funnel ----------------------------------------------------------------

FUNNEL_Z: dict[str, float] = {"95": 1.959964, "99.8": 3.090232}  # two-sided normal quantiles
POSITIONS: tuple[str, ...] = ("above_99.8", "above_95", "within", "below_95", "below_99.8")
POSITION_WORDS: dict[str, str] = {
    "above_99.8": "Above the 99.8% limit: better than chance explains",
    "above_95": "Above the 95% limit: possibly better",
    "within": "Within the limits: no different from the service",
    "below_95": "Below the 95% limit: possibly worse",
    "below_99.8": "Below the 99.8% limit: worse than chance explains",
}
FUNNEL_CURVE_POINTS = 120


def group_counts(statuses: pd.DataFrame, by: str, keep: np.ndarray | None = None) -> pd.DataFrame:
    """Met and denominator (met + missed) per measure and value of `by` (a blank value is "(blank)").

    Columns: measure, group, met, denominator; groups with a denominator only, in measure order then
    group name. One bincount over (measure, group, met) codes, whatever the number of groups (workers).
    """
    measure_codes = _codes(statuses["measure"], MEASURE_IDS)
    met, decided = _decided(statuses, measure_codes, keep)
    group_codes, names = _group_codes(statuses[by])
    width = len(names)
    cells = measure_codes.astype("int64") * width
    cells += group_codes
    np.add(cells, width, out=cells, where=group_codes < 0)  # code -1 (blank) -> the last group
    cells *= 2
    cells += met
    counts = np.bincount(cells[decided], minlength=len(MEASURE_IDS) * width * 2).reshape(-1, 2)
    occupied = np.flatnonzero(counts.sum(axis=1))
    measure_of_row, group_of_row = np.divmod(occupied, width)
    return group_totals(
        frame_from_arrays(
            {
                "measure": np.array(MEASURE_IDS, dtype=object)[measure_of_row],
                "group": names[group_of_row],
                "met": counts[occupied, 1],
                "missed": counts[occupied, 0],
            }
        )
    )


@dataclass(frozen=True)
class Funnel:
    """Groups against the service rate: `points` (one per group) and `curve` (the limits to draw)."""

    service_rate: float  # percent; NaN with no denominator
    points: (
        pd.DataFrame
    )  # group, met, denominator, rate, lower/upper_95, lower/upper_99.8, position, small_numbers
    curve: pd.DataFrame  # denominator, lower/upper_95, lower/upper_99.8


def funnel_limits(service: float, denominators: np.ndarray) -> dict[str, np.ndarray]:
    """95% and 99.8% limits (percent, clamped to [0, 100]) around a service proportion (0-1) at each
    denominator: service +/- z sqrt(service (1 - service) / n), the p-chart's normal approximation."""
    n = np.maximum(np.asarray(denominators, dtype=float), 1)
    spread = np.sqrt(service * (1 - service) / n)
    limits = {}
    for level, z in FUNNEL_Z.items():
        limits[f"lower_{level}"] = np.clip(100 * (service - z * spread), 0, 100)
        limits[f"upper_{level}"] = np.clip(100 * (service + z * spread), 0, 100)
    return limits


def funnel(groups: pd.DataFrame) -> Funnel:
    """Each group's rate against its denominator, placed against the limits around the pooled service
    rate, so a small team is not called worse for one missed case. `groups` has group, met, denominator
    (one measure's rows of `group_counts`)."""
    counted = groups["denominator"].to_numpy(dtype="int64")
    kept = counted > 0
    met = groups["met"].to_numpy(dtype="int64")[kept]
    denominator = counted[kept]
    names = np.asarray(groups["group"].to_numpy(dtype=object)[kept], dtype=object)
    total = int(denominator.sum())
    if not total:
        empty = frame_from_arrays({"group": names, "met": met, "denominator": denominator})
        return Funnel(np.nan, empty.assign(position="within", small_numbers=True), pd.DataFrame())
    service = float(met.sum() / total)
    rate = compliance_rate(met, denominator - met)
    limits = funnel_limits(service, denominator)
    position = np.select(
        [
            rate > limits["upper_99.8"] + EPSILON,
            rate > limits["upper_95"] + EPSILON,
            rate < limits["lower_99.8"] - EPSILON,
            rate < limits["lower_95"] - EPSILON,
        ],
        ["above_99.8", "above_95", "below_99.8", "below_95"],
        default="within",
    ).astype(object)
    small = (denominator * service < SMALL_NUMBERS) | (denominator * (1 - service) < SMALL_NUMBERS)
    grid = np.unique(
        np.concatenate(
            [np.geomspace(1, max(int(denominator.max()), 2) * 1.1, FUNNEL_CURVE_POINTS), denominator]
        )
    )
    points = frame_from_arrays(
        {
            "group": np.array([str(name) for name in names], dtype=object),
            "met": met,
            "denominator": denominator,
            "rate": rate,
            **limits,
            "position": position,
            "small_numbers": small,
        }
    )
    return Funnel(100 * service, points, pd.DataFrame({"denominator": grid, **funnel_limits(service, grid)}))


# --- national benchmarks ---------------------------------------------------------------------------------


def financial_year(first_year: int) -> str:
    """ "2019-20" for the year starting 1 April 2019."""
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def _first_years(period_starts: np.ndarray) -> np.ndarray:
    """The financial year (its first calendar year) of each period start (datetime64)."""
    months = np.asarray(period_starts).astype("datetime64[M]").astype("int64")
    years, month0 = np.divmod(months, 12)
    return years + 1970 - (month0 < 3)


def benchmark_lines(period_starts: np.ndarray, benchmarks: list[Benchmark]) -> pd.DataFrame:
    """The national figure in force at each period, per benchmark label: the figure for the period's own
    financial year, else the latest earlier one (national figures come out a year or more late), none
    before the first. Columns: label, position (index into period_starts), rate, year, source."""
    first_years = _first_years(period_starts)
    parts = []
    for label in dict.fromkeys(benchmark.label for benchmark in benchmarks):
        mine = sorted((b for b in benchmarks if b.label == label), key=lambda b: b.first_year)
        years = np.array([b.first_year for b in mine])
        index = np.searchsorted(years, first_years, side="right") - 1
        shown = np.flatnonzero(index >= 0)
        chosen = [mine[i] for i in index[shown]]
        parts.append(
            pd.DataFrame(
                {
                    "label": pd.Series([label] * len(shown), dtype=TEXT_DTYPE),
                    "position": shown.astype("int64"),
                    "rate": [b.rate for b in chosen],
                    "year": pd.Series([b.year for b in chosen], dtype=TEXT_DTYPE),
                    "source": pd.Series([b.source for b in chosen], dtype=TEXT_DTYPE),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["label", "position", "rate", "year", "source"])
    return pd.concat(parts, ignore_index=True)


def benchmark_comparison(points: pd.DataFrame, benchmarks: list[Benchmark], as_at: date) -> str:
    """Our rate beside the national figure, as the SPC summary says it: "service 81.0%, Scotland 72.7%
    (2019-20)".

    The service's year is its latest complete financial year with records ("2021-22 so far" when none
    has ended); each national figure is the one for that year, else the latest before it, else the
    latest there is. When the years differ each figure names its own. `points` are one measure's
    complete periods (period_start, met, denominator), monthly or quarterly. '' without benchmarks.
    """
    if not benchmarks:
        return ""
    years = _first_years(points["period_start"].to_numpy())
    met = points["met"].to_numpy(dtype="int64")
    counted = points["denominator"].to_numpy(dtype="int64")
    return _comparison(years, met, counted, benchmarks, as_at)


def benchmark_comparisons(counts: pd.DataFrame, settings: Settings, as_at: date) -> dict[str, str]:
    """`benchmark_comparison` of every measure from `period_counts` output and the settings' table."""
    rows = measure_rows(counts)
    return {
        measure_id: benchmark_comparison(
            rows[measure_id], [b for b in settings.benchmarks if b.measure == measure_id], as_at
        )
        for measure_id in MEASURE_IDS
    }


def _comparison(
    years: np.ndarray, met: np.ndarray, counted: np.ndarray, benchmarks: list[Benchmark], as_at: date
) -> str:
    year: int | None = None
    service, partial = "", False
    if counted.sum() > 0:
        known, position = np.unique(years[counted > 0], return_inverse=True)
        met_by_year = np.bincount(position, weights=met[counted > 0])
        counted_by_year = np.bincount(position, weights=counted[counted > 0])
        complete = [int(y) for y in known if date(int(y) + 1, 3, 31) <= as_at]
        partial = not complete
        year = max(complete) if complete else int(known[-1])
        index = int(np.searchsorted(known, year))
        service = f"service {rate_text(met_by_year[index] * 100.0 / counted_by_year[index])}%"
    figures = []
    for label in dict.fromkeys(benchmark.label for benchmark in benchmarks):
        mine = sorted((b for b in benchmarks if b.label == label), key=lambda b: b.first_year)
        earlier = [b for b in mine if year is None or b.first_year <= year]
        figures.append(earlier[-1] if earlier else mine[-1])
    if year is not None and not partial and all(b.first_year == year for b in figures):
        national = ", ".join(f"{b.label} {rate_text(b.rate)}%" for b in figures)
        return f"{service}, {national} ({financial_year(year)})"
    national = ", ".join(f"{b.label} {rate_text(b.rate)}% ({b.year})" for b in figures)
    if year is None:
        return national
    return f"{service} ({financial_year(year)}{' so far' if partial else ''}), {national}"


# --- tables as the pages show them ------------------------------------------------------------------------


def points_table(chart: SpcChart) -> pd.DataFrame:
    """A chart's points as the table beside it: rates and lines as text to one decimal (halves up, as every
    output shows them), the signal in words; a run chart's centre is its median and it has no limits; a
    p-chart says which points have small numbers."""
    points = chart.points

    def percent(column: str) -> list[str]:
        return [rate_text(value) for value in points[column].to_numpy(dtype=float)]

    table = pd.DataFrame(
        {
            "Period": points["period"].astype(str),
            "Met": points["met"].astype("int64"),
            "Counted": points["denominator"].astype("int64"),
            "Rate %": percent("rate"),
            ("Median %" if chart.chart == "run" else "Centre %"): percent("centre"),
        }
    )
    if chart.chart in ("xmr", "p"):
        table["Lower limit %"] = percent("lower")
        table["Upper limit %"] = percent("upper")
    table["Signal"] = points["signal"].astype(str)
    if chart.chart == "p":
        table["Small numbers"] = np.where(points["small_numbers"].astype(bool), "yes", "")
    return table.reset_index(drop=True)


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """`spc_summary` as the SPC summary page lists it: words and symbols for both icons, rounded rates."""
    return pd.DataFrame(
        {
            "Measure": summary["title"],
            "Variation": [variation_label(value) for value in summary["variation"]],
            "Assurance": [
                assurance_label(value, chart)
                for value, chart in zip(summary["assurance"], summary["chart"], strict=True)
            ],
            "Latest": summary["last_period"],
            "Rate %": round_rates(summary["last_rate"].astype(float)),
            "Target %": summary["target"].astype(float).round(1),
            "National comparison": summary["benchmark"],
            "Chart": summary["chart"].map(CHART_WORDS),
            "Points": summary["points"].astype("int64"),
        }
    )


def funnel_outside(result: Funnel) -> dict[str, list[str]]:
    """The groups outside the funnel, by position (POSITIONS less "within"), each list in name order."""
    points = result.points
    return {
        position: sorted(points.loc[points["position"] == position, "group"].astype(str))
        for position in POSITIONS
        if position != "within" and (points["position"] == position).any()
    }
