"""The report date a user types, and which quarters it leaves unfinished (issue 8).

The sidebar's "As at" is typed text that applies on Enter: day first as everywhere in the service
(15/02/2021, 15-02-2021, 15.2.21), or ISO (2021-02-15, what a shared link carries). Blank means the data
date of the newest live upload. A quarter is *partial* as at a date when its last day is after that date:
its figures can still move, so every chart and table marks it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import numpy as np
import pandas as pd

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
PARTIAL_WORD = "partial"


class AsAtError(ValueError):
    """Typed text that is not a date; str() is one line saying why, fit to show under the box."""


def checked_date(year: int, month: int, day: int) -> date:
    """The date, or AsAtError naming the impossible one as a person would ("30 February 2021 ...")."""
    if not 1 <= month <= 12:
        raise AsAtError(f"there is no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        raise AsAtError(f"{day} {calendar.month_name[month]} {year} does not exist") from None


def parse_as_at(text: str) -> date:
    """A typed report date: dd/mm/yyyy (or yy, with - or . too) or yyyy-mm-dd. AsAtError otherwise."""
    iso = _ISO.match(text)
    if iso:
        return checked_date(int(iso[1]), int(iso[2]), int(iso[3]))
    day_first = _DAY_FIRST.match(text)
    if not day_first:
        raise AsAtError(f"'{text.strip()}' is not a date: type it as dd/mm/yyyy, e.g. 15/02/2021")
    year = int(day_first[3])
    year += 2000 if year < 100 else 0
    return checked_date(year, int(day_first[2]), int(day_first[1]))


def quarter_is_partial(quarter_starts: pd.Series, as_at: date) -> np.ndarray:
    """Per quarter start: True until the day after the quarter's last day. On its last day a record
    due that day with nothing recorded is still pending, so the figures can still move (the overview's
    rule since issue 3; docs/decisions.md)."""
    ends = pd.to_datetime(quarter_starts) + pd.DateOffset(months=3)  # the day after the quarter's last
    return (ends > pd.Timestamp(as_at)).to_numpy(dtype=bool)


def quarter_shown(label: str, partial: bool) -> str:
    """A quarter's label as charts and tables show it: "2020-21 Q4 (partial)" while it is unfinished."""
    return f"{label} ({PARTIAL_WORD})" if partial else label
