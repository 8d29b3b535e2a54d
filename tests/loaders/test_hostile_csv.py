"""Hostile or damaged CSV text (issue 13): refused fast with the line named, or the bad rows rejected
with a reason while every good row is kept. Never a swallowed file. Every file is synthetic."""

from __future__ import annotations

import time

import pytest

from loaders import LoadError, limits, read_extract

HEADER = "Case Ref,Order Date,Team"
NEVER_CLOSED = "unbalanced quote: a quoted field opens on this line and is never closed"
TOO_LONG = "unbalanced quote: a quoted field opens on this line and is not closed within 100 lines"
SWALLOWS = "unbalanced quote: a quoted field opens on this line and takes in the rows below it"


def _rows(count: int) -> list[str]:
    """A header and `count` good order rows Q0000, Q0001, ... on lines 2, 3, ..."""
    return [HEADER] + [f"Q{i:04d},03/02/2020,North" for i in range(count)]


def _sheet(lines: list[str]):
    (sheet,) = read_extract("x.csv", ("\n".join(lines) + "\n").encode()).sheets
    return sheet


def _refusal(content: bytes) -> tuple[str, float]:
    began = time.perf_counter()
    with pytest.raises(LoadError) as refused:
        read_extract("x.csv", content)
    return str(refused.value), time.perf_counter() - began


# --- width -----------------------------------------------------------------------------------------


def test_a_line_of_50000_commas_is_refused_at_once_naming_the_line():
    lines = _rows(10)
    lines.insert(11, "," * 50_000)
    message, seconds = _refusal(("\n".join(lines) + "\n").encode())
    assert message == "'x.csv' line 12 has 50,001 fields; an extract has at most 1,024 columns"
    assert seconds < 1.0


def test_a_1_mb_line_of_commas_is_refused_in_well_under_a_second():
    message, seconds = _refusal((HEADER + "\n" + "," * 1_048_576 + "\n").encode())
    assert message == "'x.csv' line 2 has 1,048,577 fields; an extract has at most 1,024 columns"
    assert seconds < 1.0


def test_the_refused_line_is_counted_past_a_note_that_spans_lines():
    lines = _rows(3)
    lines[2] = 'Q0001,03/02/2020,"North\nsecond line of a note\nthird"'  # lines 3 to 5
    lines.append("," * 2_000)  # line 7
    message, _ = _refusal(("\n".join(lines) + "\n").encode())
    assert message == "'x.csv' line 7 has 2,001 fields; an extract has at most 1,024 columns"


def test_a_record_as_wide_as_the_limit_is_read():
    lines = [HEADER + "," * (limits.MAX_SHEET_COLUMNS - 3), "Q1,03/02/2020,North"]
    assert _sheet(lines).records["case_ref"].tolist() == ["Q1"]


def test_too_many_rows_or_cells_are_refused_while_reading(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CSV_RECORDS", 100)
    message, _ = _refusal(("\n".join(_rows(20_000)) + "\n").encode())
    assert message.startswith("'x.csv' has more than 100 rows by line ")
    monkeypatch.setattr(limits, "MAX_CSV_RECORDS", 3_000_000)
    monkeypatch.setattr(limits, "MAX_CSV_FIELDS", 1_000)
    message, _ = _refusal(("\n".join(_rows(20_000)) + "\n").encode())
    assert message.startswith("'x.csv' has more than 1,000 cells by line ")


# --- quotes ----------------------------------------------------------------------------------------


def test_one_stray_quote_rejects_its_row_and_keeps_every_other_row():
    lines = _rows(1_000)
    lines[11] = 'Q0010,03/02/2020,"North'  # data row 11, line 12: the quote is never closed
    sheet = _sheet(lines)
    assert len(sheet.records) == 999
    assert "Q0010" not in set(sheet.records["case_ref"])
    assert sheet.records["team"].str.len().max() == len("North")
    assert sheet.rejects[["row", "column", "reason"]].values.tolist() == [[12, None, TOO_LONG]]
    assert sheet.rejects["value"].tolist() == ['Q0010,03/02/2020,"North']
    assert sheet.records["source_row"].tolist() == [*range(2, 12), *range(13, 1002)]


def test_a_quote_left_open_near_the_end_rejects_its_row():
    lines = _rows(10)
    lines[8] = 'Q0007,03/02/2020,"North'  # line 9, three lines before the end
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == [f"Q{i:04d}" for i in range(10) if i != 7]
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[9, NEVER_CLOSED]]


def test_a_quote_left_open_on_the_last_line_rejects_it():
    lines = _rows(3)
    lines[-1] = 'Q0002,03/02/2020,"North'
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == ["Q0000", "Q0001"]
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[4, NEVER_CLOSED]]


def test_a_stray_quote_closed_by_a_quoted_field_below_keeps_the_rows_between():
    lines = ["Case Ref,Order Date,Requirements,Team"]
    lines += [f'Q{i:04d},03/02/2020,"Supervision, Unpaid Work",North' for i in range(8)]
    lines[3] = 'Q0002,03/02/2020,"Supervision,North'  # the quote opened here is closed on line 5
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == [f"Q{i:04d}" for i in range(8) if i != 2]
    assert set(sheet.records["requirements"]) == {"Supervision, Unpaid Work"}
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[4, SWALLOWS]]


def test_a_stray_quote_closed_by_a_quoted_last_field_keeps_the_rows_between():
    lines = _rows(8)
    lines[3] = 'Q0002,03/02/2020,"North'
    lines[6] = 'Q0005,03/02/2020,"South"'  # closes the stray quote three lines down
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == [f"Q{i:04d}" for i in range(8) if i != 2]
    assert sheet.records["team"].tolist() == ["North"] * 4 + ["South"] + ["North"] * 2
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[4, SWALLOWS]]


def test_a_note_with_line_breaks_is_kept_and_rows_are_numbered_as_lines():
    lines = ["Case Ref,Order Date,Team,Notes"]
    lines += [f"Q{i:04d},03/02/2020,North,short" for i in range(5)]
    note = "\n".join(f"paragraph {n}, with a comma" for n in range(30))
    lines[2] = f'Q0001,03/02/2020,North,"{note}"'  # lines 3 to 32
    lines[4] = 'Q0003,31/02/2020,North,"two\r\nlines"'  # lines 34 and 35
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == ["Q0000", "Q0001", "Q0002", "Q0004"]
    assert sheet.records["source_row"].tolist() == [2, 3, 33, 36]
    assert sheet.rejects["row"].tolist() == [34]


def test_a_note_longer_than_the_line_limit_is_rejected_not_swallowing(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_LINES", 5)
    lines = _rows(4)
    lines[2] = 'Q0001,03/02/2020,"North\n2\n3\n4\n5\n6"'  # lines 3 to 8
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == ["Q0000", "Q0002", "Q0003"]
    assert sheet.records["source_row"].tolist() == [2, 9, 10]
    assert sheet.rejects[["row", "reason"]].values.tolist() == [
        [3, "unbalanced quote: a quoted field opens on this line and is not closed within 5 lines"]
    ]


def test_a_field_longer_than_csv_allows_rejects_its_line():
    lines = _rows(3)
    lines[2] = "Q0001,03/02/2020," + "x" * 200_000
    sheet = _sheet(lines)
    assert sheet.records["case_ref"].tolist() == ["Q0000", "Q0002"]
    (reason,) = sheet.rejects.loc[sheet.rejects["column"].isna(), "reason"]
    assert reason.startswith("could not be read as CSV: field larger than field limit")
    assert sheet.rejects["row"].unique().tolist() == [3]


def test_a_file_of_unbalanced_quotes_is_refused_naming_the_first(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNBALANCED_QUOTES", 3)
    monkeypatch.setattr(limits, "MAX_RECORD_LINES", 2)
    lines = _rows(2) + ['Q9,03/02/2020,"North', "", ""] * 5
    message, _ = _refusal(("\n".join(lines) + "\n").encode())
    assert message == (
        "'x.csv' has more than 3 lines with unbalanced quotes, the first on line 4: check how it was saved"
    )


# --- control characters ----------------------------------------------------------------------------


def test_a_nul_beyond_the_first_4_kb_rejects_its_row_naming_the_column():
    lines = _rows(500)
    lines[400] = "Q0399,03/02/2020,No\x00rth"
    sheet = _sheet(lines)
    assert len(sheet.records) == 499
    assert sheet.rejects.values.tolist() == [
        # the team cell is the problem, so the row is placed in no team's scope (last column)
        [None, 401, "team", "No\u2400rth", "team: 'No\u2400rth' contains a control character", None]
    ]


@pytest.mark.parametrize("control", ["\x01", "\x08", "\x0b", "\x1b", "\x7f"])
def test_other_control_characters_reject_the_row(control):
    sheet = _sheet([HEADER, f"Q{control}1,03/02/2020,North", "Q2,03/02/2020,North"])
    assert sheet.records["case_ref"].tolist() == ["Q2"]
    assert sheet.rejects[["row", "column"]].values.tolist() == [[2, "case_ref"]]
    assert sheet.rejects["reason"].str.endswith("contains a control character").all()
    assert control not in sheet.rejects["value"].iloc[0]


def test_tabs_and_line_breaks_inside_a_value_are_not_controls():
    sheet = _sheet([HEADER, 'Q1,03/02/2020,"North\tTeam"', 'Q2,03/02/2020,"North\nTeam"'])
    assert sheet.records["team"].tolist() == ["North\tTeam", "North\nTeam"]
    assert sheet.rejects.empty


def test_a_control_character_in_a_header_is_shown_not_stored():
    (sheet,) = read_extract("x.csv", b"Case Ref,Order Date,No\x01tes\nQ1,03/02/2020,x\n").sheets
    assert sheet.ignored_columns == ["No\u2401tes"]


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["utf-8", "cp1252"])
def test_a_file_mixing_utf8_and_windows_1252_lines_reads_each_line_right(first):
    second = "cp1252" if first == "utf-8" else "utf-8"
    content = (
        HEADER.encode()
        + b"\n"
        + "Ó001,03/02/2020,Café\n".encode(first)
        + "Ó001,04/02/2020,Café\n".encode(second)
    )
    (sheet,) = read_extract("x.csv", content).sheets
    assert sheet.records["case_ref"].tolist() == ["Ó001", "Ó001"]
    assert sheet.records["team"].tolist() == ["Café", "Café"]


def test_a_line_in_neither_encoding_is_refused_naming_it():
    content = HEADER.encode() + b"\nQ1,03/02/2020,Caf\xc3\xa9\nQ2,03/02/2020,\x81\n"
    message, _ = _refusal(content)
    assert message == ("'x.csv' line 3 is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8'")
