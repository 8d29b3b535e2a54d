"""The worklist (SPEC 7.2): open cases of the timescale measures that fall due soon, overdue first.

Open work is a record of a timescale measure that applies, is not excluded, has a blank "to" date,
and whose due date is on or before the as-at date plus N working days; overdue cases are included.
It is cut from `record_statuses`, so a due date here is the one every figure counts against.

Decisions beyond SPEC, written down here:
- `working_days_left` is numpy `busday_count(as_at, due_date)` with the service's working calendar
  (SPEC 7.2): 0 for a case due on the as-at date, -1 for one a working day overdue. A calendar-day rule
  (a review due on a Saturday) counts the same way: due on Saturday, as at Friday, is 1 day left.
- "This week" is up to the Sunday of the as-at date's week, "next week" the Monday to Sunday after it,
  "later" anything beyond (still within N working days). Overdue is a due date before the as-at date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.schema import frame_from_arrays
from measures.calendar import as_days, as_timestamps, working_calendar
from measures.definitions import MEASURE_IDS, MEASURES_BY_ID, TIMESCALE_IDS
from measures.filters import Filters
from measures.settings import Settings

DEFAULT_WITHIN_DAYS = 10
# SPEC 7.2's CSV columns, in order.
WORKLIST_COLUMNS: tuple[str, ...] = (
    "measure",
    "case_ref",
    "order_date",
    "review_due",
    "team",
    "worker",
    "due_date",
    "working_days_left",
)
WHEN_ORDER: tuple[str, ...] = ("overdue", "this week", "next week", "later")
COUNT_COLUMNS: tuple[str, ...] = (*WHEN_ORDER, "total")
_DATASET_OF_MEASURE = np.array([MEASURES_BY_ID[measure_id].dataset for measure_id in MEASURE_IDS])
_TITLE_OF_MEASURE = np.array([MEASURES_BY_ID[measure_id].title for measure_id in MEASURE_IDS], dtype=object)


def open_work(
    statuses: pd.DataFrame,
    reviews: pd.DataFrame | None,
    settings: Settings,
    as_at: date,
    within_days: int = DEFAULT_WITHIN_DAYS,
) -> pd.DataFrame:
    """Every open case due within `within_days` working days of `as_at`, overdue included.

    `statuses` is `record_statuses(...)` as at `as_at` with case_ref, team and worker; `reviews` the
    reviews dataset (for the review due date of a review_recorded record, whose "from" date is the
    held date). Columns: WORKLIST_COLUMNS, then `order_type` (for the sidebar filter), `measure_title`
    (the measure in words) and `when` (one of WHEN_ORDER). Ordered by due date, then measure in SPEC
    section-3 order, then case_ref.
    """
    if within_days < 0:
        raise ValueError("the worklist looks ahead 0 or more working days")
    # Masks on category codes and a positional take of the few columns shown: the statuses hold
    # millions of rows, of which the open ones are a few per cent.
    is_open = (
        _in(statuses["measure"], TIMESCALE_IDS)
        & _in(statuses["status"], ("pending", "missed"))
        & statuses["to_date"].isna().to_numpy()
        & statuses["due_date"].notna().to_numpy()
    )
    positions = np.flatnonzero(is_open)
    due = as_days(statuses["due_date"].to_numpy()[positions])
    if not len(due):
        return _empty()
    today = np.datetime64(as_at, "D")
    calendar = working_calendar(
        settings.local_holidays,
        int(min(due.min(), today).astype("datetime64[Y]").astype(int)) + 1970,
        int(max(due.max(), today).astype("datetime64[Y]").astype(int)) + 1971,
    )
    horizon = calendar.add_working_days([as_at], within_days)[0]
    in_reach = due <= horizon
    positions, due = positions[in_reach], due[in_reach]

    measure = _take(statuses["measure"], positions).astype(str)
    measure_position = pd.Index(MEASURE_IDS).get_indexer(pd.Index(measure))
    case_ref = _take(statuses["case_ref"], positions)
    order = np.lexsort((case_ref.astype(str), measure_position, due.view("int64")))
    positions, due, measure, measure_position, case_ref = (
        values[order] for values in (positions, due, measure, measure_position, case_ref)
    )

    is_order = _DATASET_OF_MEASURE[measure_position] == "orders"
    from_date = statuses["from_date"].to_numpy()[positions]
    review_due = np.where(measure == "review_on_time", from_date, np.datetime64("NaT", "ns"))
    recorded = measure == "review_recorded"
    if recorded.any() and reviews is not None and not reviews.empty:
        record_ids = statuses["record_id"].to_numpy()[positions[recorded]]
        review_due[recorded] = _look_up(
            reviews["record_id"].to_numpy(), reviews["review_due"].to_numpy(), record_ids
        )

    return frame_from_arrays(
        {
            "measure": measure.astype(object),
            "case_ref": case_ref,
            "order_date": np.where(is_order, from_date, np.datetime64("NaT", "ns")),
            "review_due": review_due,
            "team": _take(statuses["team"], positions),
            "worker": _take(statuses["worker"], positions),
            "due_date": as_timestamps(due),
            "working_days_left": np.busday_count(today, due, busdaycal=calendar.busdaycalendar).astype(
                "int64"
            ),
            "order_type": _take(statuses["order_type"], positions) if "order_type" in statuses else None,
            "measure_title": _TITLE_OF_MEASURE[measure_position],
            "when": _when(due, today),
        }
    )


def _in(values: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """values.isin(wanted) as a numpy mask; on a categorical, a lookup of its few categories by code."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        hits = np.append(values.cat.categories.isin(wanted), False)  # code -1 (blank) picks the False
        return hits[codes]
    return values.isin(wanted).to_numpy()


def _take(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """The values at `positions` as an object array, without materialising a whole categorical column."""
    return np.asarray(values.array.take(positions), dtype=object)


def _look_up(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """values at the positions of `wanted` in `keys` (unique record ids); NaT where a key is absent."""
    order = None if np.all(keys[:-1] <= keys[1:]) else np.argsort(keys, kind="stable")
    sorted_keys = keys if order is None else keys[order]
    found = np.searchsorted(sorted_keys, wanted).clip(0, max(len(keys) - 1, 0))
    hit = sorted_keys[found] == wanted
    position = found if order is None else order[found]
    return np.where(hit, values[position], np.datetime64("NaT", "ns"))


def _when(due: np.ndarray, today: np.datetime64) -> np.ndarray:
    """Overdue, this week (to the as-at date's Sunday), next week (the Monday to Sunday after) or later."""
    weekday = int((today.astype("int64") - 4) % 7)  # 1970-01-01 was a Thursday: Monday is 0
    sunday = today + np.timedelta64(6 - weekday, "D")
    next_sunday = sunday + np.timedelta64(7, "D")
    return np.select(
        [due < today, due <= sunday, due <= next_sunday],
        list(WHEN_ORDER[:3]),
        default=WHEN_ORDER[3],
    ).astype(object)  # numpy's fixed-width text would become pandas 3's str dtype


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": pd.Series(dtype=object),
            "case_ref": pd.Series(dtype=object),
            "order_date": pd.Series(dtype="datetime64[ns]"),
            "review_due": pd.Series(dtype="datetime64[ns]"),
            "team": pd.Series(dtype=object),
            "worker": pd.Series(dtype=object),
            "due_date": pd.Series(dtype="datetime64[ns]"),
            "working_days_left": pd.Series(dtype="int64"),
            "order_type": pd.Series(dtype=object),
            "measure_title": pd.Series(dtype=object),
            "when": pd.Series(dtype=object),
        }
    )


def work_in_filters(work: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The open cases the sidebar's team, worker and order-type filters keep.

    The quarter range does not apply: the worklist is about what is open now, whenever it started.
    """
    keep = np.ones(len(work), dtype=bool)
    for column, chosen in (
        ("team", filters.teams),
        ("worker", filters.workers),
        ("order_type", filters.order_types),
    ):
        if chosen:
            keep &= work[column].isin(chosen).to_numpy()
    return work[keep]


def work_counts(work: pd.DataFrame, by: str) -> pd.DataFrame:
    """Open cases per `by` ("team" or "worker"): overdue, this week, next week, later and total.

    Most overdue first, then most in total, then by name; a blank team or worker is "(not recorded)".
    """
    names = work[by].fillna("(not recorded)").astype(str)
    counts = (
        work.groupby([names.rename(by), work["when"]], sort=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(WHEN_ORDER), fill_value=0)
    )
    counts["total"] = counts.sum(axis=1)
    counts.index.name = by
    counts.columns.name = None
    counts = counts.reset_index()
    return counts.sort_values(
        ["overdue", "total", by], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def work_by_area(work: pd.DataFrame, areas: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Per improvement area (name -> measure ids): cases overdue now and due within the worklist's reach."""
    # Counted once per measure (a bincount of the measure codes), then summed per area: a mask of the
    # whole worklist per area cost the overview 11 ms a load at national scale.
    measure_codes, measure_names = pd.factorize(work["measure"])
    known = measure_codes >= 0
    overdue_rows = work["when"].eq("overdue").to_numpy(dtype=bool) & known
    open_counts = np.bincount(measure_codes[known], minlength=len(measure_names))
    overdue_counts = np.bincount(measure_codes[overdue_rows], minlength=len(measure_names))
    position = {str(name): index for index, name in enumerate(measure_names)}
    rows = []
    for name, measure_ids in areas.items():
        indexes = [position[measure_id] for measure_id in measure_ids if measure_id in position]
        overdue = int(overdue_counts[indexes].sum())
        rows.append({"area": name, "overdue": overdue, "due soon": int(open_counts[indexes].sum()) - overdue})
    return pd.DataFrame(rows, columns=["area", "overdue", "due soon"])


# The worklist as the Due soon page and its export show it: human column names, most urgent first.
SHOWN_COLUMNS: dict[str, str] = {
    "due_date": "Due date",
    "working_days_left": "Working days left",
    "when": "When",
    "measure_title": "Measure",
    "case_ref": "Case ref",
    "team": "Team",
    "worker": "Worker",
    "order_date": "Order date",
    "review_due": "Review due",
}


def worklist_table(work: pd.DataFrame) -> pd.DataFrame:
    """The open cases with the columns a team leader reads, in words; blanks stay blank."""
    table = work.loc[:, list(SHOWN_COLUMNS)].rename(columns=SHOWN_COLUMNS)
    table["When"] = table["When"].str.capitalize()
    return table.reset_index(drop=True)


def work_totals(work: pd.DataFrame) -> dict[str, int]:
    """How many open cases are overdue, due this week, next week and later, and in all."""
    counts = work["when"].value_counts()
    totals = {when: int(counts.get(when, 0)) for when in WHEN_ORDER}
    totals["total"] = len(work)
    return totals
