"""Quarterly counts, rates and RAG ratings per measure (SPEC 3.2, 3.3, 3.5).

Counting is one `np.bincount` over (measure, quarter, status) codes, so it costs the same for ten
rows or ten million. Rates are percentages: met / (met + missed) * 100, NaN when nobody is in the
denominator (pending, excluded and invalid records never are).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from loaders.schema import frame_from_arrays
from measures.definitions import MEASURE_IDS, STATUSES
from measures.quarters import label_for_quarter_month, quarter_month_index
from measures.settings import Settings
from measures.targets import rag_array, targets_in_force

COMPLIANCE_COLUMNS: tuple[str, ...] = (
    "measure",
    "quarter",
    "quarter_start",
    "met",
    "missed",
    "pending",
    "excluded",
    "invalid",
    "rate",
    "target",
    "amber_margin",
    "rag",
)


def quarterly_compliance(statuses: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One row per measure and quarter holding any record, ordered by MEASURES order then quarter.

    `statuses` is `record_statuses` output, possibly filtered (a team, a date range). Each quarter is
    judged against the target in force on its first day (see measures.targets).
    """
    measure_codes = np.asarray(pd.Categorical(statuses["measure"], categories=list(MEASURE_IDS)).codes)
    status_codes = np.asarray(pd.Categorical(statuses["status"], categories=list(STATUSES)).codes)
    quarter_months = quarter_month_index(statuses["quarter_start"].to_numpy().astype("datetime64[D]"))
    usable = (measure_codes >= 0) & (status_codes >= 0) & ~np.isnat(statuses["quarter_start"].to_numpy())
    if not usable.any():
        return _empty()
    measure_codes, status_codes, quarter_months = (
        measure_codes[usable],
        status_codes[usable],
        quarter_months[usable],
    )
    first_quarter = int(quarter_months.min()) // 3
    quarter_numbers = quarter_months // 3 - first_quarter
    quarter_count = int(quarter_numbers.max()) + 1
    cells = (measure_codes.astype("int64") * quarter_count + quarter_numbers) * len(STATUSES) + status_codes
    counts = np.bincount(cells, minlength=len(MEASURE_IDS) * quarter_count * len(STATUSES))
    return quarterly_from_counts(counts, first_quarter * 3, settings)


def quarterly_from_counts(counts: np.ndarray, first_month: int, settings: Settings) -> pd.DataFrame:
    """`quarterly_compliance`'s table from records already counted per (measure, quarter, status).

    `counts` holds, for MEASURE_IDS x consecutive quarters x STATUSES (flattened in that order), how many
    records fall in each; `first_month` is the first quarter's first month (months since 1970-01).
    Counting and tabulating are apart so counts kept per group of records (measures.counts) give the very
    table a pass over the rows would.
    """
    counts = np.asarray(counts, dtype="int64").reshape(-1, len(STATUSES))
    occupied = np.flatnonzero(counts.sum(axis=1))
    if len(occupied) == 0:
        return _empty()
    quarter_count = len(counts) // len(MEASURE_IDS)
    counts = counts[occupied]
    measure_of_row, quarter_of_row = np.divmod(occupied, quarter_count)
    row_months = first_month + quarter_of_row * 3
    starts = row_months.astype("datetime64[M]").astype("datetime64[D]")

    by_status = {status: counts[:, index] for index, status in enumerate(STATUSES)}
    rate = compliance_rate(by_status["met"], by_status["missed"])
    target = np.full(len(occupied), np.nan)
    margin = np.full(len(occupied), np.nan)
    for code, measure_id in enumerate(MEASURE_IDS):
        rows = measure_of_row == code
        if rows.any():
            target[rows], margin[rows] = targets_in_force(settings.targets.get(measure_id, []), starts[rows])
    return frame_from_arrays(
        {
            "measure": np.array(MEASURE_IDS, dtype=object)[measure_of_row],
            "quarter": np.array([label_for_quarter_month(int(month)) for month in row_months], dtype=object),
            "quarter_start": starts.astype("datetime64[ns]"),
            **{
                status: by_status[status].astype("int64")
                for status in ("met", "missed", "pending", "excluded", "invalid")
            },
            "rate": rate,
            "target": target,
            "amber_margin": margin,
            "rag": rag_array(rate, target, margin),
        }
    )


def _empty() -> pd.DataFrame:
    dtypes = {
        "measure": "object",
        "quarter": "object",
        "quarter_start": "datetime64[ns]",
        **dict.fromkeys(("met", "missed", "pending", "excluded", "invalid"), "int64"),
        "rate": "float64",
        "target": "float64",
        "amber_margin": "float64",
        "rag": "object",
    }
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})


def compliance_rate(met: np.ndarray, missed: np.ndarray) -> np.ndarray:
    """met / (met + missed) as a percentage, NaN where nothing was decided (SPEC 3.2): the one formula
    of every rate, by quarter (quarterly_compliance) or by any other group (measures.views)."""
    met = np.asarray(met, dtype="float64")
    decided = met + np.asarray(missed, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        # met * 100 first: a whole-number rate (57 of 100) is then exact, never 56.999...
        return np.where(decided > 0, met * 100.0 / decided, np.nan)


# A rate is met * 100 / n; its tenths sit at least 1 / (2 n) from a half, far above this for any n a
# service will see, while floating point can land a true half (83.25) a hair below it.
_HALF_TOLERANCE = 1e-9


def round_rates(rates: pd.Series) -> pd.Series:
    """Rates to one decimal with halves rounded up, as Excel's ROUND does: 333 of 400 = 83.25 -> 83.3.

    The one rounding rule of every output (pages, exports, the command line's csv, json and table):
    Python's round() and f"{x:.1f}" round halves to even (83.2), which would make our figures disagree
    with a manager's spreadsheet and with each other. Rates are never negative, so floor(x * 10 + 0.5)
    is the half-up rule.
    """
    # np.floor of a Series is a Series (__array_ufunc__); numpy's stubs say ndarray.
    return np.floor(rates.astype("float64") * 10 + 0.5 + _HALF_TOLERANCE) / 10  # type: ignore[return-value]


def rate_text(rate: float | None) -> str:
    """A rate as SPEC shows it, "87.5" (round_rates' rule); an empty string where there is no rate."""
    if rate is None or pd.isna(rate):
        return ""
    # round_rates' arithmetic on one float (the same IEEE doubles): a one-row Series per tile, table
    # cell and report line cost 0.1-0.3 ms each, 7 ms of every overview run
    return f"{math.floor(float(rate) * 10 + 0.5 + _HALF_TOLERANCE) / 10:.1f}"
