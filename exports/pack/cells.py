"""How a published table's cells are written: the Word pack as text, the Excel annex as typed values.

One rule for both, so the two files never disagree: rates to one decimal with halves up (the project's
one rounding), counts as whole numbers, a change with its sign, a suppressed cell as `c`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exports.disclosure import SafeTable
from measures import rate_text, round_rates
from measures.access import SUPPRESSED

CHANGE_COLUMNS = frozenset({"change"})
TARGET_COLUMNS = frozenset({"target"})


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def cell_text(table: SafeTable, column: str, value: object) -> str:
    """A cell as the Word pack prints it."""
    if isinstance(value, str):
        return value
    if _blank(value):
        return ""
    if column in table.rules.rates:
        return rate_text(float(value))  # type: ignore[arg-type]
    if column in CHANGE_COLUMNS:
        return f"{float(value):+.1f}" if float(value) else "0.0"  # type: ignore[arg-type]
    if column in TARGET_COLUMNS:
        return f"{float(value):g}"  # type: ignore[arg-type]
    if column in table.rules.counts:
        return f"{int(value):,}"  # type: ignore[call-overload]
    return str(value)


def text_frame(table: SafeTable) -> pd.DataFrame:
    """The table as text, headed as printed."""
    columns = list(table.values.columns)
    rows = [
        [cell_text(table, column, value) for column, value in zip(columns, row, strict=True)]
        for row in table.values.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[table.heading(column) for column in columns], dtype=object)


def typed_frame(table: SafeTable) -> pd.DataFrame:
    """The table for a spreadsheet: numbers stay numbers (rates rounded half up), `c` stays text."""
    frame = table.values.copy()
    for column in frame.columns:
        values = frame[column]
        numeric = pd.to_numeric(values.where(values != SUPPRESSED), errors="coerce")
        if column in table.rules.rates:
            rounded = round_rates(numeric)
            frame[column] = values.where(
                values == SUPPRESSED, rounded.astype(object).where(rounded.notna(), None)
            )
        elif column in table.rules.counts:
            frame[column] = values.where(values == SUPPRESSED, numeric.astype("Int64").astype(object))
    frame.columns = [table.heading(column) for column in frame.columns]
    return frame.astype(object).where(frame.notna(), None)
