"""The quarterly summary file the IJB sees (issue 8): what the figures are, as at when and for whom,
written above the table, so a file read on its own is never misleading.

Both formats start with "label, value" note rows (the data's date, the filters), a blank row, then the
table with its header. Every note and cell is neutralised against formula injection like any export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd

from exports.neutralise import neutralise
from exports.tables import prepared_frame, safe_sheet_name, to_csv_bytes, xlsx_writer

Note = tuple[str, str]


def summary_csv_bytes(table: pd.DataFrame, notes: Sequence[Note]) -> bytes:
    """UTF-8 with a byte-order mark; the note rows, a blank row, then the table, every field quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([str(neutralise(label)), str(neutralise(value))] for label, value in notes)
    writer.writerow([])
    head = buffer.getvalue().encode("utf-8-sig")
    return head + to_csv_bytes(table).removeprefix("\ufeff".encode())


def summary_xlsx_bytes(table: pd.DataFrame, notes: Sequence[Note], sheet_name: str) -> bytes:
    """One sheet: bold note labels, a blank row, then the table with a bold frozen header."""
    prepared = prepared_frame(table)
    sheet = safe_sheet_name(sheet_name)
    header_row = len(notes) + 1
    buffer = io.BytesIO()
    with xlsx_writer(buffer) as writer:
        prepared.to_excel(writer, sheet_name=sheet, index=False, startrow=header_row + 1, header=False)
        worksheet = writer.sheets[sheet]
        bold = writer.book.add_format({"bold": True})
        for row, (label, value) in enumerate(notes):
            worksheet.write_string(row, 0, str(neutralise(label)), bold)
            worksheet.write_string(row, 1, str(neutralise(value)))
        worksheet.write_row(header_row, 0, [str(name) for name in prepared.columns], bold)
        worksheet.freeze_panes(header_row + 1, 0)
        worksheet.autofit()
    return buffer.getvalue()
