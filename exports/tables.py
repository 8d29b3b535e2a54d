"""A table as CSV or XLSX bytes for a download button, neutralised against formula injection.

Both writers keep exactly the rows and columns given (the page decides what to export), show dates
as dd/mm/yyyy as UK users expect, and write yes/no columns as "Yes"/"No".
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from exports.neutralise import ILLEGAL_CHARACTERS, neutralise_frame

DATE_FORMAT = "%d/%m/%Y"
EXCEL_DATE_FORMAT = "dd/mm/yyyy"
MAX_SHEET_NAME_CHARS = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\s]+")
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def prepared_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralised, with nullable booleans spelled Yes/No and blanks kept blank."""
    prepared = frame.copy()
    for position, dtype in enumerate(prepared.dtypes):
        if pd.api.types.is_bool_dtype(dtype):
            column = prepared.iloc[:, position].astype("boolean")
            words = column.map({True: "Yes", False: "No"}, na_action="ignore").astype(object)
            prepared.isetitem(position, words.where(column.notna(), None))
    return neutralise_frame(prepared)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents and £ correctly), every field quoted."""
    return (
        prepared_frame(frame)
        .to_csv(index=False, quoting=csv.QUOTE_ALL, date_format=DATE_FORMAT, lineterminator="\r\n")
        .encode("utf-8-sig")
    )


def safe_sheet_name(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, not starting or ending with '."""
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS.sub("", name or ""))
    return cleaned.strip(" '")[:MAX_SHEET_NAME_CHARS].strip(" '") or "Sheet1"


def xlsx_writer(buffer: io.BytesIO) -> pd.ExcelWriter:
    """The one way every workbook is opened: xlsxwriter with strings never turned into formulas or
    links (XLSX_OPTIONS) and dates shown the UK way."""
    return pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": XLSX_OPTIONS},
        date_format=EXCEL_DATE_FORMAT,
        datetime_format=EXCEL_DATE_FORMAT,
    )


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str) -> bytes:
    """One sheet: bold frozen header with an autofilter, typed cells, text never read as a formula."""
    prepared = prepared_frame(frame)
    sheet = safe_sheet_name(sheet_name)
    buffer = io.BytesIO()
    with xlsx_writer(buffer) as writer:
        prepared.to_excel(writer, sheet_name=sheet, index=False, startrow=1, header=False)
        worksheet = writer.sheets[sheet]
        bold = writer.book.add_format({"bold": True})
        worksheet.write_row(0, 0, [str(name) for name in prepared.columns], bold)
        if len(prepared.columns):
            worksheet.autofilter(0, 0, len(prepared), len(prepared.columns) - 1)
        worksheet.freeze_panes(1, 0)
        worksheet.autofit()
    return buffer.getvalue()
