"""Workbook bytes (.xlsx, .xlsm, .xls, .ods) -> one Grid per worksheet, read with python-calamine.

Only cell values are read: formulas come back as their cached values and macros never run. Dates in
1900- and 1904-system workbooks come back as real dates. The bytes have passed loaders.safety first.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
import python_calamine as calamine

from loaders.grid import Grid
from loaders.result import LoadError


def _open(file_name: str, content: bytes) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except calamine.PasswordError as error:
        raise LoadError(
            f"'{file_name}' is password-protected: remove the password and save it again"
        ) from error
    except Exception as error:  # calamine raises several types for damaged files
        raise LoadError(f"'{file_name}' could not be read: the file is damaged or incomplete") from error


def read_workbook(
    file_name: str,
    content: bytes,
    sheet: str | None = None,
    formulas_without_value: dict[str, list[tuple[int, int]]] | None = None,
) -> Iterator[Grid]:
    """Grids of the visible worksheets in workbook order, or of the one named `sheet` (hidden or not).

    `formulas_without_value` (from the pre-scan, by sheet name) is handed on with each sheet's grid.
    """
    book = _open(file_name, content)
    worksheets = [meta for meta in book.sheets_metadata if meta.typ == calamine.SheetTypeEnum.WorkSheet]
    if sheet is not None:
        names = [meta.name for meta in worksheets]
        if sheet not in names:
            listed = ", ".join(f"'{name}'" for name in names)
            raise LoadError(f"'{file_name}' has no sheet called '{sheet}'; its sheets are {listed}")
        chosen = [sheet]
    else:
        chosen = [meta.name for meta in worksheets if meta.visible == calamine.SheetVisibleEnum.Visible]
    for name in chosen:
        try:
            worksheet = book.get_sheet_by_name(name)
            rows = worksheet.to_python(skip_empty_area=False)
            merged = list(worksheet.merged_cell_ranges or [])
        except Exception as error:
            raise LoadError(f"'{file_name}' could not be read: sheet '{name}' is damaged") from error
        cells = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
        yield Grid(
            sheet=name,
            cells=cells,
            excel_rows=np.arange(1, len(cells) + 1, dtype=np.int64),
            merged=merged,
            formulas_without_value=(formulas_without_value or {}).get(name, []),
        )
