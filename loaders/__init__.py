"""Spreadsheet bytes -> validated pandas frames and rejected rows with reasons. No SQL, no Streamlit."""

from loaders.isolated import read_extract_isolated
from loaders.read import read_extract
from loaders.result import REJECT_COLUMNS, LoadError, ReadResult, SheetResult, sheet_from_frame
from loaders.schedule import ReviewSchedule, add_months, review_due_dates
from loaders.schema import DATASET_NAMES, DATASETS, Kind
from loaders.values import NA_WORDS

__all__ = [
    "DATASETS",
    "DATASET_NAMES",
    "NA_WORDS",
    "REJECT_COLUMNS",
    "Kind",
    "LoadError",
    "ReadResult",
    "ReviewSchedule",
    "SheetResult",
    "add_months",
    "read_extract",
    "read_extract_isolated",
    "review_due_dates",
    "sheet_from_frame",
]
