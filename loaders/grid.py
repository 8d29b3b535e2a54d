"""A sheet's cells exactly as read, before any header is known: the hand-over from the file readers
(CSV, workbooks) to header detection and value parsing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# ((first_row, first_column), (last_row, last_column)), 0-based and inclusive, as calamine reports them.
MergedRange = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class Grid:
    sheet: str | None  # None for CSV
    cells: pd.DataFrame  # object dtype, columns 0..n-1: str, float, int, bool, date/datetime, None
    excel_rows: np.ndarray  # int64: the row number a person sees in Excel (a CSV's physical line number)
    field_counts: np.ndarray | None = None  # CSV only: how many fields each record has
    merged: list[MergedRange] = field(default_factory=list)
