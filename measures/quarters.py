"""Financial quarters (SPEC 3.4): the year runs 1 April - 31 March; "2020-21 Q3" is October-December 2020."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from loaders.schema import TEXT_DTYPE
from measures.calendar import as_days

_NO_MONTH = np.iinfo("int64").min
_LABEL = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2})\s*Q\s*([1-4])\s*$", re.IGNORECASE)


def label_for_quarter_month(quarter_month: int) -> str:
    """Label of the quarter starting at this month index (months since 1970-01, a quarter's first month)."""
    year, month0 = divmod(quarter_month, 12)
    year += 1970
    first_year = year if month0 >= 3 else year - 1
    quarter = (month0 - 3) % 12 // 3 + 1
    return f"{first_year}-{(first_year + 1) % 100:02d} Q{quarter}"


def quarter_month_index(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of the first month of each date's financial quarter.

    Takes datetime64[D]; NaT gives the int64 minimum, which callers mask with `np.isnat`. numpy's
    cast to months is slow, so it is done once per day of the data's span and then looked up.
    """
    numbers = days.view("int64")
    missing = np.isnat(days)
    if missing.all():
        return np.full(len(days), _NO_MONTH)
    first, last = int(numbers[~missing].min()), int(numbers.max())  # NaT is the int64 minimum
    months = (
        np.arange(first, last + 1, dtype="int64")
        .view("datetime64[D]")
        .astype("datetime64[M]")
        .astype("int64")
    )
    table = np.append(months - (months % 12 - 3) % 3, _NO_MONTH)
    position = numbers - first
    position[missing] = len(table) - 1
    quarter_months: npt.NDArray[np.int64] = table[position]
    return quarter_months


def quarter_labels_and_starts(days: np.ndarray) -> tuple[pd.Categorical, np.ndarray]:
    """(labels as a categorical in date order, first days as datetime64[D]) per date; blank / NaT for NaT.

    Vectorised: labels are made once per distinct quarter and then referred to by code.
    """
    quarter_months = quarter_month_index(days)
    missing = np.isnat(days)
    if missing.all():
        return pd.Categorical([None] * len(days), categories=pd.Index([], dtype=TEXT_DTYPE)), np.full(
            len(days), np.datetime64("NaT", "D")
        )
    lowest = int(quarter_months[~missing].min())
    count = (int(quarter_months.max()) - lowest) // 3 + 1
    table_months = lowest + 3 * np.arange(count)
    labels = np.array([*(label_for_quarter_month(int(month)) for month in table_months), None], dtype=object)
    starts = np.append(
        table_months.astype("datetime64[M]").astype("datetime64[D]"), np.datetime64("NaT", "D")
    )
    offsets = (quarter_months - lowest) // 3
    offsets[missing] = count
    codes = np.where(missing, -1, offsets)
    categorical = pd.Categorical.from_codes(
        codes, categories=pd.Index(labels[:-1], dtype=TEXT_DTYPE), ordered=True
    )
    return categorical, starts[offsets]


def quarter_label(day: date | pd.Timestamp | str) -> str:
    """ "2020-21 Q3" for any date in October-December 2020."""
    month_index = quarter_month_index(as_days([day]))[0]
    return label_for_quarter_month(int(month_index))


def quarter_start(day: date | pd.Timestamp | str) -> date:
    """First day of the financial quarter holding `day` (1 October 2020 for 15 November 2020)."""
    month_index = quarter_month_index(as_days([day]))[0]
    return pd.Timestamp(np.datetime64(int(month_index), "M")).date()


def parse_quarter(label: str) -> date:
    """First day of a labelled quarter: "2020-21 Q3" -> 2020-10-01. ValueError names a bad label."""
    match = _LABEL.match(str(label))
    if not match:
        raise ValueError(f"quarter {label!r}: expected a label like 2020-21 Q3")
    first_year, second_year, quarter = int(match[1]), int(match[2]), int(match[3])
    if (first_year + 1) % 100 != second_year:
        raise ValueError(f"quarter {label!r}: {second_year:02d} does not follow {first_year}")
    month = 3 * quarter + 1
    return date(first_year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_after(label: str) -> date:
    """First day of the quarter after a labelled one: "2020-21 Q4" -> 2021-04-01.

    The exclusive end of a quarter range, so a range is [parse_quarter(first), quarter_after(last)).
    """
    start = parse_quarter(label)
    months = start.year * 12 + start.month - 1 + 3
    return date(months // 12, months % 12 + 1, 1)


def quarters_between(first: date | pd.Timestamp, last: date | pd.Timestamp) -> list[str]:
    """Labels of every quarter from the one holding `first` to the one holding `last`, oldest first."""
    first_month, last_month = (int(month) for month in quarter_month_index(as_days([first, last])))
    return [label_for_quarter_month(month) for month in range(first_month, last_month + 1, 3)]
