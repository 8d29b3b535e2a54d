"""CSV extracts: encodings, delimiters, ragged rows and physical line numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from loaders import LoadError, read_extract


def _sheet(text: str, encoding: str = "utf-8", **options):
    (sheet,) = read_extract("extract.csv", text.encode(encoding), **options).sheets
    return sheet


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_utf8_with_or_without_bom_and_windows_1252_read_the_same(encoding):
    sheet = _sheet("Case Ref,Order Date,Team\nA1,03/02/2020,Café £ “North”\n", encoding)
    assert sheet.column_map == {"Case Ref": "case_ref", "Order Date": "order_date", "Team": "team"}
    assert sheet.records["team"].tolist() == ["Café £ “North”"]


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused_naming_the_line():
    with pytest.raises(LoadError, match="line 2 is neither UTF-8 nor Windows-1252"):
        read_extract("x.csv", b"Case Ref,Order Date\nA\x81,03/02/2020\n")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_from_the_header_area(delimiter):
    lines = [
        "Report run on 03/02/2020, by the system",
        "",
        delimiter.join(["Case Ref", "Order Date", "Requirements"]),
    ]
    lines.append(delimiter.join(["A1", "03/02/2020", '"Supervision, Unpaid Work"']))
    sheet = _sheet("\n".join(lines) + "\n")
    assert sheet.header_row == 3
    assert sheet.records["requirements"].tolist() == ["Supervision, Unpaid Work"]


def test_a_row_with_more_fields_than_the_header_is_rejected_not_a_crash():
    sheet = _sheet("Case Ref,Order Date\nA1,03/02/2020\nA2,04/02/2020,stray\nA3,05/02/2020,,\n")
    assert sheet.records["case_ref"].tolist() == ["A1", "A3"]  # empty trailing fields are harmless
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[3, "row has 3 cells, the header has 2"]]


def test_quoted_embedded_newlines_keep_row_numbers_as_a_text_editor_shows_them():
    text = 'Case Ref,Order Date,Team\nA1,03/02/2020,"North\nsecond line\nthird"\nA2,31/02/2020,South\n'
    sheet = _sheet(text)
    assert sheet.records["team"].tolist() == ["North\nsecond line\nthird"]
    assert sheet.records["source_row"].tolist() == [2]
    assert sheet.rejects["row"].tolist() == [5]


def test_cells_stay_text_so_leading_zeros_survive():
    sheet = _sheet("Case Ref,Order Date\n00412,03/02/2020\n")
    assert sheet.records["case_ref"].tolist() == ["00412"]


def test_too_many_data_rows_are_refused_stating_the_limit(monkeypatch):
    from loaders import limits

    assert limits.MAX_DATA_ROWS == 1_500_000
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 3)
    text = "Case Ref,Order Date\n" + "".join(f"A{i},03/02/2020\n" for i in range(4))
    with pytest.raises(LoadError, match="more than 3 data rows"):
        read_extract("x.csv", text.encode())
    blank_lines_do_not_count = "Case Ref,Order Date\n" + "A1,03/02/2020\n\n\n\n,\n" * 3
    assert len(_sheet(blank_lines_do_not_count).records) == 1  # same key: the last row is kept


def test_a_cell_longer_than_excel_allows_rejects_its_row():
    sheet = _sheet(f"Case Ref,Order Date,Team\nA1,03/02/2020,{'x' * 40_000}\nA2,03/02/2020,North\n")
    assert sheet.records["case_ref"].tolist() == ["A2"]
    assert sheet.rejects["reason"].tolist() == ["team: text is longer than 32,767 characters"]
    assert len(sheet.rejects["value"].iloc[0]) <= 200


def test_a_csv_with_no_recognisable_header_is_refused():
    with pytest.raises(LoadError, match="no recognisable column headers"):
        read_extract("x.csv", b"alpha,beta\n1,2\n")


def test_records_have_the_canonical_dtypes():
    sheet = _sheet(
        "Case Ref,Review Due,Review Held,Participated,Review Number\nA1,03/02/2020,04/02/2020,Y,2\n"
    )
    assert sheet.dataset == "reviews"
    dtypes = sheet.records.dtypes
    assert dtypes["review_due"] == "datetime64[ns]"
    assert dtypes["participated"] == "boolean"
    assert dtypes["needs_tool"] == "boolean"
    assert dtypes["review_number"] == "Int64"
    assert dtypes["case_ref"] == "object" and dtypes["team"] == "object"
    assert dtypes["source_row"] == "int64"
    assert pd.isna(sheet.records["needs_tool"].iloc[0])


# --- reading in chunks: a file is parsed a chunk of records at a time, from pieces of its text --------


def _small_chunks(monkeypatch, records: int, characters: int) -> None:
    from loaders import csvfile

    monkeypatch.setattr(csvfile, "_CHUNK_RECORDS", records)
    monkeypatch.setattr(csvfile, "_PIECE_CHARS", characters)


@pytest.mark.parametrize(("records", "characters"), [(1, 1), (2, 7), (3, 40), (8192, 4 * 1024 * 1024)])
def test_a_quoted_note_across_a_chunk_or_piece_boundary_keeps_every_row_and_row_number(
    monkeypatch, records, characters
):
    _small_chunks(monkeypatch, records, characters)
    text = (
        "Case Ref,Order Date,Team\r\n"
        'A1,03/02/2020,"North\r\nsecond line"\r\n'
        'A2,04/02/2020,"one\rtwo\nthree"\r\n'
        "A3,31/02/2020,South\r\n"
        "A4,05/02/2020,South\r\n"
    )
    sheet = _sheet(text)
    assert sheet.records["case_ref"].tolist() == ["A1", "A2", "A4"]
    assert sheet.records["team"].tolist() == ["North\r\nsecond line", "one\rtwo\nthree", "South"]
    assert sheet.records["source_row"].tolist() == [2, 4, 8]
    assert sheet.rejects[["row", "reason"]].values.tolist() == [
        [7, "order_date: '31/02/2020' is not a real date"]
    ]


@pytest.mark.parametrize("quote", ["", '"'])  # a quote left open: the file is read again line by line
def test_a_bad_row_in_a_later_chunk_keeps_its_row_number(monkeypatch, quote):
    _small_chunks(monkeypatch, 4, 30)
    lines = ["Case Ref,Order Date,Team"] + [f"A{i},03/02/2020,North" for i in range(1, 12)]
    lines[9] = "A9,31/02/2020,North"  # line 10, in the third chunk
    lines[11] = f"{quote}A11,03/02/2020,North"
    sheet = _sheet("\n".join(lines) + "\n")
    reasons = [[10, "order_date: '31/02/2020' is not a real date"]]
    if quote:
        reasons.append([12, "unbalanced quote: a quoted field opens on this line and is never closed"])
    assert sheet.rejects[["row", "reason"]].values.tolist() == reasons
    kept = [i for i in range(1, 12) if i != 9 and not (quote and i == 11)]
    assert sheet.records["case_ref"].tolist() == [f"A{i}" for i in kept]
    assert sheet.records["source_row"].tolist() == [i + 1 for i in kept]
    assert sheet.records["team"].tolist() == ["North"] * len(kept)


def test_a_wider_row_in_a_later_chunk_is_rejected_and_the_rows_before_it_are_not(monkeypatch):
    _small_chunks(monkeypatch, 2, 4 * 1024 * 1024)
    lines = ["Case Ref,Order Date", "A1,03/02/2020", "A2,04/02/2020", "", "A3,05/02/2020,stray", "A4"]
    sheet = _sheet("\n".join(lines) + "\n")
    assert sheet.records["case_ref"].tolist() == ["A1", "A2"]
    assert sheet.rejects[["row", "reason"]].values.tolist() == [[5, "row has 3 cells, the header has 2"]]
    assert sheet.skipped_rows == 2  # the blank line and the single-cell row
