"""read_extract: an uploaded file's bytes -> validated records and rejected rows, per recognised sheet."""

from __future__ import annotations

import hashlib

from loaders import safety
from loaders.csvfile import read_csv_grid
from loaders.formats import CSV, detect_format
from loaders.result import LoadError, ReadResult, SheetResult
from loaders.schedule import ReviewSchedule
from loaders.schema import DATASET_NAMES
from loaders.sheet import read_sheet
from loaders.workbook import read_workbook


def read_extract(
    file_name: str,
    content: bytes,
    *,
    dataset: str | None = None,
    sheet: str | None = None,
    review_schedule: ReviewSchedule = ReviewSchedule(),
    max_bytes: int | None = None,
) -> ReadResult:
    """Read a .xlsx, .xlsm, .xls, .ods or .csv extract (SPEC 4; docs/architecture.md).

    Every sheet whose headers are recognised is returned, or only `sheet` (ignored for CSV). `dataset`
    forces "orders", "reviews" or "audits" instead of recognising it from the headers. `max_bytes` raises
    the file size limit above the browser upload's (the command line's scheduled jobs). Raises LoadError,
    with a one-line reason, when the file cannot be read at all; bad rows are rejects, not errors.
    """
    if dataset is not None and dataset not in DATASET_NAMES:
        raise LoadError(f"unknown dataset '{dataset}': choose one of {', '.join(DATASET_NAMES)}")
    try:
        sheets, unread = _read_sheets(file_name, content, dataset, sheet, review_schedule, max_bytes)
    except LoadError:
        raise
    except MemoryError as error:
        raise LoadError(f"'{file_name}' is too large to read") from error
    except Exception as error:  # never a traceback for a user; the class name helps support
        raise LoadError(f"'{file_name}' could not be read ({type(error).__name__})") from error
    return ReadResult(
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        sheets=sheets,
        unread_sheets=[str(problem) for problem in unread],
    )


def _read_sheets(
    file_name: str,
    content: bytes,
    dataset: str | None,
    sheet: str | None,
    schedule: ReviewSchedule,
    max_bytes: int | None,
) -> tuple[list[SheetResult], list[LoadError]]:
    """The readable sheets, and the problems of recognised sheets that could not be read."""
    kind, package = detect_format(file_name, content, max_bytes)
    prescan = safety.check_xml_parts(package, kind) if package is not None else safety.Prescan()
    if kind == CSV:
        result = read_sheet(
            read_csv_grid(file_name, content),
            dataset=dataset,
            review_schedule=schedule,
            where=f"'{file_name}'",
        )
        if result is None:
            raise LoadError(f"'{file_name}' has no recognisable column headers in its first 30 rows")
        return [result], []

    results: list[SheetResult] = []
    problems: list[LoadError] = []
    for grid in read_workbook(file_name, content, sheet, prescan.formulas_without_value):
        where = f"sheet '{grid.sheet}' of '{file_name}'"
        try:
            result = read_sheet(grid, dataset=dataset, review_schedule=schedule, where=where)
        except LoadError as error:
            if sheet is not None:
                raise
            problems.append(error)  # another sheet may still be readable
            continue
        if result is None and sheet is not None:
            raise LoadError(f"{where} has no recognisable column headers in its first 30 rows")
        if result is not None:
            results.append(result)
    if results:
        return results, problems
    if problems:
        raise problems[0]
    raise LoadError(f"'{file_name}': no sheet has recognisable column headers in its first 30 rows")
