"""Working days (SPEC 3.1): Monday to Friday less Scottish bank holidays and the council's own holidays.

One numpy `busdaycalendar` per (local holidays, years) pair is built and cached, so every measure in
every report shares it and a million due dates take milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from loaders.schedule import EARLIEST_HOLIDAY_YEAR, LATEST_HOLIDAY_YEAR
from loaders.schedule import scottish_bank_holidays as scottish_bank_holidays  # re-exported by measures

_NANOSECONDS_PER_DAY = 86_400_000_000_000
_NAT_INT = np.iinfo("int64").min


def as_days(values: object) -> np.ndarray:
    """Dates of any form (Series, DatetimeIndex, list, scalar) as a numpy datetime64[D] array; NaT kept.

    datetime64[ns] input is converted with integer arithmetic: numpy's own unit cast is ten times slower.
    """
    if isinstance(values, np.ndarray) and values.dtype == np.dtype("datetime64[D]"):
        return values
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not (pd.api.types.is_datetime64_dtype(series.dtype) and series.dt.tz is None):
        series = pd.to_datetime(series, cache=False)
    stamps = series.to_numpy()
    if stamps.dtype != np.dtype("datetime64[ns]"):
        return stamps.astype("datetime64[D]")
    ticks = stamps.view("int64")
    days = ticks // _NANOSECONDS_PER_DAY
    days[ticks == _NAT_INT] = _NAT_INT
    return days.view("datetime64[D]")


def as_timestamps(days: np.ndarray) -> np.ndarray:
    """datetime64[D] as datetime64[ns] (the dtype frames carry), NaT kept; integer arithmetic for speed."""
    numbers = days.view("int64")
    ticks = numbers * _NANOSECONDS_PER_DAY
    ticks[numbers == _NAT_INT] = _NAT_INT
    return ticks.view("datetime64[ns]")


class WorkingCalendar:
    """Monday-Friday less Scottish bank holidays over `years` and less `local_holidays`.

    "Within N working days of D" ends on `add_working_days(D, N)`: D rolled forward to a working day
    when it is not one, then N working days on; the day of the event is day 0 (SPEC 3.1). Results
    are numpy's `busday_offset` / `busday_count` with this calendar; inside `years` they are
    read from a table of working days (several times faster on a million dates), outside it numpy
    computes them. `years` defaults to 2000 to ten years after this one; `working_calendar` picks
    the years from the data instead.
    """

    def __init__(self, local_holidays: Iterable[date] = (), years: Iterable[int] | None = None) -> None:
        years = sorted(range(2000, date.today().year + 11) if years is None else years)
        local = sorted({pd.Timestamp(day).date() for day in local_holidays})
        self.local_holidays: tuple[date, ...] = tuple(local)
        self.holidays: np.ndarray = np.array(
            sorted(set(scottish_bank_holidays(years)) | set(local)), "datetime64[D]"
        )
        self.busdaycalendar = np.busdaycalendar(weekmask="1111100", holidays=self.holidays)
        span = np.arange(np.datetime64(f"{years[0]}-01-01"), np.datetime64(f"{years[-1] + 1}-01-01"))
        is_working = np.is_busday(span, busdaycal=self.busdaycalendar)
        self._first_day = int(span[0].view("int64"))
        # _working_before[i]: working days in [span[0], span[i]), i.e. the index in _working_days of
        # the first working day on or after span[i].
        self._working_before = np.concatenate([[0], np.cumsum(is_working)])
        self._working_days = span[is_working]

    def add_working_days(self, dates: object, n: int) -> np.ndarray:
        """Due dates `n` working days after each date (rolled forward first); NaT stays NaT."""
        days = as_days(dates)
        position = self._positions(days)
        target = np.full(len(days), len(self._working_days))
        inside = position >= 0
        target[inside] = self._working_before[position[inside]] + n
        in_table = (target >= 0) & (target < len(self._working_days))
        result = np.empty(len(days), dtype="datetime64[D]")
        result[in_table] = self._working_days[target[in_table]]
        rest = ~in_table
        result[rest] = np.busday_offset(days[rest], n, roll="forward", busdaycal=self.busdaycalendar)
        return result

    def working_days_between(self, start: object, end: object) -> pd.arrays.IntegerArray:
        """Working days from each start to each end, as Int64; <NA> where either is blank.

        The count is the n for which `add_working_days(start, n)` is the first working day on or
        after `end`, so `count <= N` exactly when `end` is on or before the due date of an
        N-working-day rule. In numpy terms it is `busday_count` between the two dates each rolled
        forward to a working day: a Sunday contact after a Saturday order is 0, not -1. Negative
        when `end` comes before the start (a review held early).
        """
        begin, finish = as_days(start), as_days(end)
        begin_position, finish_position = self._positions(begin), self._positions(finish)
        blank = np.isnat(begin) | np.isnat(finish)
        in_table = (begin_position >= 0) & (finish_position >= 0)
        counts = np.zeros(len(begin), dtype="int64")
        counts[in_table] = (
            self._working_before[finish_position[in_table]] - self._working_before[begin_position[in_table]]
        )
        rest = ~in_table & ~blank
        rolled_begin, rolled_finish = (
            np.busday_offset(days[rest], 0, roll="forward", busdaycal=self.busdaycalendar)
            for days in (begin, finish)
        )
        counts[rest] = np.busday_count(rolled_begin, rolled_finish, busdaycal=self.busdaycalendar)
        return pd.arrays.IntegerArray(counts, blank)

    def _positions(self, days: np.ndarray) -> np.ndarray:
        """Index of each date in the working-day table, or -1 when outside it (NaT included)."""
        position = days.view("int64") - self._first_day
        position[np.isnat(days)] = -1
        position[position >= len(self._working_before)] = -1
        return np.where(position < 0, -1, position)


def working_calendar(local_holidays: Iterable[date], first_year: int, last_year: int) -> WorkingCalendar:
    """The shared calendar for these local holidays and years (built once, then cached)."""
    first = max(first_year, EARLIEST_HOLIDAY_YEAR)
    last = min(last_year, LATEST_HOLIDAY_YEAR)
    return _cached_calendar(tuple(sorted(set(local_holidays))), first, max(first, last))


@lru_cache(maxsize=32)
def _cached_calendar(local_holidays: tuple[date, ...], first_year: int, last_year: int) -> WorkingCalendar:
    return WorkingCalendar(local_holidays, range(first_year, last_year + 1))
