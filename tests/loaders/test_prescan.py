"""The pre-scan refuses every crafted sheet that made python-calamine abort (issue 13) before calamine
sees it, and lets ordinary workbooks through unchanged. Every file here is synthetic, built in the test."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from datetime import datetime

import olefile
import openpyxl
import pytest

import loaders.workbook
from loaders import LoadError, limits, read_extract, safety
from tests.loaders import build

ROWS = [["Case Ref", "Order Date"], ["A1", datetime(2020, 2, 3)]]
SHEET = "xl/worksheets/sheet1.xml"
RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HUGE = "1,048,576 rows x 16,384 columns"


@pytest.fixture
def calamine_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal must come from the pre-scan: reaching calamine fails the test (it would abort)."""

    def reached(*_args: object) -> None:
        pytest.fail("python-calamine was reached")

    monkeypatch.setattr(loaders.workbook.calamine.CalamineWorkbook, "from_filelike", reached)


def _refused(name: str, content: bytes) -> str:
    with pytest.raises(LoadError) as caught:
        read_extract(name, content)
    message = str(caught.value)
    assert "\n" not in message
    assert name in message
    return message


def _repack(package: bytes, parts: dict[str, bytes | None]) -> bytes:
    """A copy of a zip with parts replaced, added, or (None) removed."""
    source = zipfile.ZipFile(io.BytesIO(package))
    contents = {name: source.read(name) for name in source.namelist()}
    contents.update(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            if data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def _xlsx_with_rows(extra: bytes, rows: list[list[object]] = ROWS) -> bytes:
    """An openpyxl workbook whose sheet gets `extra` XML at the end of its sheetData."""
    content = build.xlsx(rows)
    sheet = build.member(content, SHEET).replace(b"</sheetData>", extra + b"</sheetData>")
    return _repack(content, {SHEET: sheet})


def _moved_sheet(part: str, target: str, sheet: bytes | None = None) -> bytes:
    """The sheet moved to `part`, the workbook relationship pointing at it by `target`."""
    content = _xlsx_with_rows(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    relationships = build.member(content, RELATIONSHIPS).replace(
        b'Target="/xl/worksheets/sheet1.xml"', b'Target="' + target.encode() + b'"'
    )
    moved = build.member(content, SHEET) if sheet is None else sheet
    return _repack(content, {SHEET: None, part: moved, RELATIONSHIPS: relationships})


# --- .xlsx: quoting, case, spacing and prefixes are the writer's choice ------------------------------


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    "last_row",
    [
        pytest.param(b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>", id="single-quotes"),
        pytest.param(b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>', id="lower-case-reference"),
        pytest.param(
            b'<row r = "1048576" ><c r = "XFD1048576" ><v>1</v></c></row>', id="spaces-around-equals"
        ),
        pytest.param(b'<row r="1048576"><c r=" XFD1048576 "><v>1</v></c></row>', id="spaces-in-reference"),
        pytest.param(
            b'<x:row xmlns:x="' + MAIN + b'" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
            id="namespace-prefix",
        ),
        pytest.param(
            b'<row r="1048575"/><row>' + b"<c/>" * 16383 + b"<c><v>1</v></c></row>", id="no-r-on-the-last-row"
        ),
        pytest.param(b'<row r="7"><c r="XFD1048576"><v>1</v></c></row>', id="cell-outside-its-row"),
    ],
)
def test_a_huge_last_cell_is_refused_however_it_is_written(last_row):
    message = _refused("orders.xlsx", _xlsx_with_rows(last_row))
    assert message == f"'orders.xlsx' was refused: a sheet claims {HUGE}, too large to read safely"


@pytest.mark.usefixtures("calamine_unreachable")
def test_cells_without_r_count_on_from_the_cell_before():
    # C1 has a reference; the next 1,030 cells have none, so the last lands in column 1,033.
    content = _xlsx_with_rows(b'<row><c r="C1"><v>1</v></c>' + b"<c><v>1</v></c>" * 1030 + b"</row>")
    assert "3 rows x 1,033 columns" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize("dimension", [b"ref='A1:XFD1048576'", b'ref = " a1 : xfd1048576 "'])
def test_a_dimension_claim_is_read_however_it_is_quoted(dimension):
    # openpyxl writes `<dimension ref="A1:B2" />`, or `<dimension ref="A1:B2"/>` when lxml is installed
    # (python-docx needs lxml): replace either.
    original = build.member(build.xlsx(ROWS), SHEET)
    sheet = re.sub(rb'<dimension ref="A1:B2"\s*/>', b"<dimension " + dimension + b"/>", original)
    assert sheet != original
    assert HUGE in _refused("orders.xlsx", _repack(build.xlsx(ROWS), {SHEET: sheet}))


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(b'<row r="3"><c r="A-3"><v>1</v></c></row>', id="unparsable-reference"),
        pytest.param(b'<row r="3x"><c><v>1</v></c></row>', id="unparsable-row"),
        pytest.param(b'<row r="3"><c r="A' + b"9" * 5000 + b'"><v>1</v></c></row>', id="5000-digit-row"),
        pytest.param(b'<row r="3"><c r="A3"><v>1</v></row>', id="mismatched-tags"),
        pytest.param(b'<row r="3"><c r="A3"><v>&undefined;</v></c></row>', id="undefined-entity"),
    ],
)
def test_a_damaged_sheet_is_one_line_not_a_traceback(broken):
    message = _refused("orders.xlsx", _xlsx_with_rows(broken))
    assert message == "'orders.xlsx' could not be read: the file is damaged or incomplete"


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_unparsable_dimension_is_damage():
    sheet = build.member(build.xlsx(ROWS), SHEET).replace(b'ref="A1:B2"', b'ref="A1:B"')
    assert "damaged" in _refused("orders.xlsx", _repack(build.xlsx(ROWS), {SHEET: sheet}))


# --- .xlsx: sheets are found where the relationships (and calamine) say they are ---------------------


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    ("part", "target"),
    [
        pytest.param("xl/worksheets/sub/sheet1.xml", "/xl/worksheets/sub/sheet1.xml", id="sub-folder"),
        pytest.param("xl/worksheets/sub/sheet1.xml", "worksheets/sub/sheet1.xml", id="relative"),
        pytest.param("xl/worksheets/sheet1.xml", "../xl/worksheets/sheet1.xml", id="dot-dot"),
        pytest.param("data/anything.xml", "/data/anything.xml", id="any-path"),
        pytest.param("data/anything.xml", "../data/anything.xml", id="dot-dot-elsewhere"),
        pytest.param("XL/WORKSHEETS/SHEET1.XML", "worksheets/sheet1.xml", id="other-case"),
    ],
)
def test_a_huge_sheet_is_found_wherever_the_relationships_put_it(part, target):
    assert HUGE in _refused("orders.xlsx", _moved_sheet(part, target))


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    "sheet",
    [
        pytest.param(None, id="xml-named-bin"),
        pytest.param(b"\x00\x00\x81\x01\x00" * 40, id="xlsb-records"),
    ],
)
def test_a_binary_sheet_part_is_refused(sheet):
    content = _moved_sheet("xl/worksheets/sheet1.bin", "worksheets/sheet1.bin", sheet)
    assert _refused("orders.xlsx", content) == (
        "'orders.xlsx' holds a binary sheet part, which this dashboard does not read; save it as .xlsx"
    )


@pytest.mark.usefixtures("calamine_unreachable")
def test_a_binary_workbook_is_refused():
    content = _repack(build.xlsx(ROWS), {"xl/workbook.bin": b"\x83\x01\x00"})
    assert "binary Excel workbook (.xlsb)" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_a_relationship_to_a_missing_part_is_damage():
    content = _repack(build.xlsx(ROWS), {SHEET: None})
    assert "damaged" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_a_part_named_in_two_roles_is_scanned_in_both():
    content = _xlsx_with_rows(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    relationships = build.member(content, RELATIONSHIPS).replace(
        b"</Relationships>",
        b'<Relationship Id="rId9" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    assert HUGE in _refused("orders.xlsx", _repack(content, {RELATIONSHIPS: relationships}))


@pytest.mark.usefixtures("calamine_unreachable")
def test_two_parts_whose_names_differ_only_in_case_are_refused():
    content = _repack(build.xlsx(ROWS), {"XL/worksheets/sheet1.xml": b"<worksheet/>"})
    assert "two parts with the same name" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_shared_strings_named_by_a_relationship_are_checked():
    strings = b"<sst xmlns='x' count='900000000' uniqueCount='900000000'><si><t>a</t></si></sst>"
    relationships = build.member(build.xlsx(ROWS), RELATIONSHIPS).replace(
        b"</Relationships>",
        b'<Relationship Id="rId9" Target="strings/table.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    content = _repack(build.xlsx(ROWS), {RELATIONSHIPS: relationships, "xl/strings/table.xml": strings})
    assert "shared-strings table declares an impossible size" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_merged_ranges_are_counted_under_any_prefix(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MERGED_RANGES", 2)
    merges = b"".join(b'<x:mergeCell xmlns:x="' + MAIN + b'" ref="C%d:D%d"/>' % (n, n) for n in range(3))
    sheet = build.member(build.xlsx(ROWS), SHEET).replace(
        b"<pageMargins", b"<mergeCells>" + merges + b"</mergeCells><pageMargins"
    )
    assert "more than 2 merged ranges" in _refused("orders.xlsx", _repack(build.xlsx(ROWS), {SHEET: sheet}))


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_dtd_in_a_part_no_relationship_names_is_refused(encoding):
    custom = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'.encode(encoding)
    content = _repack(build.xlsx(ROWS), {"customXml/item9.xml": custom})
    assert "document type declaration" in _refused("orders.xlsx", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_a_package_with_both_opendocument_and_excel_parts_is_refused():
    # calamine tries Excel before OpenDocument, so the Excel sheet would be read unchecked.
    ods = build.ods([["Case Ref", "Order Date"], ["A1", "03/02/2020"]])
    xlsx = zipfile.ZipFile(io.BytesIO(_xlsx_with_rows(b'<row r="9"><c r="XFD9"><v>1</v></c></row>')))
    content = _repack(ods, {name: xlsx.read(name) for name in xlsx.namelist() if name.startswith("xl/")})
    assert "both OpenDocument and Excel workbook parts" in _refused("orders.ods", content)


# --- .ods ---------------------------------------------------------------------------------------------


def _ods_with_rows(rows: bytes, closing_tag: bytes = b"</table:table>") -> bytes:
    """A pandas/odfpy .ods whose table gets `rows` at its end, closed by `closing_tag`."""
    ods = build.ods([["Case Ref", "Order Date"], ["A1", "03/02/2020"]])
    content = build.member(ods, "content.xml").replace(b"</table:table>", rows + closing_tag)
    return _repack(ods, {"content.xml": content})


FILLED_REPEATS = (
    b'<table:table-row table:number-rows-repeated="1000000">'
    b'<table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/>'
    b"</table:table-row>"
)


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_ods_with_rows(FILLED_REPEATS, b"</table:table >"), id="space-in-closing-tag"),
        pytest.param(_ods_with_rows(FILLED_REPEATS.replace(b'"', b"'")), id="single-quotes"),
        pytest.param(
            _ods_with_rows(
                FILLED_REPEATS.replace(b"table:", b"t:").replace(
                    b"<t:table-row", b'<t:table-row xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
                )
            ),
            id="another-prefix",
        ),
    ],
)
def test_an_ods_repeated_into_billions_of_cells_is_refused_however_it_is_written(content):
    assert "1,000,002 rows x 16,000 columns" in _refused("orders.ods", content)


@pytest.mark.usefixtures("calamine_unreachable")
def test_ods_formulas_count_because_calamine_keeps_a_formula_grid():
    formula = b'<table:table-cell table:formula="of:=1"/>'
    rows = b'<table:table-row table:number-rows-repeated="1000">' + formula
    rows += b'<table:table-cell table:number-columns-repeated="100000"/>' + formula + b"</table:table-row>"
    assert "1,002 rows x 100,002 columns" in _refused("orders.ods", _ods_with_rows(rows))


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_unreadable_ods_repeat_is_damage():
    rows = b'<table:table-row table:number-rows-repeated="many"><table:table-cell/></table:table-row>'
    assert "damaged" in _refused("orders.ods", _ods_with_rows(rows))


def test_billions_of_trailing_empty_ods_repeats_cost_nothing_and_are_read():
    rows = (
        b'<table:table-row><table:table-cell office:value-type="string" office:string-value="A2">'
        b'<text:p>A2</text:p></table:table-cell><table:table-cell office:value-type="string" '
        b'office:string-value="04/02/2020"/><table:table-cell table:number-columns-repeated="2000000000"/>'
        b'</table:table-row><table:table-row table:number-rows-repeated="2000000000">'
        b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    result = read_extract("orders.ods", _ods_with_rows(rows))
    assert result.sheets[0].records["case_ref"].tolist() == ["A1", "A2"]


# --- .xls ---------------------------------------------------------------------------------------------

LABEL_SST, DIMENSIONS, MULRK, BOUNDSHEET, SST = 0x00FD, 0x0200, 0x00BD, 0x0085, 0x00FC
XLS_ROWS = [["Case Ref", "Order Date", "Requirements"], ["A1", datetime(2020, 2, 3), 5]]


def _workbook_stream(xls: bytes) -> bytes:
    with olefile.OleFileIO(io.BytesIO(xls)) as container:
        return container.openstream("Workbook").read()


def _edit_record(record_type: int, edit: Callable[[bytearray, int, int], None], nth: int = 0) -> bytes:
    """An xlwt .xls whose `nth` record of a type is edited in place: edit(stream, data offset, length)."""
    xls = build.xls(XLS_ROWS)
    stream = bytearray(_workbook_stream(xls))
    offset, found = 0, []
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == record_type:
            found.append((offset + 4, length))
        offset += 4 + length
    edit(stream, *found[nth])
    buffer = io.BytesIO(xls)
    with olefile.OleFileIO(buffer, write_mode=True) as container:
        container.write_stream("Workbook", bytes(stream))
    return buffer.getvalue()


def _cell_at(row: int, column: int) -> Callable[[bytearray, int, int], None]:
    """An edit moving a one-cell record to (row, column)."""
    return lambda stream, offset, _length: struct.pack_into("<HH", stream, offset, row, column)


def _set(layout: str, at: int, value: int) -> Callable[[bytearray, int, int], None]:
    """An edit writing `value` `at` bytes from a record's data (negative: into its header)."""
    return lambda stream, offset, _length: struct.pack_into(layout, stream, offset + at, value)


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    ("row", "column", "claim"),
    [(0xFFFF, 0xFFFF, "65,536 rows x 65,536 columns"), (0, 0xFFFF, "2 rows x 65,536 columns")],
)
def test_an_xls_cell_far_out_is_refused(row, column, claim):
    assert claim in _refused("orders.xls", _edit_record(LABEL_SST, _cell_at(row, column)))


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_xls_cell_at_the_last_row_and_column_is_measured(monkeypatch):
    # A full 65,536 x 256 grid is within limits.MAX_SHEET_CELLS by design (calamine takes about 1.2 GB);
    # a lower limit shows the walk sees it.
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 10_000_000)
    assert "65,536 rows x 256 columns" in _refused(
        "orders.xls", _edit_record(LABEL_SST, _cell_at(0xFFFF, 0xFF))
    )


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_xls_multiple_cell_record_reaching_far_is_refused():
    def far(stream: bytearray, offset: int, length: int) -> None:
        count = (length - 6) // 6
        struct.pack_into("<HH", stream, offset, 0xFFFF, 0x2000)
        struct.pack_into("<H", stream, offset + length - 2, 0x2000 + count - 1)

    assert "65,536 rows x" in _refused("orders.xls", _edit_record(MULRK, far))


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    ("first_row", "row_after", "column_after", "claim"),
    [
        pytest.param(0, 0xFFFFFFFF, 0xFFFF, "4,294,967,295 rows x 65,535 columns", id="edited"),
        pytest.param(5, 3, 3, "4,294,967,294 rows x 3 columns", id="wrapping"),
    ],
)
def test_an_edited_xls_dimensions_record_is_refused(first_row, row_after, column_after, claim):
    def dimensions(stream: bytearray, offset: int, _length: int) -> None:
        struct.pack_into("<IIHH", stream, offset, first_row, row_after, 0, column_after)

    assert claim in _refused("orders.xls", _edit_record(DIMENSIONS, dimensions))


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize(
    ("record_type", "edit"),
    [
        pytest.param(LABEL_SST, _set("<H", -2, 0x1FF0), id="length-past-the-stream"),
        pytest.param(LABEL_SST, _set("<H", -2, 4), id="shorter-than-calamine-reads"),
        pytest.param(BOUNDSHEET, _set("<I", 0, 0x7FFFFFF0), id="sheet-offset-past-the-stream"),
        pytest.param(SST, _set("<i", 4, -1), id="negative-string-count"),
    ],
)
def test_a_malformed_xls_record_is_damage(record_type, edit):
    message = _refused("orders.xls", _edit_record(record_type, edit))
    assert message == "'orders.xls' could not be read: the file is damaged or incomplete"


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_impossible_xls_shared_string_count_is_refused():
    content = _edit_record(SST, _set("<i", 4, 0x7FFFFFFF))
    assert "shared-strings table declares an impossible size" in _refused("orders.xls", content)


@pytest.mark.usefixtures("calamine_unreachable")
@pytest.mark.parametrize("field", ["fat-sectors", "workbook-size"])
def test_container_sizes_beyond_the_file_are_damage(field):
    content = bytearray(build.xls(XLS_ROWS))
    if field == "fat-sectors":
        struct.pack_into("<I", content, 44, 0x7FFFFFFF)  # calamine reserves 8 GB for the FAT
    else:
        entry = content.index("Workbook".encode("utf-16-le"))
        struct.pack_into("<I", content, entry + 120, 0x7FFFFFFF)
    assert "damaged" in _refused("orders.xls", bytes(content))


@pytest.mark.usefixtures("calamine_unreachable")
def test_an_xls_with_a_zip_appended_is_refused():
    # calamine opens the zip when its .xls reading fails.
    content = build.xls(XLS_ROWS) + _xlsx_with_rows(b'<row r="9"><c r="XFD9"><v>1</v></c></row>')
    assert "both an Excel 97-2003 workbook and a zip package" in _refused("orders.xls", content)


# --- ordinary workbooks read as before ----------------------------------------------------------------

ORDERS = [
    ["Case Ref", "Order Date", "Order Type", "Requirements", "Team"],
    ["00412", datetime(2020, 2, 3), "CPO", "Unpaid Work", "North"],
    ["A2", datetime(2020, 2, 4), "DTTO", None, "South"],
]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("orders.xlsx", build.xlsx(ORDERS, merges=["G1:H1"], more={"Notes": [["x"]]})),
        ("orders.xls", build.xls(ORDERS)),
        ("orders.ods", build.ods(ORDERS)),
    ],
)
def test_ordinary_workbooks_pass_and_read_as_before(name, content):
    (sheet,) = read_extract(name, content).sheets
    assert sheet.records["case_ref"].tolist() == ["00412", "A2"]
    assert sheet.records["order_date"].dt.strftime("%d/%m/%Y").tolist() == ["03/02/2020", "04/02/2020"]
    assert sheet.records["team"].tolist() == ["North", "South"]
    assert sheet.rejects.empty


def test_a_large_ordinary_sheet_passes():
    rows = [["Case Ref", "Order Date"]] + [[f"C{n:05d}", datetime(2020, 1, 1 + n % 28)] for n in range(5000)]
    (sheet,) = read_extract("orders.xlsx", build.xlsx(rows)).sheets
    assert len(sheet.records) == 5000


# --- formulas without a saved value -------------------------------------------------------------------


def _prescan(content: bytes) -> safety.Prescan:
    return safety.check_xml_parts(safety.open_package("orders.xlsx", content), "xlsx")


def test_formulas_without_a_saved_value_are_listed_by_sheet_and_position():
    book = openpyxl.Workbook()  # openpyxl saves formulas without values, as a script would
    book.active.title = "Orders"
    book.active.append(["Case Ref", "Order Date", "Days"])
    book.active.append(["A1", datetime(2020, 2, 3), "=B2-B2"])
    book.active.append(["A2", datetime(2020, 2, 4), 5])
    notes = book.create_sheet("Notes")
    notes["D7"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    assert _prescan(buffer.getvalue()).formulas_without_value == {"Orders": [(1, 2)], "Notes": [(6, 3)]}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(b'<c r="C3"><f>1+1</f><v>2</v></c>', [], id="saved-value"),
        pytest.param(b'<c r="C3" t="str"><f>A1</f><v></v></c>', [(2, 2)], id="empty-value"),
        pytest.param(b'<c r="C3"><f>1+1</f><v/></c>', [(2, 2)], id="empty-element"),
        pytest.param(b'<c r="C3"><f t="shared" si="0"/></c>', [(2, 2)], id="shared-formula"),
        pytest.param(b'<c r="C3"><f>1+1</f>\n  <v>\n  </v></c>', [(2, 2)], id="whitespace-value"),
        pytest.param(
            b'<c r="c3"><f>1+1</f></c><c><f>1</f></c><c/><c><f>2</f><v>2</v></c>', [(2, 2), (2, 3)], id="no-r"
        ),
        pytest.param(b'<c r="A3"><v>2</v></c><c r="B3"><f>A3</f></c>', [(2, 1)], id="second-cell"),
    ],
)
def test_a_formula_without_a_saved_value_is_found(cells, expected):
    content = _xlsx_with_rows(b'<row r="3">' + cells + b"</row>")
    assert _prescan(content).formulas_without_value == ({"Orders": expected} if expected else {})


def test_x14_formulas_after_the_cells_are_not_cells():
    content = build.xlsx(ROWS)
    extension = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="urn:x14"><x14:dataValidations>'
        b'<x14:dataValidation><x14:formula1><xm:f xmlns:xm="urn:xm">Lists!A1:A3</xm:f></x14:formula1>'
        b"</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"
    )
    sheet = build.member(content, SHEET).replace(b"</worksheet>", extension)
    assert _prescan(_repack(content, {SHEET: sheet})).formulas_without_value == {}


def test_too_many_formulas_without_a_value_are_refused(monkeypatch):
    monkeypatch.setattr(safety, "MAX_FORMULAS_WITHOUT_VALUE", 2)
    content = _xlsx_with_rows(
        b'<row r="3"><c r="A3"><f>1</f></c><c r="B3"><f>1</f></c><c r="C3"><f>1</f></c></row>'
    )
    with pytest.raises(LoadError, match="more than 2 formulas have no saved value"):
        _prescan(content)


def test_other_formats_list_no_formulas():
    package = safety.open_package("orders.ods", build.ods(ORDERS))
    assert safety.check_xml_parts(package, "ods") == safety.Prescan()


def test_a_prefixed_r_is_not_a_reference_and_the_cell_counts_on_from_its_row():
    # calamine reads only an unprefixed `r`; this cell is A1048576, within limits (2 columns wide).
    content = _xlsx_with_rows(b'<row xmlns:x="urn:x" r="1048576"><c x:r="XFD1048576"><v>1</v></c></row>')
    assert _prescan(content) == safety.Prescan()
