"""Checks on untrusted bytes that run before any spreadsheet parser (../shared/notes/security.md 1.1-1.5).

python-calamine is fast but aborts the whole process when a crafted file makes it allocate too much
(a 2 KB sheet with cells at A1 and XFD1048576, a zip bomb, an ODS row repeated a billion times), so
the package is opened with the standard library first and every part is read through a byte budget.
Every refusal is a LoadError whose message is one line and never quotes the file's contents.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import olefile

from loaders import limits
from loaders.result import LoadError

_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"))
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)([0-9]*)(?::([A-Z]*)([0-9]*))?\"")
_CELL_COLUMN = re.compile(rb"\sr=\"([A-Z]+)[0-9]")
_CELL_ROW = re.compile(rb"\sr=\"[A-Z]+([0-9]+)\"")
_UNIQUE_COUNT = re.compile(rb"uniqueCount=\"([0-9]+)\"")
_WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ODS_TABLE = re.compile(rb"<table:table\s[^>]*>(.*?)</table:table>", re.S)
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ODS_ROWS_REPEATED = re.compile(rb"number-rows-repeated=\"([0-9]+)\"")
_ODS_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated=\"([0-9]+)\"")


def defusedxml_guards_openpyxl() -> bool:
    """True when openpyxl parses XML through defusedxml (entity declarations refused).

    openpyxl uses defusedxml only when it is installed and OPENPYXL_DEFUSEDXML is not "False";
    anything in the project that opens a workbook with openpyxl relies on this.
    """
    import defusedxml.ElementTree
    import openpyxl
    from openpyxl.xml import functions

    return bool(openpyxl.DEFUSEDXML) and functions.iterparse is defusedxml.ElementTree.iterparse


def check_size(file_name: str, content: bytes, max_bytes: int | None = None) -> None:
    """Refuse an empty file, or one over `max_bytes` (default: the browser upload limit)."""
    max_bytes = limits.MAX_FILE_BYTES if max_bytes is None else max_bytes
    if not content:
        raise LoadError(f"'{file_name}' is empty")
    if len(content) > max_bytes:
        raise LoadError(
            f"'{file_name}' is {len(content) / 2**20:.1f} MB, "
            f"over the {max_bytes // 2**20} MB limit for one upload"
        )


def column_number(letters: bytes | str) -> int:
    """Spreadsheet column letters to a 1-based number: A=1, Z=26, AA=27, XFD=16384."""
    number = 0
    for letter in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(letter) - 64
    return number


def cfb_stream_names(file_name: str, content: bytes) -> set[str]:
    """Top-level stream names of a CFB (OLE2) container: 'Workbook' for .xls, 'EncryptedPackage' when
    an .xlsx was saved with a password."""
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as container:
            return {"/".join(path) for path in container.listdir(streams=True, storages=False)}
    except Exception as error:  # olefile raises several types on damaged containers
        raise LoadError(f"'{file_name}' could not be read: the file is damaged or incomplete") from error


@dataclass
class Package:
    """A zip package whose directory passed the checks; parts are read through a byte budget."""

    file_name: str
    archive: zipfile.ZipFile
    budget: int = limits.MAX_TOTAL_BYTES

    def names(self) -> list[str]:
        return self.archive.namelist()

    def read(self, name: str) -> bytes:
        """A part's bytes; a part that inflates past its declared size or the budget is refused."""
        info = self.archive.getinfo(name)
        allowed = min(info.file_size, limits.MAX_MEMBER_BYTES, self.budget)
        try:
            with self.archive.open(info) as member:
                data = member.read(allowed + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise LoadError(
                f"'{self.file_name}' could not be read: the file is damaged or incomplete"
            ) from error
        if len(data) > allowed:
            raise LoadError(
                f"'{self.file_name}' was refused: a part inflates beyond its declared or allowed size"
            )
        self.budget -= len(data)
        return data


def open_package(file_name: str, content: bytes) -> Package:
    """Open a zip and check its directory: member count, names, sizes, compression ratio (notes 1.2)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise LoadError(f"'{file_name}' could not be read: the file is damaged or incomplete") from error
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise LoadError(
            f"'{file_name}' was refused: it holds {len(infos):,} parts, more than a workbook needs"
        )
    total = 0
    for info in infos:
        if _unsafe_member_name(info.filename):
            raise LoadError(f"'{file_name}' was refused: it holds a part with an unsafe path")
        if info.flag_bits & 0x1:
            raise LoadError(f"'{file_name}' is password-protected: remove the password and save it again")
        if info.file_size > limits.MAX_MEMBER_BYTES:
            raise LoadError(f"'{file_name}' was refused: a part would inflate to more than the allowed size")
        if (
            info.file_size > limits.RATIO_CHECK_ABOVE_BYTES
            and info.file_size > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise LoadError(f"'{file_name}' was refused: it is compressed suspiciously well (a zip bomb?)")
        total += info.file_size
    if total > limits.MAX_TOTAL_BYTES:
        raise LoadError(f"'{file_name}' was refused: its parts would inflate to more than the allowed size")
    return Package(file_name, archive)


def _unsafe_member_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in parts[0]


def check_xml_parts(package: Package, kind: str) -> None:
    """Read every XML part once: refuse DTDs (entity bombs, XXE) and sheets that claim a huge range."""
    for name in package.names():
        if not name.endswith((".xml", ".rels", ".vml")):
            continue
        data = package.read(name)
        if any(marker in data for marker in _DTD_MARKERS):
            raise LoadError(
                f"'{package.file_name}' was refused: it contains an XML document type declaration (DTD), "
                "which a spreadsheet never needs"
            )
        if kind == "ods" and name == "content.xml":
            for rows, columns in _ods_table_extents(data):
                _check_extent(package.file_name, rows, columns)
        elif _WORKSHEET_PART.match(name):
            _check_worksheet(package.file_name, data)
        elif name == "xl/sharedStrings.xml":
            _check_shared_strings(package.file_name, data)


def _check_worksheet(file_name: str, data: bytes) -> None:
    dimension = _DIMENSION.search(data, 0, 64 * 1024)
    if dimension:
        first_column, first_row, last_column, last_row = (group or b"" for group in dimension.groups())
        if last_column and last_row:
            columns = column_number(last_column) - column_number(first_column or b"A") + 1
            rows = int(last_row) - int(first_row or b"1") + 1
            _check_extent(file_name, rows, columns)
    columns = max((column_number(letters) for letters in set(_CELL_COLUMN.findall(data))), default=0)
    rows = max(map(int, set(_CELL_ROW.findall(data))), default=0)
    _check_extent(file_name, rows, columns)
    if data.count(b"mergeCell ") > limits.MAX_MERGED_RANGES:
        raise LoadError(
            f"'{file_name}' was refused: a sheet has more than {limits.MAX_MERGED_RANGES:,} merged ranges"
        )


def _check_extent(file_name: str, rows: int, columns: int) -> None:
    if columns > limits.MAX_SHEET_COLUMNS or rows * columns > limits.MAX_SHEET_CELLS:
        raise LoadError(
            f"'{file_name}' was refused: a sheet claims {rows:,} rows x {columns:,} columns, "
            "too large to read safely"
        )


def _check_shared_strings(file_name: str, data: bytes) -> None:
    """calamine reserves memory for the declared uniqueCount; a real count is bounded by the part's size."""
    declared = _UNIQUE_COUNT.search(data, 0, 4096)
    if declared and int(declared.group(1)) > len(data) // 10 + 1000:
        raise LoadError(f"'{file_name}' was refused: its shared-strings table declares an impossible size")


def _ods_table_extents(content_xml: bytes) -> Iterator[tuple[int, int]]:
    """(rows, columns) each ODS table expands to: repeated rows and cells count as many times as they
    repeat, up to the last row and column holding a value (trailing empty repeats are not expanded)."""
    for table in _ODS_TABLE.finditer(content_xml):
        rows_seen = last_filled_row = widest = 0
        for row in _ODS_ROW.finditer(table.group(1)):
            attributes, body = row.group(1), row.group(2) or b""
            repeated = _ODS_ROWS_REPEATED.search(attributes)
            rows_seen += int(repeated.group(1)) if repeated else 1
            if b"office:value-type" not in body:
                continue
            last_filled_row = rows_seen
            widest = max(widest, _ods_row_width(body))
        yield last_filled_row, widest


def _ods_row_width(body: bytes) -> int:
    if b"number-columns-repeated" not in body:
        return body.count(b"<table:table-cell") + body.count(b"<table:covered-table-cell")
    width = filled_width = 0
    for cell in _ODS_CELL.finditer(body):
        repeated = _ODS_COLUMNS_REPEATED.search(cell.group(1))
        width += int(repeated.group(1)) if repeated else 1
        if b"office:value-type" in cell.group(1):
            filled_width = width
    return filled_width
