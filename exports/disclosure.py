"""Statistical disclosure control for every table that leaves the service (notes spc-sdc-ijb.md section 2).

Pure: a table of figures and the rules it is published under go in, the table as it may be published
comes out, with a log of every cell suppressed and why. No Streamlit, no SQL.

The rules, each threshold a setting (`measures.settings.Disclosure`):
1. primary suppression: a count from 1 to `low_count_max` (default 4) is shown as `c`; 0 is shown;
2. a percentage is suppressed when its denominator is under `min_denominator` (default 10) or its
   numerator or remainder (denominator - numerator) is a low count, so 0% or 100% of a small group is
   never revealed; its numerator and remainder counts are then suppressed too (zeros included), or the
   percentage could be worked out again from them;
3. secondary suppression: wherever a published total and its parts hold exactly one suppressed cell, that
   cell could be worked out by subtraction, so the smallest other non-zero part is suppressed too (the
   total itself when every other part is 0); a figure worked out from a suppressed one (a rate from its
   count, a change from its rate, a RAG rating from its rate) is suppressed with it; repeated until
   nothing changes;
4. service level by default; team level only where every team's denominator that quarter is at least
   `team_min_denominator`; never worker level.

`verify` checks a published table against the same rules from its raw figures: the pack calls it on
every table just before writing, and refuses to write one that fails (DisclosureError).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from measures.access import SUPPRESSED
from measures.settings import Disclosure

LEVELS: tuple[str, ...] = ("service", "team", "worker")

PRIMARY_COUNT = "primary: count of {low}"
PRIMARY_RATE = "primary: percentage of fewer than {minimum}, or a numerator or remainder of {low}"
RATE_COUNTS = "counts behind a suppressed percentage"
SECONDARY = "secondary: could be worked out from a total"
DERIVED = "worked out from a suppressed figure"


class DisclosureError(ValueError):
    """An output would publish a figure the disclosure control forbids; str() is one plain line."""


@dataclass(frozen=True)
class Rate:
    """A percentage column: numerator / denominator. `remainder` names the published column holding
    denominator - numerator, if there is one (it is suppressed with the percentage)."""

    numerator: str
    denominator: str
    remainder: str | None = None


@dataclass(frozen=True)
class TableRules:
    """How a table's figures relate, which is what disclosure control needs to know.

    counts: columns of counts (primary suppression). totals: total column -> the count columns it adds up
    (within a row). rates: percentage column -> Rate. derived: column -> the columns it is worked out from
    (same row). total_row: the last row is the column sum of the rows above it (every count column).
    Columns named here need not be published (a previous quarter's counts decide its rate's fate).
    """

    counts: tuple[str, ...] = ()
    totals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rates: Mapping[str, Rate] = field(default_factory=dict)
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    total_row: bool = False


@dataclass(frozen=True)
class SuppressedCell:
    row: str
    column: str
    reason: str


@dataclass(frozen=True, eq=False)
class SafeTable:
    """A table as it may be published. `values` holds the published columns, a suppressed cell reading
    SUPPRESSED ("c"); `hidden` is the matching boolean mask; `cells` says why each was suppressed.
    `raw` keeps the figures the decision was made on, so `verify` can check it again before writing."""

    title: str
    values: pd.DataFrame
    hidden: pd.DataFrame
    cells: tuple[SuppressedCell, ...]
    rules: TableRules
    thresholds: Disclosure
    label_column: str
    raw: pd.DataFrame = field(repr=False)
    headings: Mapping[str, str] = field(default_factory=dict)  # column -> heading as printed

    def heading(self, column: str) -> str:
        return self.headings.get(column, column)

    @property
    def suppressed_count(self) -> int:
        return len(self.cells)


def is_low_count(values: np.ndarray, thresholds: Disclosure) -> np.ndarray:
    """Counts from 1 to the threshold (0 and blanks are not low counts)."""
    numbers = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return (numbers >= 1) & (numbers <= thresholds.low_count_max)


def rate_is_unsafe(numerator: np.ndarray, denominator: np.ndarray, thresholds: Disclosure) -> np.ndarray:
    """Rule 2 on raw figures: a percentage from a small group, or whose numerator or remainder is low.

    A percentage with no denominator (0 or blank) has no value to protect: it is not unsafe."""
    top = np.asarray(numerator, dtype="float64")
    bottom = np.asarray(denominator, dtype="float64")
    with np.errstate(invalid="ignore"):
        has_rate = bottom > 0
        small = bottom < thresholds.min_denominator
    return has_rate & (small | is_low_count(top, thresholds) | is_low_count(bottom - top, thresholds))


def level_allowed(level: str, denominators: pd.Series, thresholds: Disclosure) -> bool:
    """Whether figures may be published at this level (rule 4). `denominators` holds each group's
    denominator that quarter (teams with none left out by the caller). Worker level never is."""
    if level not in LEVELS:
        raise DisclosureError(f"unknown level {level!r}")
    if level == "service":
        return True
    if level == "worker":
        return False
    counts = pd.to_numeric(denominators, errors="coerce").to_numpy(dtype="float64")
    return bool(len(counts)) and bool((counts >= thresholds.team_min_denominator).all())


def _relations(frame: pd.DataFrame, rules: TableRules) -> list[tuple[tuple[int, str], list[tuple[int, str]]]]:
    """Every published equation total = sum(parts), as (total cell, part cells)."""
    relations = []
    rows = range(len(frame))
    for total, parts in rules.totals.items():
        for row in rows:
            relations.append(((row, total), [(row, part) for part in parts]))
    if rules.total_row and len(frame) > 1:
        last = len(frame) - 1
        for column in rules.counts:
            relations.append(((last, column), [(row, column) for row in range(last)]))
    return relations


def suppress(
    frame: pd.DataFrame,
    rules: TableRules,
    thresholds: Disclosure,
    *,
    title: str,
    label_column: str,
    published: tuple[str, ...],
    headings: Mapping[str, str] | None = None,
) -> SafeTable:
    """Apply rules 1-3 to `frame` (raw figures, one row per group) and keep the `published` columns.

    Only published cells are suppressed or counted in a total (an unpublished cell reveals nothing),
    but unpublished counts still decide whether a published percentage may be shown.
    """
    frame = frame.reset_index(drop=True)
    columns = list(frame.columns)
    hidden = pd.DataFrame(False, index=frame.index, columns=columns)
    reasons: dict[tuple[int, str], str] = {}
    is_published = set(published)
    low_words = f"1-{thresholds.low_count_max}"

    def hide(row: int, column: str, reason: str) -> bool:
        if column not in is_published or hidden.at[row, column]:
            return False
        hidden.at[row, column] = True
        reasons[(row, column)] = reason
        return True

    for column in rules.counts:
        for row in np.flatnonzero(is_low_count(frame[column].to_numpy(), thresholds)):
            hide(int(row), column, PRIMARY_COUNT.format(low=low_words))
    for column, rate in rules.rates.items():
        unsafe = rate_is_unsafe(
            frame[rate.numerator].to_numpy(), frame[rate.denominator].to_numpy(), thresholds
        )
        for row in np.flatnonzero(unsafe):
            hide(int(row), column, PRIMARY_RATE.format(minimum=thresholds.min_denominator, low=low_words))
            for count in (rate.numerator, rate.remainder):
                if count is not None:
                    hide(int(row), count, RATE_COUNTS)

    relations = [
        (total, parts)
        for total, parts in _relations(frame, rules)
        if total[1] in is_published and all(part[1] in is_published for part in parts)
    ]
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if sum(bool(hidden.at[cell]) for cell in cells) != 1:
                continue
            shown = [part for part in parts if not hidden.at[part]]
            non_zero = [part for part in shown if _number(frame.at[part]) > 0]
            if non_zero:
                choice = min(non_zero, key=lambda part: (_number(frame.at[part]), parts.index(part)))
            elif not hidden.at[total]:
                choice = total
            else:
                choice = shown[0]
            changed |= hide(choice[0], choice[1], SECONDARY)
        for column, rate in rules.rates.items():
            for row in range(len(frame)):
                if any(_hidden(hidden, row, name) for name in (rate.numerator, rate.denominator)):
                    changed |= hide(row, column, DERIVED)
        for column, sources in rules.derived.items():
            for row in range(len(frame)):
                if any(_hidden(hidden, row, name) for name in sources):
                    changed |= hide(row, column, DERIVED)

    values = frame[list(published)].astype(object)
    mask = hidden[list(published)]
    values = values.mask(mask.to_numpy(), SUPPRESSED)
    labels = frame[label_column].astype(str)
    cells = tuple(
        SuppressedCell(labels.iloc[row], column, reason)
        for (row, column), reason in sorted(
            reasons.items(), key=lambda item: (item[0][0], columns.index(item[0][1]))
        )
    )
    return SafeTable(title, values, mask, cells, rules, thresholds, label_column, frame, dict(headings or {}))


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if np.isnan(number) else number


def _hidden(hidden: pd.DataFrame, row: int, column: str) -> bool:
    return column in hidden.columns and bool(hidden.at[row, column])


def verify(table: SafeTable) -> None:
    """Check a published table against the rules from its raw figures; DisclosureError if any cell is
    unsafe. Independent of how `suppress` chose its cells, so a table built or edited any other way is
    caught too."""
    raw, values, thresholds, rules = table.raw, table.values, table.thresholds, table.rules
    shown = ~values.isin([SUPPRESSED]).to_numpy()
    shown_frame = pd.DataFrame(shown, columns=values.columns)

    def fail(row: int, column: str, why: str) -> None:
        label = raw[table.label_column].astype(str).iloc[row]
        raise DisclosureError(f"{table.title}: '{column}' for {label} would be published although {why}")

    for column in rules.counts:
        if column in values.columns:
            for row in np.flatnonzero(is_low_count(raw[column].to_numpy(), thresholds) & shown_frame[column]):
                fail(int(row), column, f"it is a count from 1 to {thresholds.low_count_max}")
    for column, rate in rules.rates.items():
        if column not in values.columns:
            continue
        unsafe = rate_is_unsafe(raw[rate.numerator].to_numpy(), raw[rate.denominator].to_numpy(), thresholds)
        for row in np.flatnonzero(unsafe & shown_frame[column].to_numpy()):
            fail(int(row), column, "its group is small or its numerator or remainder is a low count")
        for row in np.flatnonzero(unsafe):
            both = [name for name in (rate.numerator, rate.remainder) if name in values.columns]
            counts_shown = bool(both) and all(shown_frame.at[row, name] for name in both)
            if counts_shown and rate.denominator in values.columns and shown_frame.at[row, rate.denominator]:
                fail(int(row), rate.numerator, "its suppressed percentage could be worked out from it")
    for (row, total), parts in _relations(raw, rules):
        cells = [(row, total), *parts]
        if not all(cell[1] in values.columns for cell in cells):
            continue
        if sum(not shown_frame.at[cell] for cell in cells) == 1:
            hidden_cell = next(cell for cell in cells if not shown_frame.at[cell])
            fail(hidden_cell[0], hidden_cell[1], "it could be worked out from its total")
    for column, sources in {
        **rules.derived,
        **{name: (rate.numerator, rate.denominator) for name, rate in rules.rates.items()},
    }.items():
        if column not in values.columns:
            continue
        for source in sources:
            if source in values.columns:
                rows = np.flatnonzero(~shown_frame[source].to_numpy() & shown_frame[column].to_numpy())
                for row in rows:
                    fail(int(row), column, f"it would reveal the suppressed '{source}'")
