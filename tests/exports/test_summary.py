"""The quarterly summary file: notes (the data's date, the filters) above the table, neutralised."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from exports import summary_csv_bytes, summary_xlsx_bytes

TABLE = pd.DataFrame(
    {
        "Measure": ["First contact", "First contact"],
        "Quarter": ["2020-21 Q3", "2020-21 Q4 (partial)"],
        "Met": [1, 0],
        "Rate %": [50.0, None],
        "RAG": ["Red: below target", "No rate"],
    }
)
NOTES = [("Data as at", "15/02/2021 (from the orders extract)"), ("Teams", '=HYPERLINK("x")')]


def test_csv_has_the_notes_a_blank_row_then_the_table():
    text = summary_csv_bytes(TABLE, NOTES).decode("utf-8-sig")

    assert text.split("\r\n") == [
        '"Data as at","15/02/2021 (from the orders extract)"',
        '"Teams","\'=HYPERLINK(""x"")"',  # a team named like a formula is written as text
        "",
        '"Measure","Quarter","Met","Rate %","RAG"',
        '"First contact","2020-21 Q3","1","50.0","Red: below target"',
        '"First contact","2020-21 Q4 (partial)","0","","No rate"',
        "",
    ]
    assert summary_csv_bytes(TABLE, NOTES).startswith(
        b'\xef\xbb\xbf"Data'
    )  # one byte-order mark, at the start


def test_xlsx_has_the_notes_a_blank_row_then_the_table_with_typed_numbers():
    sheet = load_workbook(io.BytesIO(summary_xlsx_bytes(TABLE, NOTES, "quarterly summary"))).active

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Data as at", "15/02/2021 (from the orders extract)")
    assert rows[1][:2] == ("Teams", '\'=HYPERLINK("x")')
    assert all(value is None for value in rows[2])
    assert rows[3] == ("Measure", "Quarter", "Met", "Rate %", "RAG")
    assert rows[4] == ("First contact", "2020-21 Q3", 1, 50.0, "Red: below target")
    assert rows[5] == ("First contact", "2020-21 Q4 (partial)", 0, None, "No rate")
    assert sheet["A1"].font.bold and sheet["A4"].font.bold
    assert sheet.freeze_panes == "A5"
    assert sheet.title == "quarterly summary"
