"""One status per measure and applicable record, as at a report date (SPEC 3.2, 3.3).

Everything is computed column-wise with numpy: the only Python loops run over the ten measures and
the three datasets, never over records. The result is the "cases behind every figure" table that
`quarterly_compliance` counts and the pages and exports show.

Decisions beyond SPEC, written down here:
- A record whose "from" date is blank is not applicable (it cannot have a due date). For
  review_recorded and the review proportion measures that is SPEC's "review held"; for the other
  measures the from date is a required column, so it only drops rows a loader would have rejected.
- Statuses follow SPEC literally: a "to" date on or before the due date is met even when it falls
  after the report date A; A only decides between missed and pending for a blank "to" date.
- days_taken for working-day rules is numpy `busday_count` between the from and to dates, each rolled
  forward to a working day, so days_taken <= N exactly when the record is met (a Sunday contact after
  a Saturday order is 0); it is negative when the to date comes first (an invalid record, or a review
  held early). Other rules count calendar days.
- `measure` and `status` are pandas categoricals (categories in MEASURES and STATUSES order), and so
  are the grouping columns (team, worker, order type, LS/CMI version, risk level): they compare equal to
  their strings and keep a table of millions of rows small and quick to build and group. Their
  categories are object (TEXT_DTYPE), not pandas 3's str: taking rows out as objects (the worklist,
  cut-outs by team) is then a numpy take, about ten times quicker than materialising Arrow strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from loaders.schedule import add_months
from loaders.schema import DATASETS, TEXT_DTYPE, frame_from_arrays
from measures.applicability import REQUIREMENT_PATTERNS, requirement_applies
from measures.calendar import WorkingCalendar, as_days, as_timestamps, working_calendar
from measures.categories import canonical_spellings
from measures.definitions import GOOD_GRADE, MEASURE_IDS, MEASURES, STATUSES, MeasureDef
from measures.quarters import quarter_labels_and_starts
from measures.settings import DEFAULT_RULES, Rule, Settings

# Columns a manager breaks figures down by: returned as categoricals (few distinct values, many rows).
GROUPING_COLUMNS: tuple[str, ...] = ("team", "worker", "order_type", "lscmi_version", "risk_level")
TEXT_COLUMNS: tuple[str, ...] = ("case_ref", *GROUPING_COLUMNS)
STATUS_COLUMNS: tuple[str, ...] = (
    "measure",
    "record_id",
    *TEXT_COLUMNS,
    "from_date",
    "to_date",
    "due_date",
    "status",
    "days_taken",
    "quarter",
    "quarter_start",
    "grade",
)
_DATE_COLUMNS = {
    "orders": ("order_date", "first_contact", "induction", "upw_start", "lscmi_completed", "cmp_completed"),
    "reviews": ("review_due", "review_held", "recorded"),
    "audits": ("audit_date",),
}
_CODE = {status: code for code, status in enumerate(STATUSES)}
_NAT = np.datetime64("NaT", "D")


@dataclass
class _Dataset:
    """One dataset's columns as numpy arrays, converted once and shared by its measures."""

    frame: pd.DataFrame
    record_ids: np.ndarray
    dates: dict[str, np.ndarray]
    excluded: np.ndarray

    def text(self, column: str) -> np.ndarray:
        if column not in self.frame:
            return np.full(len(self.frame), None, dtype=object)
        series = self.frame[column]
        if series.dtype != object:  # an all-blank column read back as float NaN
            series = series.astype(object).where(series.notna(), None)
        return series.to_numpy(dtype=object)


@dataclass
class _Part:
    """The rows one measure contributes, before they are stacked into the result."""

    measure_code: int
    rows: np.ndarray  # positions in the dataset's frame
    from_date: np.ndarray
    to_date: np.ndarray
    due_date: np.ndarray
    status: np.ndarray  # int8 codes into STATUSES
    days_taken: np.ndarray  # int64, meaningless where days_blank
    days_blank: np.ndarray
    quarter_date: np.ndarray  # the date whose quarter the record counts in
    grade: np.ndarray  # int64, meaningless where grade_blank
    grade_blank: np.ndarray


def record_statuses(
    frames: dict[str, pd.DataFrame],
    settings: Settings,
    as_at: date | None = None,
    *,
    text_columns: tuple[str, ...] = TEXT_COLUMNS,
) -> pd.DataFrame:
    """One row per (measure, applicable record) with its due date, status as at `as_at` and quarter.

    `frames` maps dataset name to a frame as `store.read_dataset` returns it (canonical columns and
    record_id); a dataset may be missing or empty and optional columns may be absent or blank.
    `as_at` defaults to today. Columns: STATUS_COLUMNS, less the TEXT_COLUMNS not in `text_columns`:
    copying case references and names onto millions of rows is most of the cost, and a report that
    only counts needs none of them.
    """
    report_day = np.datetime64(as_at or date.today(), "D")
    datasets = {name: _prepare(name, frame) for name, frame in frames.items() if name in _DATE_COLUMNS}
    datasets = {name: data for name, data in datasets.items() if len(data.record_ids)}
    calendar = _calendar_for(datasets, settings, report_day)
    parts: list[tuple[_Dataset, _Part]] = []
    for code, measure in enumerate(MEASURES):
        data = datasets.get(measure.dataset)
        if data is None:
            continue
        if measure.kind == "timescale":
            rule = settings.rules.get(measure.id, DEFAULT_RULES[measure.id])
            part = _timescale_part(code, measure, data, rule, calendar, report_day)
        else:
            part = _proportion_part(code, measure, data)
        parts.append((data, part))
    return _assemble(parts, text_columns)


def columns_read(dataset: str, text_columns: tuple[str, ...] = TEXT_COLUMNS) -> tuple[str, ...]:
    """The columns of a dataset's frame that record_statuses reads with these text columns: a caller
    that reads the store may fetch only these (a column left out would count as blank, not as absent)."""
    judged = [m.to_column for m in MEASURES if m.dataset == dataset and m.kind == "proportion"]
    wanted = {*_DATE_COLUMNS.get(dataset, ()), "exclusion_reason", "requirements", *judged, *text_columns}
    return ("record_id", *(name for name in DATASETS[dataset].column_names if name in wanted))


def _prepare(name: str, frame: pd.DataFrame) -> _Dataset:
    length = len(frame)
    record_ids = (frame["record_id"] if "record_id" in frame else pd.Series(frame.index)).to_numpy(
        dtype="int64"
    )
    dates = {
        column: as_days(frame[column]) if column in frame else np.full(length, _NAT)
        for column in _DATE_COLUMNS[name]
    }
    excluded = np.zeros(length, dtype=bool)
    if "exclusion_reason" in frame:
        reasons = frame["exclusion_reason"]
        filled = reasons.notna().to_numpy()
        excluded[filled] = reasons[filled].astype(str).str.strip().ne("").to_numpy()
    return _Dataset(frame, record_ids, dates, excluded)


def _calendar_for(
    datasets: dict[str, _Dataset], settings: Settings, report_day: np.datetime64
) -> WorkingCalendar:
    """The working calendar spanning every date in the data, a year either side (the report date only
    when the data has no dates).

    The far end also allows for the longest working-day rule, whose due dates run past the data. The
    report date is left out on purpose: then a status depends on it only through "missed once past its
    due date", and statuses worked out for one date can be moved to another cheaply and exactly
    (measures.incremental.redated_statuses), for the command line's report as for the dashboard.
    """
    bounds: list[np.datetime64] = []
    for data in datasets.values():
        for days in data.dates.values():
            known = days[~np.isnat(days)]
            if len(known):
                bounds.extend((known.min(), known.max()))
    if not bounds:
        bounds = [report_day]
    years = np.array(bounds, dtype="datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
    longest = max((rule.number for rule in settings.rules.values() if rule.unit == "working_days"), default=0)
    return working_calendar(
        settings.local_holidays, int(years.min()) - 1, int(years.max()) + 1 + longest // 200
    )


def _timescale_part(
    code: int,
    measure: MeasureDef,
    data: _Dataset,
    rule: Rule,
    calendar: WorkingCalendar,
    report_day: np.datetime64,
) -> _Part:
    applies = ~np.isnat(data.dates[measure.from_column])
    pattern = REQUIREMENT_PATTERNS.get(measure.id)
    if pattern is not None:
        requirements = data.frame.get("requirements")
        applies &= requirement_applies(requirements, pattern, len(applies))
    rows = np.flatnonzero(applies)
    start = data.dates[measure.from_column][rows]
    finish = data.dates[measure.to_column][rows]
    due = _due_dates(start, rule, calendar)
    blank = np.isnat(finish)
    invalid = np.zeros(len(rows), dtype=bool) if measure.early_is_met else finish < start
    status = np.select(
        [data.excluded[rows], invalid, finish <= due, (finish > due) | (blank & (report_day > due))],
        [_CODE["excluded"], _CODE["invalid"], _CODE["met"], _CODE["missed"]],
        default=_CODE["pending"],
    ).astype("int8")
    if rule.unit == "working_days":
        days_taken = calendar.working_days_between(start, finish).to_numpy("int64", na_value=0)
    else:
        days_taken = (finish - start).astype("int64")
    no_grade = np.ones(len(rows), dtype=bool)
    return _Part(
        code, rows, start, finish, due, status, days_taken, blank, due, np.zeros(len(rows), "int64"), no_grade
    )


def _due_dates(start: np.ndarray, rule: Rule, calendar: WorkingCalendar) -> np.ndarray:
    if rule.unit == "working_days":
        return calendar.add_working_days(start, rule.number)
    if rule.unit == "calendar_months":
        return (
            add_months(pd.Series(start.astype("datetime64[ns]")), rule.number)
            .to_numpy()
            .astype("datetime64[D]")
        )
    days = rule.number * 7 if rule.unit == "weeks" else rule.number
    return start + np.timedelta64(days, "D")


def _proportion_part(code: int, measure: MeasureDef, data: _Dataset) -> _Part:
    rows = np.flatnonzero(~np.isnat(data.dates[measure.from_column]))
    count = len(rows)
    judged = data.frame.get(measure.to_column, pd.Series(pd.NA, index=data.frame.index))
    if measure.to_column == "grade":
        grades = judged.astype("Int64").array[rows]
        grade, grade_blank = grades.to_numpy("int64", na_value=0), np.asarray(grades.isna())
        met = ~grade_blank & (grade >= GOOD_GRADE)  # a blank grade is no evidence of Good
        excluded = np.zeros(count, dtype=bool)  # audits have no exclusion reason
    else:
        met = judged.astype("boolean").to_numpy(dtype=bool, na_value=False)[rows]  # blank = not evidenced
        grade, grade_blank = np.zeros(count, "int64"), np.ones(count, dtype=bool)
        excluded = data.excluded[rows]
    status = np.select([excluded, met], [_CODE["excluded"], _CODE["met"]], default=_CODE["missed"])
    when = data.dates[measure.from_column][rows]
    no_dates = np.full(count, _NAT)
    no_days = np.zeros(count, "int64"), np.ones(count, dtype=bool)
    return _Part(
        code, rows, when, no_dates, no_dates, status.astype("int8"), *no_days, when, grade, grade_blank
    )


def _assemble(parts: list[tuple[_Dataset, _Part]], text_columns: tuple[str, ...]) -> pd.DataFrame:
    """Stack the measures' parts into one frame with the documented columns and dtypes."""
    if not parts:
        return _empty()[
            [column for column in STATUS_COLUMNS if column not in TEXT_COLUMNS or column in text_columns]
        ]

    def stacked(name: str) -> np.ndarray:
        return np.concatenate([getattr(part, name) for _, part in parts])

    sizes = [len(part.rows) for _, part in parts]
    quarter_labels, quarter_starts = quarter_labels_and_starts(stacked("quarter_date"))
    columns: dict[str, object] = {
        "measure": pd.Categorical.from_codes(
            np.repeat(np.array([part.measure_code for _, part in parts], dtype="int8"), sizes),
            categories=pd.Index(MEASURE_IDS, dtype=TEXT_DTYPE),
        ),
        "record_id": np.concatenate([data.record_ids[part.rows] for data, part in parts]),
    }
    ends = np.cumsum(sizes)
    if "case_ref" in text_columns:
        text = np.empty(int(ends[-1]), dtype=object)  # numpy fills object arrays with None
        for (data, part), end, size in zip(parts, ends, sizes, strict=True):
            if "case_ref" in data.frame:
                np.take(data.text("case_ref"), part.rows, out=text[end - size : end])
        columns["case_ref"] = text
    for column in GROUPING_COLUMNS:
        if column in text_columns:
            columns[column] = _stacked_categorical(parts, column)
    for column in ("from_date", "to_date", "due_date"):
        columns[column] = as_timestamps(stacked(column))
    columns["status"] = pd.Categorical.from_codes(
        stacked("status"), categories=pd.Index(STATUSES, dtype=TEXT_DTYPE)
    )
    columns["days_taken"] = pd.arrays.IntegerArray(stacked("days_taken"), stacked("days_blank"))
    columns["quarter"] = quarter_labels
    columns["quarter_start"] = as_timestamps(quarter_starts)
    columns["grade"] = pd.arrays.IntegerArray(stacked("grade"), stacked("grade_blank"))
    # no copy: consolidating object columns would double the time
    return frame_from_arrays(columns, copy=False)


def _stacked_categorical(parts: list[tuple[_Dataset, _Part]], column: str) -> pd.Categorical:
    """One text column for every part as a categorical: each dataset's values are factorised once and
    only integer codes are copied per measure (copying millions of Python strings is the slow part).

    Spellings that differ only in case or spacing are one category, shown under the most used spelling
    across the datasets (measures.categories).
    """
    per_dataset: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for data, _ in parts:
        if id(data) not in per_dataset:
            per_dataset[id(data)] = pd.factorize(data.text(column))  # None -> code -1
    spellings = pd.Index(
        np.concatenate([uniques for _, uniques in per_dataset.values()]).astype(object), dtype=TEXT_DTYPE
    ).unique()
    positions = {key: spellings.get_indexer(uniques) for key, (_, uniques) in per_dataset.items()}
    counts = np.zeros(len(spellings), dtype=np.int64)
    for key, (codes, uniques) in per_dataset.items():  # records per spelling; code -1 (blank) counts at 0
        np.add.at(counts, positions[key], np.bincount(codes + 1, minlength=len(uniques) + 1)[1:])
    grouped, canonical = pd.factorize(canonical_spellings(spellings.to_numpy(dtype=object), counts))
    categories = pd.Index(canonical, dtype=TEXT_DTYPE)  # object categories: pandas 3 would choose str
    remapped = {
        key: np.append(grouped[positions[key]], -1)[codes]  # code -1 stays -1 (blank)
        for key, (codes, _) in per_dataset.items()
    }
    codes = np.concatenate([np.take(remapped[id(data)], part.rows) for data, part in parts])
    return pd.Categorical.from_codes(codes, categories=categories)


def _empty() -> pd.DataFrame:
    dtypes: dict[str, str | pd.CategoricalDtype] = {
        "measure": pd.CategoricalDtype(pd.Index(MEASURE_IDS, dtype=TEXT_DTYPE)),
        "record_id": "int64",
        "case_ref": "object",
        **dict.fromkeys(GROUPING_COLUMNS, "category"),
        "from_date": "datetime64[ns]",
        "to_date": "datetime64[ns]",
        "due_date": "datetime64[ns]",
        "status": pd.CategoricalDtype(pd.Index(STATUSES, dtype=TEXT_DTYPE)),
        "days_taken": "Int64",
        "quarter": "object",
        "quarter_start": "datetime64[ns]",
        "grade": "Int64",
    }
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})
