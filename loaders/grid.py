"""A sheet's cells exactly as read, before any header is known: the hand-over from the file readers
(CSV, workbooks) to header detection and value parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

# ((first_row, first_column), (last_row, last_column)), 0-based and inclusive, as calamine reports them.
MergedRange = tuple[tuple[int, int], tuple[int, int]]


class RowProblem(NamedTuple):
    """A row the file reader could not read as it stands; it is rejected if it falls below the header."""

    position: int  # row position in the grid
    value: str  # what the row holds, as shown in the rejection (control characters made visible)
    reason: str


@dataclass
class Grid:
    sheet: str | None  # None for CSV
    cells: pd.DataFrame  # object dtype, columns 0..n-1: str, float, int, bool, date/datetime, None
    excel_rows: np.ndarray  # int64: the row number a person sees in Excel (a CSV's physical line number)
    field_counts: np.ndarray | None = None  # CSV only: how many fields each record has
    merged: list[MergedRange] = field(default_factory=list)
    row_problems: list[RowProblem] = field(default_factory=list)  # CSV only: e.g. a quote left open
    # Workbooks only: 0-based (row, column) of formula cells saved without a value (read as blank).
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
