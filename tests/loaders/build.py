"""Tiny spreadsheets built in memory for the loader tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import openpyxl
import pandas as pd
import xlwt

ORDERS_HEADER = ["Case Ref", "Order Date", "Order Type", "Requirements", "Team"]


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    title: str = "Orders",
    more: dict | None = None,
    epoch=None,
    merges: Sequence[str] = (),
    hidden: Sequence[str] = (),
) -> bytes:
    """An .xlsx whose first sheet holds `rows` from A1; `more` adds sheets {title: rows}."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    for name, sheet_rows in (more or {}).items():
        extra = book.create_sheet(name)
        for row in sheet_rows:
            extra.append(list(row))
        if name in hidden:
            extra.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(rows: Sequence[Sequence[object]], *, title: str = "Orders") -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet(title)
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if hasattr(value, "year"):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(rows: Sequence[Sequence[object]], *, title: str = "Orders") -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(list(rows[1:]), columns=list(rows[0])).to_excel(
        buffer, engine="odf", index=False, sheet_name=title
    )
    return buffer.getvalue()


def csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def rezip(
    package: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A copy of a zip package with some members replaced or added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def member(package: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(package)).read(name)
