"""One Grid -> one SheetResult: skip title/blank/totals rows, parse every column, reject bad rows with
reasons, compute missing review due dates, and keep the last of repeated natural keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from loaders import limits
from loaders.data_date import title_date
from loaders.grid import Grid
from loaders.headers import HeaderMatch, find_header_row, match_header
from loaders.result import REJECT_COLUMNS, REJECT_TEAM, LoadError, SheetResult
from loaders.schedule import ReviewSchedule, review_due_dates
from loaders.schema import DATASETS, KIND_DTYPES, TEXT_DTYPE
from loaders.values import Cells, parse_column

_TOTAL_WORDS = frozenset({"total", "totals", "grand total", "total:", "totals:", "grand total:"})


def _total_word(text: str) -> bool:
    return text.strip().lower() in _TOTAL_WORDS


# Text by text, each lowered copy let go at once: pandas' str.strip().str.lower() made a lowered copy of
# every case reference of a million-row sheet (about 70 MB), the peak of reading it.
_is_total_word = np.frompyfunc(_total_word, 1, 1)


def read_sheet(
    grid: Grid, *, dataset: str | None, review_schedule: ReviewSchedule, where: str
) -> SheetResult | None:
    """The sheet's records and rejects; None when no header row is recognised."""
    position = find_header_row(grid.cells, dataset)
    if position is None:
        return None
    match = match_header(grid.cells, position, dataset, where)
    data = grid.cells.iloc[position + 1 :].reset_index(drop=True)
    _fill_merged_cells(data, grid, position)
    excel_rows = grid.excel_rows[position + 1 :]
    cells: dict[object, Cells] = {column: Cells.of(data[column]) for column in data.columns}
    filled = (
        ~np.column_stack([cells[column].blank for column in data.columns])
        if cells
        else np.zeros((0, 0), bool)
    )
    kept = _kept_rows(filled, cells, data.columns)
    if int(kept.sum()) > limits.MAX_DATA_ROWS:
        raise LoadError(
            f"{where} has more than {limits.MAX_DATA_ROWS:,} data rows, the most one upload may hold"
        )

    problems = [_grid_problems(grid, position), _formula_problems(grid, match)]
    if grid.field_counts is not None:
        problems.append(_ragged_rows(filled, kept, int(grid.field_counts[position])))
    columns, column_problems = _parse_columns(match, cells, len(data), review_schedule)
    del cells  # what _parse_columns left: the ignored columns' (the rest went as they were parsed)
    problems.extend(column_problems)
    problem_frame = pd.concat(problems, ignore_index=True) if problems else _problems([], None, [], [])
    problem_frame = problem_frame[kept[problem_frame["position"].to_numpy(dtype=np.int64)]]

    records = pd.DataFrame(columns, copy=False)  # no copy of the columns (copy-on-write keeps them safe)
    records["source_row"] = excel_rows.astype(np.int64)
    accepted = kept.copy()
    accepted[problem_frame["position"].to_numpy(dtype=np.int64)] = False
    duplicates = _earlier_duplicates(records, accepted, match.dataset)
    accepted[duplicates["position"].to_numpy(dtype=np.int64)] = False
    rejects = pd.concat([problem_frame, duplicates], ignore_index=True).sort_values("position", kind="stable")
    rejects["row"] = excel_rows[rejects["position"].to_numpy(dtype=np.int64)]
    rejects["sheet"] = pd.Series([grid.sheet] * len(rejects), index=rejects.index, dtype=TEXT_DTYPE)
    rejects["team"] = pd.Series(_reject_teams(columns, rejects), index=rejects.index, dtype=TEXT_DTYPE)
    return SheetResult(
        sheet=grid.sheet,
        dataset=match.dataset,
        header_row=int(grid.excel_rows[position]),
        column_map=match.column_map,
        ignored_columns=match.ignored_columns,
        records=records[accepted].reset_index(drop=True),
        rejects=rejects[[*REJECT_COLUMNS, REJECT_TEAM]].astype({"row": "int64"}).reset_index(drop=True),
        skipped_rows=int((~kept).sum()),
        report_date=title_date(grid.cells.iloc[:position]),
    )


def _reject_teams(columns: dict[str, pd.Series], rejects: pd.DataFrame) -> npt.NDArray[np.object_]:
    """The team each rejected row names, as read; None when blank, or when the team cell is itself
    one of the row's problems (its text is then not trusted to name a team).

    Kept with the rejected rows so that a team leader is shown only their own teams' rejects.
    """
    positions = rejects["position"].to_numpy(dtype=np.int64)
    found = np.full(len(positions), None, dtype=object)
    teams = columns.get("team")
    if teams is None:
        return found
    bad_team = set(rejects.loc[rejects["column"].eq("team").to_numpy(), "position"].tolist())
    values = teams.to_numpy(dtype=object)[positions]
    for index, (position, value) in enumerate(zip(positions.tolist(), values, strict=True)):
        if isinstance(value, str) and position not in bad_team:
            found[index] = value
    return found


def _fill_merged_cells(data: pd.DataFrame, grid: Grid, header_position: int) -> None:
    """A value merged down over several data rows belongs to each of them (Excel shows it beside each)."""
    for (first_row, first_column), (last_row, last_column) in grid.merged:
        if last_row <= first_row or first_row <= header_position:
            continue
        top = first_row - header_position - 1
        if top >= len(data):  # an empty merged block below the last row with a value
            continue
        bottom = min(last_row - header_position - 1, len(data) - 1)
        for column in range(first_column, min(last_column, data.shape[1] - 1) + 1):
            value: Any = data.iat[top, column]  # any cell value (the stubs' setter takes fewer types)
            data.iloc[top + 1 : bottom + 1, column] = value


def _kept_rows(filled: np.ndarray, cells: dict[object, Cells], columns: pd.Index) -> np.ndarray:
    """Rows that hold a record: not blank, not a single filled cell (titles, notes), not a totals row."""
    filled_count = filled.sum(axis=1) if filled.size else np.zeros(len(filled), dtype=np.int64)
    kept = filled_count >= 2
    first_filled = filled.argmax(axis=1) if filled.size else np.zeros(len(filled), dtype=np.int64)
    for position, column in enumerate(columns):
        rows_here = kept & (first_filled == position) & cells[column].is_text
        if rows_here.any():
            total = _is_total_word(cells[column].raw.to_numpy()[rows_here]).astype(bool)
            kept[np.flatnonzero(rows_here)[total]] = False
    return kept


def _problems(
    positions: Sequence[int] | np.ndarray,
    column: str | None,
    values: Sequence[object] | np.ndarray | pd.Series,
    reasons: Sequence[str] | np.ndarray | pd.Series,
) -> pd.DataFrame:
    """Problems found in one column: grid row positions, the cells as shown, and the reasons."""
    return pd.DataFrame(
        {
            "position": np.asarray(positions, dtype=np.int64),
            "column": pd.Series([column] * len(positions), dtype=TEXT_DTYPE),
            "value": pd.Series(np.asarray(values, dtype=object), dtype=TEXT_DTYPE),
            "reason": pd.Series(np.asarray(reasons, dtype=object), dtype=TEXT_DTYPE),
        }
    )


def _grid_problems(grid: Grid, header_position: int) -> pd.DataFrame:
    """Rows the file reader could not read as they stand (a CSV quote left open), below the header."""
    below = [problem for problem in grid.row_problems if problem.position > header_position]
    return _problems(
        [problem.position - header_position - 1 for problem in below],
        None,
        [problem.value for problem in below],
        [problem.reason for problem in below],
    )


FORMULA_WITHOUT_VALUE = (
    "{column}: the cell holds a formula with no saved value; open the file in Excel and save it again"
)


def _formula_problems(grid: Grid, match: HeaderMatch) -> pd.DataFrame:
    """Recognised cells below the header that hold a formula saved without its value.

    A script-written workbook (openpyxl) stores formulas without results; the reader would see a blank
    and, say, count a held review as missed. The row is rejected instead, naming the cell's column.
    """
    canonical_at = {grid_column: name for name, grid_column in match.columns.items()}
    found = [
        (row - match.position - 1, canonical_at[column])
        for row, column in grid.formulas_without_value
        if row > match.position and column in canonical_at
    ]
    names = [name for _, name in found]
    frame = _problems(
        [position for position, _ in found],
        None,
        [""] * len(found),
        [FORMULA_WITHOUT_VALUE.format(column=name) for name in names],
    )
    return frame.assign(column=pd.Series(names, dtype=TEXT_DTYPE))


def _ragged_rows(filled: np.ndarray, kept: np.ndarray, header_fields: int) -> pd.DataFrame:
    """CSV rows with filled fields beyond the header's last field (a stray delimiter shifts every value)."""
    if not filled.size:
        return _problems([], None, [], [])
    cell_count = filled.shape[1] - filled[:, ::-1].argmax(axis=1)
    ragged = np.flatnonzero(kept & (cell_count > header_fields))
    reasons = [f"row has {count} cells, the header has {header_fields}" for count in cell_count[ragged]]
    return _problems(ragged, None, [None] * len(ragged), reasons)


def _parse_columns(
    match: HeaderMatch, cells: dict[object, Cells], size: int, review_schedule: ReviewSchedule
) -> tuple[dict[str, pd.Series], list[pd.DataFrame]]:
    """Each canonical column parsed, and its problems. Takes the parsed columns' entries out of `cells`
    (the caller has no further use for them), so their memory goes column by column."""
    dataset = DATASETS[match.dataset]
    columns: dict[str, pd.Series] = {}
    problems: list[pd.DataFrame] = []
    for column in dataset.columns:
        if column.name not in match.columns:
            columns[column.name] = pd.Series([None] * size, dtype=KIND_DTYPES[column.kind])
            continue
        # Taken out of `cells` as it is parsed, so each column's classification (row codes and masks,
        # about 13 MB a million rows) goes once its values are parsed: the reader's peak memory came
        # when all of them were still held beside every parsed column.
        column_cells = cells.pop(match.columns[column.name])
        parsed = parse_column(column_cells, column.kind, column.name)
        columns[column.name] = parsed.values
        bad = parsed.problems.notna().to_numpy()
        if bad.any():
            problems.append(
                _problems(np.flatnonzero(bad), column.name, column_cells.shown(bad), parsed.problems[bad])
            )
        skip_blank_check = column.name == "review_due"  # handled below: it may be computed
        if column.required and not skip_blank_check and column_cells.blank.any():
            blank = np.flatnonzero(column_cells.blank)
            problems.append(
                _problems(blank, column.name, [""] * len(blank), [f"{column.name} is blank"] * len(blank))
            )
    if match.dataset == "reviews":
        problems.append(_complete_review_due(columns, problems, review_schedule))
    return columns, problems


def _complete_review_due(
    columns: dict[str, pd.Series], problems: list[pd.DataFrame], schedule: ReviewSchedule
) -> pd.DataFrame:
    """Blank due dates computed from order date and review number (SPEC 2.4); rejects those that cannot be."""
    due = columns["review_due"]
    unreadable = np.zeros(len(due), dtype=bool)  # rejected already, for a reason of their own
    for frame in problems:
        inputs = frame["column"].isin(["review_due", "order_date", "review_number"])
        unreadable[frame.loc[inputs, "position"].to_numpy(dtype=np.int64)] = True
    missing = due.isna().to_numpy() & ~unreadable
    too_late = np.zeros(len(due), dtype=bool)
    if missing.any():
        too_late[missing] = _due_after_latest(
            columns["order_date"][missing], columns["review_number"][missing], schedule
        )
        numbers = columns["review_number"].mask(too_late)  # never computed: the date would overflow
        computed = review_due_dates(columns["order_date"], numbers, schedule)
        due = due.where(~missing, computed)
        columns["review_due"] = due.astype("datetime64[ns]")
    still_missing = np.flatnonzero(columns["review_due"].isna().to_numpy() & ~unreadable & ~too_late)
    reason = "review_due blank and cannot be computed: order_date and review_number are both needed"
    late = np.flatnonzero(too_late)
    late_reasons = (
        "review_due computed from order_date and review_number "
        + columns["review_number"].iloc[late].astype(str)
        + f" would be after {limits.LATEST_DATE:%d/%m/%Y}"
    )
    return pd.concat(
        [
            _problems(still_missing, "review_due", [""] * len(still_missing), [reason] * len(still_missing)),
            _problems(late, "review_due", [""] * len(late), late_reasons.to_numpy(dtype=object)),
        ],
        ignore_index=True,
    )


def _due_after_latest(order_dates: pd.Series, numbers: pd.Series, schedule: ReviewSchedule) -> np.ndarray:
    """Rows whose computed due date would fall after LATEST_DATE's month (or past pandas' dates).

    Worked out in months, so a large review number cannot overflow the date arithmetic on its way.
    """
    months = schedule.months_after_order(numbers).to_numpy(dtype=float, na_value=np.nan)
    month_index = order_dates.dt.year.to_numpy(dtype=float) * 12 + order_dates.dt.month.to_numpy(dtype=float)
    latest = limits.LATEST_DATE.year * 12 + limits.LATEST_DATE.month
    with np.errstate(invalid="ignore"):
        after: npt.NDArray[np.bool_] = month_index + months > latest
    return after


def _earlier_duplicates(records: pd.DataFrame, accepted: np.ndarray, dataset: str) -> pd.DataFrame:
    """Accepted rows whose natural key appears again further down: the last one wins (SPEC 2)."""
    key = list(DATASETS[dataset].natural_key)
    candidates = records.loc[accepted, [*key, "source_row"]]
    earlier = candidates.duplicated(subset=key, keep="last").to_numpy()
    if not earlier.any():
        return _problems([], None, [], [])
    kept_row = candidates.groupby(key, dropna=False, sort=False)["source_row"].transform("last")
    positions = np.flatnonzero(accepted)[earlier]
    reasons = (
        "duplicate of row "
        + kept_row[earlier].astype(str)
        + f" (same {', '.join(key)}); the later row is kept"
    )
    return _problems(
        positions, "+".join(key), candidates["case_ref"][earlier].to_numpy(dtype=object), reasons.to_numpy()
    )
