"""Crafted files are refused before any parser allocates for them (../shared/notes/security.md 1, 5.4)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import defusedxml.common
import openpyxl
import pytest

from loaders import LoadError, limits, read_extract
from tests.loaders import build

ROWS = [["Case Ref", "Order Date"], ["A1", datetime(2020, 2, 3)]]
SHEET = "xl/worksheets/sheet1.xml"


def _refused(name: str, content: bytes) -> str:
    with pytest.raises(LoadError) as caught:
        read_extract(name, content)
    message = str(caught.value)
    assert "\n" not in message
    return message


ENTITY_SHEET = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/hostname">'
    b'<!ENTITY lol "lollollollollol">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Case Ref</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Order Date</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;&lol;</t></is></c><c r="B2"><v>43864</v></c></row>'
    b"</sheetData></worksheet>"
)


def test_a_dtd_entity_in_a_sheet_is_refused_and_nothing_from_it_is_shown():
    content = build.rezip(build.xlsx(ROWS), replace={SHEET: ENTITY_SHEET})
    message = _refused("orders.xlsx", content)
    assert "document type declaration" in message
    assert "lol" not in message and "hostname" not in message
    # openpyxl, used elsewhere in the project, refuses the same part rather than expanding it.
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(content))
    assert isinstance(caught.value.__cause__, defusedxml.common.DefusedXmlException)


def test_a_dtd_in_shared_strings_is_refused():
    strings = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst xmlns="x"/>'
    content = build.rezip(build.xlsx(ROWS), add={"xl/sharedStrings.xml": strings})
    assert "document type declaration" in _refused("orders.xlsx", content)


@pytest.mark.parametrize("dimension", [b"A1:XFD1048576", b"A1:N2000000"])
def test_a_sheet_claiming_a_huge_range_is_refused(dimension):
    sheet = build.member(build.xlsx(ROWS), SHEET)
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    crafted = sheet[:start] + b'<dimension ref="' + dimension + b'"/>' + sheet[end:]
    assert "too large to read safely" in _refused(
        "orders.xlsx", build.rezip(build.xlsx(ROWS), replace={SHEET: crafted})
    )


def test_a_lone_cell_at_xfd1048576_is_refused():
    sheet = build.member(build.xlsx(ROWS), SHEET).replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    content = build.rezip(build.xlsx(ROWS), replace={SHEET: sheet})
    assert len(content) < 10_000
    assert "1,048,576 rows x 16,384 columns" in _refused("orders.xlsx", content)


def test_an_impossible_shared_strings_count_is_refused():
    strings = b'<sst xmlns="x" count="900000000" uniqueCount="900000000"><si><t>a</t></si></sst>'
    content = build.rezip(build.xlsx(ROWS), add={"xl/sharedStrings.xml": strings})
    assert "shared-strings" in _refused("orders.xlsx", content)


def test_thousands_of_merged_ranges_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MERGED_RANGES", 3)
    merges = build.xlsx(ROWS, merges=["C1:D1", "C2:D2", "C3:D3", "C4:D4"])
    assert "merged ranges" in _refused("orders.xlsx", merges)


def test_a_zip_bomb_part_is_refused_before_parsing():
    bomb = b"<x>" + b"\x00" * (5 * 1024 * 1024) + b"</x>"  # 5 MiB of zeros deflates about 1000:1
    content = build.rezip(build.xlsx(ROWS), add={"xl/bomb.xml": bomb})
    assert len(content) < 100_000
    assert "compressed suspiciously well" in _refused("orders.xlsx", content)


def test_a_part_larger_than_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MEMBER_BYTES", 500)
    assert "more than the allowed size" in _refused("orders.xlsx", build.xlsx(ROWS))


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 5)
    assert "parts" in _refused("orders.xlsx", build.xlsx(ROWS))


@pytest.mark.parametrize("name", ["../../etc/evil.xml", "/abs.xml", "xl\\evil.xml"])
def test_unsafe_member_paths_are_refused(name):
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(build.xlsx(ROWS)))
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            target.writestr(member, source.read(member))
        info = zipfile.ZipInfo("placeholder")
        info.filename = name
        target.writestr(info, b"<x/>")
    assert "unsafe path" in _refused("orders.xlsx", buffer.getvalue())


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    assert "over the 0 MB limit" in _refused("orders.csv", b"Case Ref,Order Date\n" + b"A,03/02/2020\n" * 20)
    assert limits.MAX_FILE_BYTES == 100
    monkeypatch.undo()
    assert limits.MAX_FILE_BYTES == 25 * 1024 * 1024


def test_the_command_line_may_read_a_larger_file_than_a_browser_upload(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    big = b"Case Ref,Order Date\n" + b"".join(b"A%07d,03/02/2020\n" % n for n in range(100))
    assert "limit for one upload" in _refused("orders.csv", big)
    (sheet,) = read_extract("orders.csv", big, max_bytes=10 * len(big)).sheets
    assert len(sheet.records) == 100


def test_an_ods_row_repeated_into_billions_of_cells_is_refused():
    ods = build.ods([["Case Ref", "Order Date"], ["A1", "03/02/2020"]])
    content = build.member(ods, "content.xml")
    crafted = content.replace(
        b'<table:table-row><table:table-cell office:value-type="string" office:string-value="A1">',
        b'<table:table-row table:number-rows-repeated="1000000">'
        b'<table:table-cell table:number-columns-repeated="16000" office:value-type="string"'
        b' office:string-value="A1">',
    )
    assert crafted != content
    assert "too large to read safely" in _refused(
        "orders.ods", build.rezip(ods, replace={"content.xml": crafted})
    )


def test_trailing_empty_repeats_in_an_ods_are_fine():
    ods = build.ods([["Case Ref", "Order Date"], ["A1", "03/02/2020"]])
    content = build.member(ods, "content.xml").replace(
        b"</table:table>",
        b'<table:table-row table:number-rows-repeated="1048500">'
        b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>',
    )
    result = read_extract("orders.ods", build.rezip(ods, replace={"content.xml": content}))
    assert result.sheets[0].records["case_ref"].tolist() == ["A1"]
