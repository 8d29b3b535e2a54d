"""What a loader hands on: accepted records and rejected rows, per sheet, with how the headers matched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

REJECT_COLUMNS = ["sheet", "row", "column", "value", "reason"]
# A loader's rejects also carry the team the row names (None when blank), after REJECT_COLUMNS: the
# store keeps it so a team leader sees only their own teams' rejected rows. Not part of what is shown
# or exported as "the rejected rows", which is REJECT_COLUMNS.
REJECT_TEAM = "team"


class LoadError(Exception):
    """The file cannot be read at all; str() is one line fit to show a user. Nothing is stored."""


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECT_COLUMNS})


@dataclass
class SheetResult:
    sheet: str | None  # None for CSV
    dataset: str  # "orders" | "reviews" | "audits"
    header_row: int  # Excel row number of the header row
    column_map: dict[str, str]  # original header text -> canonical column
    ignored_columns: list[str]  # headers not recognised: kept aside, never an error
    records: pd.DataFrame  # accepted rows: every canonical column + "source_row" (Excel row number)
    # REJECT_COLUMNS (+ REJECT_TEAM from the loaders), one line per problem
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    skipped_rows: int = 0  # blank, single-cell and totals rows: skipped, not rejected
    # The date a title row above the header gives the extract ("Report run on 15/02/2021"), else None;
    # loaders.data_date.data_date falls back on the records' latest date when it is None.
    report_date: date | None = None

    @property
    def rejected_row_count(self) -> int:
        """Rows rejected (a row with several problems counts once)."""
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0


@dataclass
class ReadResult:
    file_name: str
    sha256: str  # of the raw bytes
    sheets: list[SheetResult]
    # One line per sheet whose headers were recognised but which could not be read (e.g. a required
    # column missing) while another sheet could: the user must hear that it was left out.
    unread_sheets: list[str] = field(default_factory=list)


def sheet_from_frame(dataset: str, frame: pd.DataFrame) -> SheetResult:
    """A SheetResult for records already in the canonical shape (demo data, benchmarks, tests).

    Every canonical column is taken from `frame` in schema order; rows are numbered as if under a
    header in row 1.
    """
    from loaders.schema import DATASETS

    columns = DATASETS[dataset].column_names
    return SheetResult(
        sheet=None,
        dataset=dataset,
        header_row=1,
        column_map={column: column for column in columns},
        ignored_columns=[],
        records=frame[columns].assign(source_row=range(2, len(frame) + 2)),
    )
