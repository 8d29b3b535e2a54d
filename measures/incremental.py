"""Record statuses brought up to date after uploads, from the changed records only (issue 12).

An upload of 1,000 changed orders into a store of 1.2 million records used to mean working out all 4.7
million statuses again (about 1.5 s of processor time) before anyone saw the overview. Statuses of one
record depend only on that record, the settings, the as-at date and the working calendar, so the rows of
the records the uploads did not touch stay as they were; only the written records are worked out and
put in place. Three things are shared between records and are worked out again exactly:
- the categories of the grouping columns (team, worker, ...): which spelling groups exist, the order of
  their first appearance and the spelling each is shown under, counted from the earlier records' codes
  (`WrittenRecords.base_spellings`) less those rewritten, plus the written ones;
- the quarter labels, a contiguous range from the earliest quarter to the latest;
- the working calendar, which spans the data's years: when a written record reaches a year outside the
  years the earlier statuses span, the full computation is left to the caller.

The result is the frame `record_statuses` gives for the new records (same rows in the same order, same
categories in the same order, same dtypes); `updated_statuses` returns None wherever it cannot be sure of
that cheaply, and the caller works the statuses out whole.

A new extract usually brings a newer data date, and with it the as-at date pages open with, so the
earlier statuses are first moved to the new as-at date (`redated_statuses`): a status depends on that date
in one way only, a timescale record with nothing recorded being missed once the date is past its due date.

Both hand back the rows they took out and put in (`StatusChange`, from `updated_change` and
`redated_change`), so what was counted over the earlier statuses follows from those few rows too
(measures.counts.updated_counts). Columns no written row changed are the earlier frame's own, shared
and not copied, like every cached frame of statuses they are read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd

from loaders.schema import TEXT_DTYPE, frame_from_arrays
from measures.categories import canonical_spellings, category_key
from measures.definitions import MEASURES
from measures.quarters import parse_quarter, quarters_between
from measures.settings import Settings
from measures.statuses import _DATE_COLUMNS, GROUPING_COLUMNS, STATUS_COLUMNS, TEXT_COLUMNS, record_statuses

_DATASET_ORDER = tuple(dict.fromkeys(measure.dataset for measure in MEASURES))
_FIXED_CATEGORIES = ("measure", "status")
_MEASURE_CODES = {
    name: [code for code, measure in enumerate(MEASURES) if measure.dataset == name]
    for name in _DATASET_ORDER
}
_NOWHERE = -2  # a code for a category the new categories lack
_NAT = np.iinfo("int64").min  # NaT as int64 nanoseconds


class WrittenRecords(Protocol):
    """One dataset's change since the earlier statuses (store.WrittenSince has this shape)."""

    @property
    def written(self) -> pd.DataFrame: ...  # records written since, as stored now, record_id order

    @property
    def base_ids(self) -> np.ndarray: ...  # the earlier records' ids, ascending

    @property
    def base_spellings(self) -> dict[str, tuple[np.ndarray, np.ndarray]]: ...  # column -> (codes, spellings)


class StatusChange(NamedTuple):
    """Statuses brought up to date, and the rows by which they differ from the earlier ones: `removed`,
    rows of the earlier statuses as they were, and `added`, rows of the new. Whatever was counted over the
    earlier statuses is brought up to date by taking the one out and putting the other in
    (measures.counts.updated_counts), without a pass over millions of rows."""

    statuses: pd.DataFrame
    removed: tuple[pd.DataFrame, ...] = ()
    added: tuple[pd.DataFrame, ...] = ()

    def then(self, later: StatusChange) -> StatusChange:
        """This change followed by `later`, a change of this one's statuses."""
        return StatusChange(later.statuses, self.removed + later.removed, self.added + later.added)


def updated_statuses(
    old: pd.DataFrame, changes: Mapping[str, WrittenRecords], settings: Settings, as_at: date
) -> pd.DataFrame | None:
    """`old` (record_statuses of the earlier records with these settings and as-at date) with the
    written records' statuses put in place; None when exactness cannot be guaranteed cheaply.

    `changes` names every dataset; records only ever change by uploads between the two versions (the
    caller checks: an undo deletes records, which this cannot see).
    """
    change = updated_change(old, changes, settings, as_at)
    return None if change is None else change.statuses


def updated_change(
    old: pd.DataFrame, changes: Mapping[str, WrittenRecords], settings: Settings, as_at: date
) -> StatusChange | None:
    """updated_statuses, with the rows it took out of `old` and put in (StatusChange)."""
    text_columns = tuple(column for column in TEXT_COLUMNS if column in old.columns)
    expected = [column for column in STATUS_COLUMNS if column not in TEXT_COLUMNS or column in text_columns]
    if list(old.columns) != expected or old.empty or set(_DATASET_ORDER) - set(changes):
        return None
    written = {name: _by_record_id(changes[name].written) for name in _DATASET_ORDER}
    if all(frame.empty for frame in written.values()):
        return StatusChange(old)
    if not _within_calendar_years(old, written):
        return None
    # The grouping columns' codes are put in from the written values (_written_codes): the part's own
    # categories, chosen by counts over the written records alone, would only be thrown away.
    named = tuple(column for column in text_columns if column not in GROUPING_COLUMNS)
    layout = _layout(old, written, record_statuses(written, settings, as_at, text_columns=named))
    if layout is None:
        return None
    columns: dict[str, object] = {}
    for column in old.columns:
        values = _spliced(column, old[column], layout, changes, written)
        if values is None:
            return None
        columns[column] = values
    statuses = frame_from_arrays(columns, copy=False)
    return StatusChange(statuses, (old.take(layout.gone),), (statuses.take(layout.new_at),))


_TIMESCALE_CODES = np.array([code for code, measure in enumerate(MEASURES) if measure.kind == "timescale"])


def redated_change(old: pd.DataFrame, old_as_at: date, as_at: date) -> StatusChange | None:
    """redated_statuses, with the rows whose status it changed as they were and as they are now."""
    moved = redated_statuses(old, old_as_at, as_at)
    if moved is None or moved is old:
        return None if moved is None else StatusChange(old)
    rows = np.flatnonzero(np.asarray(old["status"].cat.codes) != np.asarray(moved["status"].cat.codes))
    return StatusChange(moved, (old.take(rows),), (moved.take(rows),))


def redated_statuses(old: pd.DataFrame, old_as_at: date, as_at: date) -> pd.DataFrame | None:
    """`old` (record_statuses as at `old_as_at`) as record_statuses gives it as at `as_at`; None when `old`
    is not in the shape record_statuses gives.

    The as-at date enters a status in one place (measures.statuses._timescale_part): a timescale record
    whose "to" date is blank, neither excluded nor invalid, is missed when the as-at date is after its due
    date and pending until then (the working calendar spans the data's own dates, not the as-at date).
    So only those rows' status is set again; every other column is shared with `old`, not copied. Of
    the columns, only measure, status, to_date and due_date are read: a caller may pass only those it
    loaded, with the others it needs.
    """
    if old_as_at == as_at:
        return old
    needed = {"measure", "status", "to_date", "due_date"}
    if not needed <= set(old.columns) or list(old["measure"].cat.categories) != [m.id for m in MEASURES]:
        return None
    status = old["status"].cat
    pending, missed = list(status.categories).index("pending"), list(status.categories).index("missed")
    codes = np.asarray(status.codes)
    open_now = (
        np.isin(np.asarray(old["measure"].cat.codes), _TIMESCALE_CODES)
        & ((codes == pending) | (codes == missed))
        & np.isnat(old["to_date"].to_numpy())
    )
    due = old["due_date"].to_numpy()[open_now]
    redated = codes.copy()
    redated[open_now] = np.where(due < np.datetime64(as_at, "ns"), missed, pending)
    result = old.copy(deep=False)
    result["status"] = pd.Categorical.from_codes(
        redated, categories=status.categories, ordered=status.ordered
    )
    return result


def _by_record_id(frame: pd.DataFrame) -> pd.DataFrame:
    ids = frame["record_id"].to_numpy()
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        frame = frame.sort_values("record_id", kind="stable").reset_index(drop=True)
    return frame


def _within_calendar_years(old: pd.DataFrame, written: dict[str, pd.DataFrame]) -> bool:
    """Whether every written date falls in the years the earlier statuses' from dates span: the working
    calendar spans the data's years, so a new year could change it. The from dates are the data's own,
    so this is narrower than the calendar's span (it errs towards a full computation)."""
    starts = old["from_date"].to_numpy(dtype="datetime64[ns]").view("int64")  # integer passes: faster
    if len(starts) == 0 or int(starts.min()) == _NAT:  # every status row has a from date
        return False
    first, last = pd.Timestamp(int(starts.min())).year, pd.Timestamp(int(starts.max())).year
    for name, frame in written.items():
        for column in _DATE_COLUMNS[name]:
            dates = frame.get(column)
            if dates is None or dates.isna().all():
                continue
            if not first <= dates.min().year <= dates.max().year <= last:
                return False
    return True


class _Layout(NamedTuple):
    """Where every row of the result comes from: old's rows at `take`, except at positions `new_at`,
    which hold the part's (the written records' statuses) rows `new_rows`; old's rows `gone` are left out.
    `take` is None where the result's rows are old's in place, the new ones exactly where the gone ones
    were (rewritten records keeping their measures: the usual upload of corrected extracts), so a column
    can be old's own with a few values set."""

    part: pd.DataFrame
    take: np.ndarray | None
    new_at: np.ndarray
    new_rows: np.ndarray
    gone: np.ndarray


def _layout(old: pd.DataFrame, written: dict[str, pd.DataFrame], part: pd.DataFrame) -> _Layout | None:
    """The result's layout (_Layout), or None when old's rows are not in the order record_statuses gives.

    Old rows are in MEASURES order and, within a measure, in record_id order (the dataset's order);
    a written record's old rows go and its new rows go where its record id sorts.
    """
    measure_ids = [measure.id for measure in MEASURES]
    if (
        list(old["measure"].cat.categories) != measure_ids
        or list(part["measure"].cat.categories) != measure_ids
    ):
        return None
    codes = np.asarray(old["measure"].cat.codes)
    ids = old["record_id"].to_numpy()
    part_codes = np.asarray(part["measure"].cat.codes)
    part_ids = part["record_id"].to_numpy()
    starts = np.searchsorted(codes, np.arange(len(MEASURES) + 1, dtype=codes.dtype))  # no cast of codes
    if (codes[1:] < codes[:-1]).any() or (codes < 0).any():
        return None
    rising = ids[1:] > ids[:-1]
    rising[starts[1:-1][(starts[1:-1] > 0) & (starts[1:-1] < len(ids))] - 1] = True  # block boundaries
    if not rising.all():
        return None
    removed, inserted = [], []
    for code, measure in enumerate(MEASURES):
        start, end = starts[code], starts[code + 1]
        block = ids[start:end]
        changed = written[measure.dataset]["record_id"].to_numpy()
        found = np.searchsorted(block, changed)
        hit = found < len(block)
        hit[hit] = block[found[hit]] == changed[hit]
        removed.append(start + found[hit])
        new_ids = part_ids[part_codes == code]
        inserted.append(start + np.searchsorted(block, new_ids))
    gone = np.concatenate(removed)
    at = np.concatenate(inserted)
    if len(at) != len(part):
        return None
    if np.array_equal(gone, at):
        # Each new row goes where the gone row of the same place was: rows stay in record-id order.
        new_rows = np.concatenate([np.flatnonzero(part_codes == code) for code in range(len(MEASURES))])
        return _Layout(part, None, gone, new_rows, gone)
    kept = np.ones(len(old), dtype=bool)
    kept[gone] = False
    source = np.insert(np.flatnonzero(kept), at - np.searchsorted(np.sort(gone), at), -1 - np.arange(len(at)))
    new_at = np.flatnonzero(source < 0)
    new_rows = -1 - source[new_at]
    source[new_at] = 0
    return _Layout(part, source, new_at, new_rows, gone)


def _spliced(
    column: str,
    old: pd.Series,
    layout: _Layout,
    changes: Mapping[str, WrittenRecords],
    written: dict[str, pd.DataFrame],
) -> object | None:
    """One column of the result, or None when its values cannot be made exactly."""
    if column in GROUPING_COLUMNS and isinstance(old.dtype, pd.CategoricalDtype):
        unchanged = _same_spellings(column, changes, written)
        target = old.cat.categories if unchanged else _grouping_categories(column, changes, written)
        return _categorical(
            old, target, layout, _written_codes(column, target, layout.part, written)[layout.new_rows]
        )
    if column not in layout.part:
        return None
    new = layout.part[column]
    if isinstance(old.dtype, pd.CategoricalDtype):
        if column in _FIXED_CATEGORIES:
            target = old.cat.categories
            if not target.equals(new.cat.categories):
                return None
        elif column == "quarter":
            target = _quarter_categories(old, new, layout.gone)
        else:
            return None  # categories this module does not know how to derive
        return _categorical(old, target, layout, _codes_in(new, target, layout.new_rows))
    if new.dtype != old.dtype and len(new):
        return None
    put = new.array.take(layout.new_rows)
    if layout.take is None:
        if old.array.take(layout.new_at).equals(put):
            values = old.array  # every value as it was: shared, not copied
        else:
            values = old.array.copy()
            values[layout.new_at] = put
    else:
        values = old.array.take(layout.take)  # a new array: numpy or extension, any dtype
        if len(layout.new_at):
            values[layout.new_at] = put
    return values.to_numpy() if isinstance(values, pd.arrays.NumpyExtensionArray) else values


def _categorical(old: pd.Series, target: pd.Index, layout: _Layout, put: np.ndarray) -> object | None:
    """A categorical column of the result over `target`: old's values where the layout keeps them, the
    codes `put` at the new rows; None when a value has no place in `target`. Old's own array when the
    layout keeps old's rows in place, the categories the same and no value differs (shared, not copied)."""
    if layout.take is None and old.cat.categories.equals(target):
        codes = np.asarray(old.cat.codes)
        if np.array_equal(codes[layout.new_at], put):
            shared: object = old.array
            return shared
        codes = codes.copy()
    else:
        codes = _codes_in(old, target, layout.take)
    codes[layout.new_at] = put
    if (codes == _NOWHERE).any():
        return None
    return pd.Categorical.from_codes(codes, categories=target, ordered=old.cat.ordered)


def _codes_in(values: pd.Series, target: pd.Index, rows: np.ndarray | None) -> np.ndarray:
    """The categorical's codes at `rows` (None: all, in order) as positions in `target` (the same value,
    or for a grouping column the same key), a new array; _NOWHERE for a category `target` lacks."""
    categories = values.cat.categories
    own = np.asarray(values.cat.codes)
    codes = own.copy() if rows is None else own.take(rows)
    if categories.equals(target):
        return codes
    if values.name in GROUPING_COLUMNS:
        places = {category_key(str(name)): place for place, name in enumerate(target)}
        mapping = np.array(
            [places.get(category_key(str(name)), _NOWHERE) for name in categories], dtype="int64"
        )
    else:
        mapping = target.get_indexer(categories).astype("int64")
        mapping[mapping < 0] = _NOWHERE
    remapped: np.ndarray = np.append(mapping, -1)[codes]  # code -1 (blank) picks the trailing -1
    return remapped


def _written_codes(
    column: str, target: pd.Index, part: pd.DataFrame, written: dict[str, pd.DataFrame]
) -> np.ndarray:
    """For each row of the part, the position in `target` of its record's group (by key), -1 blank."""
    places = {category_key(str(name)): place for place, name in enumerate(target)}
    measure_codes = np.asarray(part["measure"].cat.codes)
    part_ids = part["record_id"].to_numpy()
    codes = np.full(len(part), -1, dtype="int64")
    for name in _DATASET_ORDER:
        frame = written[name]
        if frame.empty or column not in frame:
            continue  # a dataset without the column: blank, as record_statuses has it
        rows = np.flatnonzero(np.isin(measure_codes, _MEASURE_CODES[name]))
        found, spellings = pd.factorize(frame[column].to_numpy(dtype=object))  # None -> -1
        keys = [category_key(str(spelling)) for spelling in spellings]
        mapped = np.array([*(places.get(key, _NOWHERE) for key in keys), -1], dtype="int64")
        codes[rows] = mapped[found[np.searchsorted(frame["record_id"].to_numpy(), part_ids[rows])]]
    return codes


def _quarter_categories(old: pd.Series, new: pd.Series, gone: np.ndarray) -> pd.Index:
    """Every quarter label from the result's earliest quarter to its latest, as record_statuses makes
    them (rows that were replaced may have held the only records of an end quarter)."""
    codes = np.asarray(old.cat.codes)
    categories = old.cat.categories
    gone_codes = codes[gone]
    ends = {0, len(categories) - 1}
    if len(categories) and all(
        np.count_nonzero(codes == end) > np.count_nonzero(gone_codes == end) for end in ends
    ):
        # Rows remain in both end quarters: the range is old's, widened only by a new label beyond it.
        added = [label for label in map(str, new.dropna().unique()) if label not in categories]
        if not added:
            return categories
        labels = [str(categories[0]), str(categories[-1]), *added]
        starts = sorted(parse_quarter(label) for label in labels)
        return pd.Index(quarters_between(starts[0], starts[-1]), dtype=TEXT_DTYPE)
    size = len(categories) + 1
    used = np.bincount(codes + 1, minlength=size) - np.bincount(codes[gone] + 1, minlength=size) > 0
    labels = [*map(str, old.cat.categories[used[1:]]), *map(str, new.dropna().unique())]
    if not labels:
        return pd.Index([], dtype=TEXT_DTYPE)
    starts = sorted(parse_quarter(label) for label in set(labels))
    return pd.Index(quarters_between(starts[0], starts[-1]), dtype=TEXT_DTYPE)


def _same_spellings(
    column: str, changes: Mapping[str, WrittenRecords], written: dict[str, pd.DataFrame]
) -> bool:
    """Whether every written record is an earlier record spelling this column exactly as before: then
    every spelling has the same records and first appearance, so the categories are the earlier ones."""
    for name in _DATASET_ORDER:
        frame, change = written[name], changes[name]
        if frame.empty:
            continue
        rewritten = _rewritten(change, frame)
        if len(rewritten) != len(frame):
            return False  # new records
        if column not in change.base_spellings:
            if column in frame and frame[column].notna().any():
                return False
            continue
        codes, names = change.base_spellings[column]
        spellings = np.append(np.asarray(names, dtype=object), np.array([None], dtype=object))
        before = spellings[np.asarray(codes)[rewritten]]  # code -1 (blank) picks the trailing None
        now = frame[column].to_numpy(dtype=object) if column in frame else np.full(len(frame), None)
        if not np.asarray(before == now, dtype=bool).all():
            return False
    return True


def _grouping_categories(
    column: str, changes: Mapping[str, WrittenRecords], written: dict[str, pd.DataFrame]
) -> pd.Index:
    """The categories record_statuses would give the column for the records as they are now.

    Every spelling is counted over all datasets and placed by its first appearance (datasets in measure
    order, records by id): the earlier records' codes less the rewritten records, plus the written ones.
    """
    found = [
        frame
        for order, name in enumerate(_DATASET_ORDER)
        if len(frame := _spellings_now(order, changes[name], written[name], column))
    ]
    if not found:
        return pd.Index([], dtype=TEXT_DTYPE)
    table = pd.concat(found, ignore_index=True)
    table = table.sort_values(["dataset", "first"], kind="stable")
    counts = table.groupby("spelling", sort=False)["count"].sum()
    spellings = counts.index.to_numpy(dtype=object)  # in order of first appearance
    canonical = canonical_spellings(spellings, counts.to_numpy(dtype=np.int64))
    return pd.Index(pd.unique(canonical), dtype=TEXT_DTYPE)


def _rewritten(change: WrittenRecords, written: pd.DataFrame) -> np.ndarray:
    """Positions in the earlier records of the records written since."""
    ids = written["record_id"].to_numpy()
    found = np.searchsorted(change.base_ids, ids)
    hit = found < len(change.base_ids)
    hit[hit] = change.base_ids[found[hit]] == ids[hit]
    return found[hit]


def _spellings_now(order: int, change: WrittenRecords, written: pd.DataFrame, column: str) -> pd.DataFrame:
    """One dataset's spellings of a column now: spelling, records using it, the record id of its first
    appearance, and the dataset's place in measure order."""
    frames = []
    if column in change.base_spellings:
        codes, names = change.base_spellings[column]
        codes = np.array(codes, dtype="int64")  # a copy: the rewritten records no longer count
        codes[_rewritten(change, written)] = -1
        counts = np.bincount(codes + 1, minlength=len(names) + 1)[1:]
        used = np.flatnonzero(codes >= 0)
        first = np.full(len(names), len(codes), dtype="int64")
        np.minimum.at(first, codes[used], used)
        alive = counts > 0
        frames.append(
            pd.DataFrame(
                {
                    "spelling": pd.Series(names[alive], dtype=object),
                    "count": counts[alive],
                    "first": change.base_ids[first[alive]],
                }
            )
        )
    if column in written and len(written):
        values = written[column]
        filled = values.notna().to_numpy()
        if filled.any():
            frames.append(
                pd.DataFrame(
                    {
                        "spelling": pd.Series(values.to_numpy(dtype=object)[filled], dtype=object),
                        "count": 1,
                        "first": written["record_id"].to_numpy()[filled],
                    }
                )
            )
    if not frames:
        return pd.DataFrame({"spelling": pd.Series(dtype=object), "count": [], "first": [], "dataset": []})
    table = pd.concat(frames, ignore_index=True)
    grouped = table.groupby("spelling", sort=False).agg(count=("count", "sum"), first=("first", "min"))
    grouped = grouped.reset_index()
    grouped["dataset"] = order
    return grouped
