"""The shared filters (quarter range, team, worker, order type, as-at date) and the rows they keep.

One model for every output that filters: the dashboard's pages and exports take a `Filters`, and the
masks here decide what it keeps. A quarter range is half-open, [first day of "from", first day of the
quarter after "to"), so a record in the "to" quarter is in and one a day later is out.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from measures.categories import category_key
from measures.definitions import MEASURES
from measures.quarters import parse_quarter, quarter_after, quarters_between

# The date that places a raw record in a quarter when a dataset (not a measure) is filtered.
DATASET_QUARTER_DATE: dict[str, str] = {
    "orders": "order_date",
    "reviews": "review_due",
    "audits": "audit_date",
}
_AUDIT_MEASURES: tuple[str, ...] = tuple(measure.id for measure in MEASURES if measure.dataset == "audits")


class Filters(NamedTuple):
    """The filters' values, hashable so cached aggregates can be keyed on them.

    A quarter of None and an empty tuple of names do not filter.
    """

    from_quarter: str | None
    to_quarter: str | None
    teams: tuple[str, ...]
    workers: tuple[str, ...]
    order_types: tuple[str, ...]
    as_at: date


class FilterOptions(NamedTuple):
    """What the filters can choose from: every quarter from the first to the last, and the names in use."""

    quarters: list[str]
    teams: list[str]
    workers: list[str]
    order_types: list[str]


def filter_options(statuses: pd.DataFrame) -> FilterOptions:
    """The choices for the filters over `record_statuses` output (no gap in the quarters)."""
    starts = statuses["quarter_start"].dropna()
    quarters = quarters_between(starts.min(), starts.max()) if not starts.empty else []

    def names(column: str) -> list[str]:
        return sorted(str(value) for value in statuses[column].dropna().unique())

    return FilterOptions(quarters, names("team"), names("worker"), names("order_type"))


def _quarter_range_mask(when: np.ndarray, filters: Filters) -> np.ndarray:
    """Dates (datetime64) inside the filters' quarter range; a blank date is outside any range."""
    keep = np.ones(len(when), dtype=bool)
    if filters.from_quarter:
        keep &= when >= np.datetime64(parse_quarter(filters.from_quarter), "ns")
    if filters.to_quarter:
        keep &= when < np.datetime64(quarter_after(filters.to_quarter), "ns")
    return keep


def status_mask(statuses: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which `record_statuses` rows the filters keep, by the quarter each record counts in.

    The order-type filter leaves audits alone: an audit has no order type.
    """
    keep = _quarter_range_mask(statuses["quarter_start"].to_numpy(), filters)
    if filters.teams:
        keep &= statuses["team"].isin(filters.teams).to_numpy()
    if filters.workers:
        keep &= statuses["worker"].isin(filters.workers).to_numpy()
    if filters.order_types:
        keep &= (
            statuses["order_type"].isin(filters.order_types) | statuses["measure"].isin(_AUDIT_MEASURES)
        ).to_numpy()
    return keep


def dataset_in_filters(frame: pd.DataFrame, dataset: str, filters: Filters) -> pd.DataFrame:
    """A dataset's records the filters keep, the quarter range applied to the dataset's own date.

    A filter on a column the dataset lacks (audits have no order type) leaves it alone.
    """
    keep = _quarter_range_mask(frame[DATASET_QUARTER_DATE[dataset]].to_numpy(), filters)
    for column, chosen in (
        ("team", filters.teams),
        ("worker", filters.workers),
        ("order_type", filters.order_types),
    ):
        if chosen and column in frame.columns:
            keep &= same_group(frame[column], chosen)
    return frame[keep]


def same_group(values: pd.Series, chosen: tuple[str, ...]) -> np.ndarray:
    """Which raw values belong to one of the chosen groups: "East  Team" is in East Team's, as every
    figure groups them (measures.categories); worked out once per distinct value."""
    wanted = {category_key(name) for name in chosen}
    if isinstance(values.dtype, pd.CategoricalDtype):  # statuses: the codes are already there
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values.astype(object))
    hits = np.array([category_key(str(value)) in wanted for value in uniques] + [False], dtype=bool)
    selected: np.ndarray = hits[codes]  # code -1 (blank) picks the final False
    return selected


def filters_document(filters: Filters, measure_ids: tuple[str, ...] = ()) -> dict[str, object]:
    """The filters as an export records them and names its file (JSON-safe, the URL's names).

    Measures are named only when some but not all were chosen (one is already in the file's subject).
    """
    document: dict[str, object] = {
        "from": filters.from_quarter,
        "to": filters.to_quarter,
        "team": list(filters.teams),
        "worker": list(filters.workers),
        "order_type": list(filters.order_types),
    }
    if measure_ids and len(measure_ids) not in (1, len(MEASURES)):
        document["measures"] = list(measure_ids)
    document["as_at"] = filters.as_at.isoformat()
    return document


def _names(chosen: tuple[str, ...], singular: str, plural: str) -> str:
    if not chosen:
        return f"all {plural}"
    return f"{singular if len(chosen) == 1 else plural} {', '.join(chosen)}"


def describe_filters(filters: Filters, *, quarter_range: bool = True) -> str:
    """The active filters in one line, shown under every page's title so a screenshot says what it shows.

    E.g. "Filters: 2019-20 Q1 to 2020-21 Q4; all teams; all workers; order type CPO; as at 30/04/2021".
    `quarter_range=False` for a page the quarter range does not apply to (the worklist).
    """
    parts = []
    if quarter_range:
        first, last = filters.from_quarter, filters.to_quarter
        if first and last:
            parts.append(first if first == last else f"{first} to {last}")
        elif first or last:
            parts.append(f"from {first}" if first else f"up to {last}")
        else:
            parts.append("every quarter")
    parts += [
        _names(filters.teams, "team", "teams"),
        _names(filters.workers, "worker", "workers"),
        _names(filters.order_types, "order type", "order types"),
        f"as at {filters.as_at:%d/%m/%Y}",
    ]
    return "Filters: " + "; ".join(parts)
