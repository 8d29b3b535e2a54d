"""The statutory review schedule (SPEC 2.4), calendar-month arithmetic that clips to month end, and the
Scottish bank holidays (SPEC 3.1), which the demo data and measures.calendar both take from here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays
import numpy as np
import pandas as pd

# Bank holidays are generated for this span at most; a date outside it (a typing error in an
# extract, say 1902) is measured with weekends only rather than asking for centuries of holidays.
EARLIEST_HOLIDAY_YEAR = 1950
LATEST_HOLIDAY_YEAR = 2100


def scottish_bank_holidays(years: Iterable[int]) -> list[date]:
    """Scottish bank holidays in those years, substitute ("observed") days included: the `holidays`
    package's GB subdivision SCT. One-off days (a coronation, a funeral) arrive with its new releases."""
    wanted = [year for year in years if EARLIEST_HOLIDAY_YEAR <= year <= LATEST_HOLIDAY_YEAR]
    return sorted(holidays.country_holidays("GB", subdiv="SCT", years=wanted))


def add_months(dates: pd.Series, months: pd.Series | np.ndarray | int) -> pd.Series:
    """Each date plus whole calendar months, clipped to the month's end (31 Aug + 6 months = 28/29 Feb).

    Vectorised: works on the year/month/day parts, so a million dates take milliseconds.
    """
    dates = pd.to_datetime(pd.Series(dates))
    months_series = pd.Series(months, index=dates.index) if np.isscalar(months) else pd.Series(months)
    months_series = months_series.reindex(dates.index)
    valid = dates.notna() & months_series.notna()
    result = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    if not valid.any():
        return result
    base = dates[valid]
    shift = months_series[valid].astype("int64").to_numpy()
    month_index = base.dt.year.to_numpy() * 12 + (base.dt.month.to_numpy() - 1) + shift
    first_of_month = pd.to_datetime(
        {"year": month_index // 12, "month": month_index % 12 + 1, "day": 1}
    ).to_numpy()
    month_length = pd.DatetimeIndex(first_of_month).days_in_month.to_numpy()
    day = np.minimum(base.dt.day.to_numpy(), month_length)
    result[valid] = first_of_month + (day - 1).astype("timedelta64[D]")
    return result


@dataclass(frozen=True)
class ReviewSchedule:
    """Review 1 at `first_months`, review 2 at `second_months`, then every `interval_months`."""

    first_months: int = 3
    second_months: int = 6
    interval_months: int = 6

    def months_after_order(self, review_numbers: pd.Series) -> pd.Series:
        numbers = pd.Series(review_numbers).astype("Int64")
        months = self.second_months + (numbers - 2) * self.interval_months
        months = months.where(numbers != 1, self.first_months)
        return months.where(numbers >= 1)


def review_due_dates(
    order_dates: pd.Series, review_numbers: pd.Series, schedule: ReviewSchedule = ReviewSchedule()
) -> pd.Series:
    """Due date of each review from its order date and number; NaT where either is missing or number < 1."""
    return add_months(order_dates, schedule.months_after_order(review_numbers))
