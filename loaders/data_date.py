"""The data date of an upload (SPEC 4): the date the extract was taken.

A case management system's report states it on a title row above the header: "Report run on 15/02/2021
09:12", "Run date: 15/02/2021", "Extracted on 15 Feb 2021", "As at 15/02/2021", or the words in one cell
and the date (a real Excel date or text) in the next. Without one, it is the latest date in the records
of something that has happened (never a due date), and never later than the day of the upload: a typing
slip of 2031 must not move every page's default as-at date into the future.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from loaders.schema import KIND_DTYPES, Kind
from loaders.values import DATE_FORMATS

# Words on a title row that introduce the extract's date (matched case-insensitively, at a word start).
_TITLE_WORDS = re.compile(
    r"\b(report\s+run\s+on|run\s+on|run\s+date|date\s+run|extracted\s+on|extract(?:ion)?\s+date|"
    r"extracted|data\s+as\s+at|as\s+at|as\s+of|report\s+date|date\s+of\s+report)\b\s*[:\-–]?\s*",
    re.IGNORECASE,
)
# A date at the start of the text after the words: 15/02/2021, 15-02-21, 2021-02-15, 15 Feb 2021 ...
_DATE_TEXT = re.compile(
    r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[ \-][A-Za-z]{3,9}[ \-]\d{2,4})"
)
# Columns whose dates say something has happened (SPEC 4); due dates say nothing about when data was taken.
HAPPENED_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("order_date", "first_contact", "induction", "upw_start", "lscmi_completed", "cmp_completed"),
    "reviews": ("review_held", "recorded"),
    "audits": ("audit_date",),
}


def _date_from_text(text: str) -> dt.date | None:
    match = _DATE_TEXT.match(text.strip())
    if match is None:
        return None
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(match[1], date_format).date()
        except ValueError:
            continue
    return None


def _cell_date(value: object) -> dt.date | None:
    """A cell that is itself a date: an Excel date, or text holding only a date (and perhaps a time)."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _date_from_text(value)
    return None


def title_date(title_rows: pd.DataFrame) -> dt.date | None:
    """The extract's date stated on the title rows above the header, else None.

    Looks for the words in a cell; the date follows them in the same cell, or fills the next filled
    cell of the row. The first such row wins.
    """
    for _, row in title_rows.iterrows():  # a few title rows at most: the header is within the first 30
        cells = [
            value
            for value in row.tolist()
            if value is not None and not (isinstance(value, float) and pd.isna(value))
        ]
        for position, value in enumerate(cells):
            if not isinstance(value, str):
                continue
            words = _TITLE_WORDS.search(value)
            if words is None:
                continue
            found = _date_from_text(value[words.end() :])
            if found is None and position + 1 < len(cells):
                found = _cell_date(cells[position + 1])
            if found is not None:
                return found
    return None


def latest_happened_date(records: pd.DataFrame, dataset: str, upload_day: dt.date) -> dt.date | None:
    """The latest date in the records of something that has happened, capped at the upload day."""
    latest: pd.Timestamp | None = None
    for column in HAPPENED_COLUMNS[dataset]:
        if column not in records.columns:
            continue
        values = records[column].astype(KIND_DTYPES[Kind.DATE])
        newest = values.max()
        if pd.notna(newest) and (latest is None or newest > latest):
            latest = newest
    if latest is None:
        return None
    return min(latest.date(), upload_day)


def data_date(
    report_date: dt.date | None, records: pd.DataFrame, dataset: str, upload_day: dt.date
) -> dt.date | None:
    """The upload's data date: the title rows' date, else the latest happened date; never after the
    upload day. None for a sheet with no dates at all (it then moves no default)."""
    if report_date is not None:
        return min(report_date, upload_day)
    return latest_happened_date(records, dataset, upload_day)
