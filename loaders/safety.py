"""Checks on untrusted bytes that run before any spreadsheet parser (../shared/notes/security.md 1.1-1.5).

python-calamine is fast but aborts the whole process when a crafted file makes it allocate too much
(a 2 KB sheet with cells at A1 and XFD1048576, a zip bomb, an ODS row repeated a billion times, an .xls
DIMENSIONS record claiming four billion rows), so the bytes are read with the standard library first:
zip parts through a byte budget, XML through a streaming expat parser, .xls as BIFF records. A writer
chooses quoting, case, spacing, namespace prefixes and where parts live, so nothing here matches text
with patterns: elements and attributes come from a real parser, parts are found as python-calamine
finds them (fixed names and the workbook relationships), and positions are counted as calamine counts
them, erring towards counting more. This is the first line of defence; a memory-capped reader is the
last. Every refusal is a LoadError whose message is one line and never quotes the file's contents.
"""

from __future__ import annotations

import io
import posixpath
import string
import struct
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import olefile

from loaders import limits
from loaders.result import LoadError

# A pre-scan limit (a candidate for loaders/limits.py): formula cells without a saved value reported for
# one workbook. Each costs about 100 bytes here; a workbook with more was never calculated by Excel.
MAX_FORMULAS_WITHOUT_VALUE = 1_000_000

_CHUNK_BYTES = 256 * 1024  # zip parts inflate and parse in pieces of this size
_DIGITS = "0123456789"
# The longest row number and column letters a reference may have: XFD1048576 needs 3 and 7, and calamine
# keeps positions in 32 bits; longer ones are damage (and would make a refusal message pages long).
_MAX_ROW_DIGITS, _MAX_COLUMN_LETTERS = 10, 7
_CELL = object()  # the handler slot of a worksheet's <c>, which _SheetScan._start handles inline
_LETTERS = string.ascii_letters
_WITHOUT_DIGITS = str.maketrans("", "", _DIGITS)
_WITHOUT_LETTERS = str.maketrans("", "", _LETTERS)
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<")


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
        raise _damaged(file_name) from error


def _damaged(file_name: str) -> LoadError:
    return LoadError(f"'{file_name}' could not be read: the file is damaged or incomplete")


def _check_extent(file_name: str, rows: int, columns: int) -> None:
    if columns > limits.MAX_SHEET_COLUMNS or rows * columns > limits.MAX_SHEET_CELLS:
        raise LoadError(
            f"'{file_name}' was refused: a sheet claims {rows:,} rows x {columns:,} columns, "
            "too large to read safely"
        )


def _check_merged(file_name: str, merged: int) -> None:
    if merged > limits.MAX_MERGED_RANGES:
        raise LoadError(
            f"'{file_name}' was refused: a sheet has more than {limits.MAX_MERGED_RANGES:,} merged ranges"
        )


def _fold(name: str) -> bytes:
    """A part name as python-calamine compares it: ASCII letters in either case are the same."""
    return name.encode("utf-8", "surrogateescape").lower()


# --- zip packages ---------------------------------------------------------------------------------


@dataclass
class Package:
    """A zip package whose directory passed the checks; parts are read through a byte budget."""

    file_name: str
    archive: zipfile.ZipFile
    budget: int = limits.MAX_TOTAL_BYTES
    _by_folded_name: dict[bytes, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_folded_name = {_fold(name): name for name in self.archive.namelist()}

    def names(self) -> list[str]:
        return self.archive.namelist()

    def find(self, name: str) -> str | None:
        """The part called `name` ignoring ASCII case, as python-calamine looks parts up; None if absent."""
        return self._by_folded_name.get(_fold(name))

    def stream(self, name: str) -> Generator[bytes, None, None]:
        """A part's bytes in chunks, charged to the budget as they inflate; a part that inflates past its
        declared size, the per-part limit or the budget is refused."""
        info = self.archive.getinfo(name)
        allowed = min(info.file_size, limits.MAX_MEMBER_BYTES, self.budget)
        inflated = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK_BYTES):
                    inflated += len(chunk)
                    if inflated > allowed:
                        raise LoadError(
                            f"'{self.file_name}' was refused: a part inflates beyond its declared or "
                            "allowed size"
                        )
                    self.budget -= len(chunk)
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise _damaged(self.file_name) from error

    def read(self, name: str) -> bytes:
        """A part's bytes, read through the budget like `stream`."""
        return b"".join(self.stream(name))

    def head(self, name: str) -> bytes:
        """A part's first bytes (at most 64), enough to tell XML from binary."""
        with self.archive.open(name) as member:
            try:
                head = member.read(64)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
                raise _damaged(self.file_name) from error
        self.budget -= len(head)
        return head


def open_package(file_name: str, content: bytes) -> Package:
    """Open a zip and check its directory: member count, names, sizes, compression ratio (notes 1.2)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise _damaged(file_name) from error
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise LoadError(
            f"'{file_name}' was refused: it holds {len(infos):,} parts, more than a workbook needs"
        )
    if len({_fold(info.filename) for info in infos}) < len(infos):
        # Two parts whose names differ only in case: python-calamine would read one, the checks the other.
        raise LoadError(f"'{file_name}' was refused: it holds two parts with the same name")
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


@dataclass(frozen=True)
class Prescan:
    """What the pre-scan learned that the reader needs.

    `formulas_without_value` maps a worksheet's name (as the workbook lists it) to the 0-based
    (row, column) of every formula cell with no saved value, in file order: python-calamine reads such a
    cell as blank, so a row that relies on it should be rejected rather than read as empty. Only .xlsx and
    .xlsm sheets are listed, and only sheets that have such cells.
    """

    formulas_without_value: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def check_xml_parts(package: Package, kind: str) -> Prescan:
    """Stream every XML part of a checked package once: refuse DTDs (entity bombs, XXE), malformed XML in
    the parts python-calamine reads, binary sheets, and sheets that claim a huge range."""
    if kind == "ods":
        return _check_ods(package)
    return _OoxmlScan(package).run()


# --- XML plumbing ---------------------------------------------------------------------------------


class _RootReached(Exception):
    """The root element began, so a document type declaration can no longer follow."""


def _xml_parser(file_name: str) -> expat.XMLParserType:
    """An expat parser that refuses a document type declaration (and so every entity) where it begins.

    Names arrive as written (`x:c`), so elements are matched on the local part after any prefix: python-
    calamine ignores namespaces too.
    """
    parser = expat.ParserCreate()

    def refuse(*_declaration: object) -> None:
        raise LoadError(
            f"'{file_name}' was refused: it contains an XML document type declaration (DTD), "
            "which a spreadsheet never needs"
        )

    parser.StartDoctypeDeclHandler = refuse
    return parser


def _is_xml_part(package: Package, name: str) -> bool:
    """True unless a part's first bytes rule XML out (UTF-8 or UTF-16, with or without a BOM): an image, a
    VBA project or an .xlsb-style binary sheet. Leading whitespace alone leaves the question open."""
    head = package.head(name).lstrip(b" \t\r\n")
    return not head or head.startswith(_XML_STARTS)


def _feed(
    package: Package,
    name: str,
    parser: expat.XMLParserType,
    after_chunk: Callable[[], None] | None = None,
) -> None:
    """Stream a part through `parser` to its end, calling `after_chunk` after each piece; malformed or
    truncated XML is a damaged file."""
    with closing(package.stream(name)) as chunks:
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
                if after_chunk is not None:
                    after_chunk()
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise _damaged(package.file_name) from error


def _refuse_binary_sheet(package: Package, name: str) -> None:
    """A part calamine would read as a sheet must be XML: .xlsb-style binary sheets are not read."""
    if name.lower().endswith(".bin") or not _is_xml_part(package, name):
        raise LoadError(
            f"'{package.file_name}' holds a binary sheet part, which this dashboard does not read; "
            "save it as .xlsx"
        )


def _check_prolog(package: Package, name: str) -> None:
    """Refuse a DTD in a part no reader parses in full: only the prolog, before the root element, may hold
    one, so parsing stops there. Empty parts and parts that are not XML (images, printer settings) are
    skipped."""
    if package.archive.getinfo(name).file_size == 0 or not _is_xml_part(package, name):
        return
    parser = _xml_parser(package.file_name)

    def root_reached(_name: str, _attributes: dict[str, str]) -> None:
        raise _RootReached

    parser.StartElementHandler = root_reached
    try:
        _feed(package, name, parser)
    except _RootReached:
        return


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _parse_count(file_name: str, text: str) -> int:
    """A whole number attribute (a repeat or a count) of at most 20 digits (calamine reads it into 64
    bits); anything else is a damaged file."""
    digits = text.strip()
    if not digits or len(digits) > 20 or digits.strip(_DIGITS):
        raise _damaged(file_name)
    return int(digits)


# --- .xlsx / .xlsm --------------------------------------------------------------------------------

# python-calamine opens these by fixed name (ignoring case), whatever the relationships say; an .xlsb's
# binary workbook is tried when the XML one fails.
_CALAMINE_WORKBOOK = "xl/workbook.xml"
_CALAMINE_SHARED_STRINGS = "xl/sharedStrings.xml"
_CALAMINE_STYLES = "xl/styles.xml"
_BINARY_WORKBOOK_PARTS = ("xl/workbook.bin", "xl/_rels/workbook.bin.rels")
_OOXML_WORKBOOK_PARTS = ("xl/_rels/workbook.xml.rels", _CALAMINE_WORKBOOK, *_BINARY_WORKBOOK_PARTS)
_SHEET_RELATIONSHIPS = ("/worksheet", "/chartsheet", "/dialogsheet", "/xlMacrosheet", "/xlIntlMacrosheet")


@dataclass(frozen=True)
class _Relationship:
    type: str
    target: str
    external: bool


class _OoxmlScan:
    """Follows the package as python-calamine reads it and scans each part once in each role.

    `_rels/.rels` names the workbook (calamine also opens xl/workbook.xml by name); the workbook's
    relationships name its sheets, shared strings and other parts, wherever they live. A relationship
    target is resolved both as the packaging standard says and as calamine does ('xl/' + target), and
    every part either way that exists is scanned. A part named in two roles (a crafted relationship can
    call a sheet 'shared strings') is scanned in both. Every other part is checked for a DTD.
    """

    def __init__(self, package: Package) -> None:
        self.package = package
        self.file_name = package.file_name
        self.claimed: set[tuple[str, str]] = set()  # (role, part)
        self.scanned: set[str] = set()  # parts scanned in any role
        self.formulas: dict[str, list[tuple[int, int]]] = {}
        self.formula_count = 0

    def run(self) -> Prescan:
        if any(self.package.find(name) for name in _BINARY_WORKBOOK_PARTS):
            raise LoadError(
                f"'{self.file_name}' is a binary Excel workbook (.xlsb), which this dashboard does not "
                "read; save it as .xlsx"
            )
        for workbook in self._workbooks():
            self._scan_workbook(workbook)
        shared_strings = self.package.find(_CALAMINE_SHARED_STRINGS)
        if shared_strings:
            self._scan_shared_strings(shared_strings)
        styles = self.package.find(_CALAMINE_STYLES)
        if styles:
            self._scan_well_formed(styles)
        for name in self.package.names():
            if name not in self.scanned and not name.endswith("/"):
                _check_prolog(self.package, name)
        return Prescan(self.formulas)

    def _claim(self, role: str, part: str) -> bool:
        """True the first time a part is scanned in a role."""
        if (role, part) in self.claimed:
            return False
        self.claimed.add((role, part))
        self.scanned.add(part)
        return True

    def _workbooks(self) -> list[str]:
        """The workbook parts: the package's officeDocument target and calamine's xl/workbook.xml."""
        found: list[str] = []
        root_relationships = self.package.find("_rels/.rels")
        if root_relationships:
            for relationship in self._relationships(root_relationships).values():
                if relationship.type.endswith("/officeDocument") and not relationship.external:
                    found.extend(self._targets("", relationship.target, calamine_rule=False))
        named = self.package.find(_CALAMINE_WORKBOOK)
        if named:
            found.append(named)
        return list(dict.fromkeys(found))

    def _scan_workbook(self, workbook: str) -> None:
        """The workbook's sheets, shared strings and every other part its relationships name."""
        if not self._claim("workbook", workbook):
            return
        folder, base = posixpath.split(workbook)
        relationships_part = self.package.find(posixpath.join(folder, "_rels", base + ".rels"))
        relationships = self._relationships(relationships_part) if relationships_part else {}
        for part, sheet_names in self._sheet_parts(workbook, relationships).items():
            self._scan_sheet(part, sheet_names)
        internal = [relationship for relationship in relationships.values() if not relationship.external]
        for relationship in internal:
            if relationship.type.endswith("/sharedStrings"):
                for part in self._existing_targets(folder, relationship.target):
                    self._scan_shared_strings(part)
        for relationship in internal:
            for part in self._targets(folder, relationship.target):
                self._scan_well_formed(part)

    def _sheet_parts(self, workbook: str, relationships: dict[str, _Relationship]) -> dict[str, list[str]]:
        """Each sheet part with the names the workbook gives it: those its <sheet> elements reach through
        the relationships, and those relationships of a sheet type reach (without a name). A <sheet>
        whose relationship or part is missing is a damaged file."""
        folder = posixpath.dirname(workbook)
        names_by_part: dict[str, list[str]] = {}
        for sheet_name, identifiers in _read_sheet_list(self.package, workbook):
            for identifier in identifiers:
                relationship = relationships.get(identifier)
                if relationship is None or relationship.external:
                    raise _damaged(self.file_name)
                for part in self._existing_targets(folder, relationship.target):
                    names_by_part.setdefault(part, []).append(sheet_name)
        for relationship in relationships.values():
            if not relationship.external and relationship.type.endswith(_SHEET_RELATIONSHIPS):
                for part in self._existing_targets(folder, relationship.target):
                    names_by_part.setdefault(part, [])
        return names_by_part

    def _targets(self, folder: str, target: str, *, calamine_rule: bool = True) -> list[str]:
        """The existing parts a relationship target may mean (see the class docstring)."""
        candidates = [_resolve(folder, target)]
        if calamine_rule:
            candidates.append(_calamine_path(target))
        found = (self.package.find(candidate) for candidate in candidates if candidate is not None)
        return list(dict.fromkeys(name for name in found if name))

    def _existing_targets(self, folder: str, target: str) -> list[str]:
        """As `_targets`, but a target that names no part is a damaged file."""
        found = self._targets(folder, target)
        if not found:
            raise _damaged(self.file_name)
        return found

    def _relationships(self, part: str) -> dict[str, _Relationship]:
        self._claim("relationships", part)
        return _read_relationships(self.package, part)

    def _scan_sheet(self, part: str, sheet_names: list[str]) -> None:
        if not self._claim("sheet", part):
            return
        _refuse_binary_sheet(self.package, part)
        parser = _xml_parser(self.file_name)
        sheet = _SheetScan(self.file_name, parser, MAX_FORMULAS_WITHOUT_VALUE - self.formula_count)
        _feed(self.package, part, parser, after_chunk=sheet.measure_references)
        sheet.finish()
        _check_extent(self.file_name, sheet.rows, sheet.columns)
        _check_merged(self.file_name, sheet.merged)
        self.formula_count += len(sheet.formulas)
        if sheet.formulas:
            for sheet_name in sheet_names:
                self.formulas[sheet_name] = sheet.formulas

    def _scan_shared_strings(self, part: str) -> None:
        """calamine may reserve memory for the declared uniqueCount; a real count is bounded by the part's
        size. Only the root element is examined; the rest is parsed for well-formedness at C speed."""
        if not self._claim("shared strings", part):
            return
        parser = _xml_parser(self.file_name)
        size = self.package.archive.getinfo(part).file_size

        def root(_name: str, attributes: dict[str, str]) -> None:
            parser.StartElementHandler = None
            declared = attributes.get("uniqueCount")
            if declared is not None and _parse_count(self.file_name, declared) > size // 10 + 1000:
                raise LoadError(
                    f"'{self.file_name}' was refused: its shared-strings table declares an impossible size"
                )

        parser.StartElementHandler = root
        _feed(self.package, part, parser)

    def _scan_well_formed(self, part: str) -> None:
        """A part the workbook names (styles, theme, calculation chain...) and not yet scanned: no DTD,
        and well-formed XML to its end. Binary parts it names (a VBA project) need no check."""
        if part not in self.scanned and self._claim("xml", part) and _is_xml_part(self.package, part):
            _feed(self.package, part, _xml_parser(self.file_name))


def _resolve(folder: str, target: str) -> str | None:
    """A relationship target as a part name (ECMA-376 Part 2, 9.3): absolute from the package root when
    it begins with '/', else relative to the source part's folder. None when it leaves the package."""
    path = posixpath.normpath(target[1:] if target.startswith("/") else posixpath.join(folder, target))
    if path in (".", "..") or path.startswith("../"):
        return None
    return path


def _calamine_path(target: str) -> str:
    """python-calamine's reading of a workbook relationship target: 'xl/' is prefixed unless present."""
    if target.startswith("/xl/"):
        return target[1:]
    if target.startswith("xl/"):
        return target
    return "xl/" + target


def _read_relationships(package: Package, part: str) -> dict[str, _Relationship]:
    """A relationships part's entries by Id (attributes matched exactly, as calamine matches them)."""
    parser = _xml_parser(package.file_name)
    found: dict[str, _Relationship] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            found[attributes.get("Id", "")] = _Relationship(
                type=attributes.get("Type", ""),
                target=attributes.get("Target", ""),
                external=attributes.get("TargetMode", "") == "External",
            )

    parser.StartElementHandler = start
    _feed(package, part, parser)
    return found


def _read_sheet_list(package: Package, workbook: str) -> list[tuple[str, list[str]]]:
    """Each <sheet> of a workbook part: its name and every relationship id it gives (an attribute named
    'id' under any prefix: calamine reads r:id and relationships:id). A binary workbook is refused."""
    _refuse_binary_sheet(package, workbook)
    parser = _xml_parser(package.file_name)
    sheets: list[tuple[str, list[str]]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "sheet":
            identifiers = [value for key, value in attributes.items() if _local(key) == "id" and ":" in key]
            sheets.append((attributes.get("name", ""), identifiers))

    parser.StartElementHandler = start
    _feed(package, workbook, parser)
    return sheets


class _SheetScan:
    """One worksheet part's extent, merged ranges and formulas without a value, from expat events.

    Positions follow calamine's reader: a cell's `r` gives its row and column (any case; spaces are
    tolerated here); a <row> without `r` is the previous row + 1; a <c> without `r` is the previous
    cell's column + 1 in the current row. Every <c> counts, with or without a value. The extent is
    measured from A1, and a <dimension ref> is checked on its own.

    Speed: expat calls back into Python for every start tag, so an element of no interest (<v>, <is>,
    <t>) costs a dict lookup, and a cell with an `r` only appends it to a batch that
    `measure_references` measures after each chunk in C. A formula cell alone follows end tags and text,
    until its </c>, to see whether a <v> or <is> after the <f> holds a value. An <f> belongs to the last
    <c> unless a <row> or an <extLst> (where x14 formulas live) began since.
    """

    def __init__(self, file_name: str, parser: expat.XMLParserType, formula_allowance: int) -> None:
        self.file_name = file_name
        self.rows = self.columns = self.merged = 0
        self.formulas: list[tuple[int, int]] = []
        self._formula_allowance = formula_allowance  # formulas without a value this sheet may list
        self._parser = parser
        self._handlers: dict[str, Any] = {}  # name as written -> _CELL, a method or None
        self._column_numbers: dict[str, int] = {}
        self._references: list[str] = []  # of cells with an `r`, not yet measured
        self._mark = 0  # len(_references) when the last cell without `r`, <row> or <f> began
        self._counted_cell_open = False  # the last cell had no `r` and its <f> may follow
        self._row = 0  # where a cell without `r` goes
        self._next_row = 0  # the row a <row> without `r` takes
        self._next_column = 0  # where a cell without `r` goes, unless the last cell had an `r`
        self._counted_row = 0  # the row of the last cell without `r`
        self._formula: tuple[int, int] | None = None  # the formula cell being followed
        self._in_formula = False
        self._value_seen = False
        parser.StartElementHandler = self._start_handler()

    def finish(self) -> None:
        """Measure what is left (a formula cell is left open only by a malformed part)."""
        self.measure_references()
        self._end_formula_cell()

    def _start_handler(self) -> Callable[[str, dict[str, str]], None]:
        """The callback for every start tag, a closure over locals because it runs millions of times."""
        handlers = self._handlers
        learn = self._handler_for
        count_cell = self._count_cell
        add_reference = self._references.append

        def start(name: str, attributes: dict[str, str]) -> None:
            try:
                handler = handlers[name]
            except KeyError:
                handler = handlers[name] = learn(_local(name))
            if handler is _CELL:
                reference = attributes.get("r")
                if reference is None:
                    count_cell()
                else:
                    add_reference(reference)
            elif handler is not None:
                handler(attributes)

        return start

    def _handler_for(self, local: str) -> Any:
        return {
            "c": _CELL,
            "row": self._start_row,
            "f": self._start_formula,
            "dimension": self._check_dimension,
            "mergeCell": self._count_merged,
            "extLst": self._leave_cell,
        }.get(local)

    def measure_references(self) -> None:
        """Fold the batch of cell references into the extent, in C: the furthest column among the
        letters and the furthest row among the digits. Where calamine can read a reference (letters,
        then digits) this is exact; where it cannot, it fails the sheet without allocating. The last
        reference stays while the next cell may need it (a cell without `r`, or an <f>)."""
        references = self._references
        if not references:
            return
        joined = " ".join(references)
        last_column = max(map(self._column, set(joined.translate(_WITHOUT_DIGITS).split())), default=-1)
        last_row = max(map(self._row_digits, set(joined.translate(_WITHOUT_LETTERS).split())), default=0)
        self._extend(last_row - 1, last_column)
        if self._last_cell_referenced():
            del references[:-1]
        else:
            references.clear()
        self._mark = 0

    def _extend(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row + 1)
        self.columns = max(self.columns, column + 1)

    def _last_cell_referenced(self) -> bool:
        return len(self._references) > self._mark

    def _reset_cell(self) -> None:
        """No cell is open: a cell without `r` goes to `_next_column`, and an <f> belongs to no cell."""
        self._mark = len(self._references)
        self._counted_cell_open = False

    def _start_row(self, attributes: dict[str, str]) -> None:
        if self._formula is not None:
            self._end_formula_cell()
        reference = attributes.get("r")
        self._row = self._next_row if reference is None else self._row_number(reference)
        self._next_row = self._row + 1
        self._next_column = 0
        self._reset_cell()

    def _count_cell(self) -> None:
        """A <c> without `r`: the column after the last cell's, in the current row."""
        if self._formula is not None:
            self._end_formula_cell()
        column = self._column_after_last_cell()
        self._extend(self._row, column)
        self._reset_cell()
        self._next_column = column + 1
        self._counted_row = self._row
        self._counted_cell_open = True

    def _column_after_last_cell(self) -> int:
        if self._last_cell_referenced():
            return self._position(self._references[-1])[1] + 1
        return self._next_column

    def _position(self, reference: str) -> tuple[int, int]:
        """A cell reference ('B7', 'xfd1048576', ' C 3 ') as a 0-based (row, column)."""
        text = "".join(reference.split())
        letters = text.rstrip(_DIGITS)
        row = self._row_digits(text[len(letters) :]) - 1
        if row < 0:
            raise _damaged(self.file_name)
        return row, self._column(letters)

    def _row_digits(self, digits: str) -> int:
        """A reference's row number; digits that are not 0-9, or too many, are a damaged file."""
        if len(digits) > _MAX_ROW_DIGITS or digits.strip(_DIGITS):
            raise _damaged(self.file_name)
        return int(digits) if digits else 0

    def _column(self, letters: str) -> int:
        """Column letters ('B', 'xfd') as a 0-based column; anything else is a damaged file."""
        column = self._column_numbers.get(letters)
        if column is None:
            if not (letters.isascii() and letters.isalpha()) or len(letters) > _MAX_COLUMN_LETTERS:
                raise _damaged(self.file_name)
            column = self._column_numbers[letters] = column_number(letters.upper()) - 1
        return column

    def _row_number(self, reference: str) -> int:
        """A <row r> ('7'; calamine skips letters before the digits, as in 'A7') as a 0-based row."""
        number = self._row_digits(reference.strip().lstrip(_LETTERS))
        if number < 1:
            raise _damaged(self.file_name)
        return number - 1

    def _check_dimension(self, attributes: dict[str, str]) -> None:
        """<dimension ref="A1:N200">: the range it claims, however far from A1 it starts."""
        reference = attributes.get("ref")
        if reference is None:
            return
        corners = [self._position(corner) for corner in reference.split(":")]
        if len(corners) > 2:
            raise _damaged(self.file_name)
        (first_row, first_column), (last_row, last_column) = corners[0], corners[-1]
        rows = abs(last_row - first_row) + 1
        columns = abs(last_column - first_column) + 1
        _check_extent(self.file_name, rows, columns)

    def _count_merged(self, _attributes: dict[str, str]) -> None:
        self.merged += 1

    def _leave_cell(self, _attributes: dict[str, str]) -> None:
        self._next_column = self._column_after_last_cell()
        self._reset_cell()

    def _start_formula(self, _attributes: dict[str, str]) -> None:
        if self._last_cell_referenced():
            self._formula = self._position(self._references[-1])
        elif self._counted_cell_open:
            self._formula = (self._counted_row, self._next_column - 1)
        else:
            return
        self._next_column = self._formula[1] + 1
        self._reset_cell()
        self._in_formula = True
        self._value_seen = False
        self._parser.EndElementHandler = self._end_in_formula_cell
        self._parser.CharacterDataHandler = self._text_in_formula_cell

    def _end_in_formula_cell(self, name: str) -> None:
        local = _local(name)
        if local == "f":
            self._in_formula = False
        elif local == "c":
            self._end_formula_cell()

    def _text_in_formula_cell(self, text: str) -> None:
        if not self._in_formula and not text.isspace():
            self._value_seen = True

    def _end_formula_cell(self) -> None:
        if self._formula is None:
            return
        if not self._value_seen:
            if len(self.formulas) >= self._formula_allowance:
                raise LoadError(
                    f"'{self.file_name}' was refused: more than {MAX_FORMULAS_WITHOUT_VALUE:,} formulas "
                    "have no saved value; open it in Excel and save it again"
                )
            self.formulas.append(self._formula)
        self._formula = None
        self._parser.EndElementHandler = None
        self._parser.CharacterDataHandler = None


# --- .ods -----------------------------------------------------------------------------------------

# Attributes (local names) that make calamine keep an ODS cell and every repeat of it: a value or a
# formula. A value type alone counts too, although calamine keeps only string ones.
_ODS_HOLDING = frozenset(
    {"value-type", "value", "date-value", "time-value", "boolean-value", "string-value", "formula"}
)


def _check_ods(package: Package) -> Prescan:
    """Scan content.xml, the one part calamine reads; every other part is checked for a DTD. A package
    that also holds an Excel workbook is refused: python-calamine tries Excel before OpenDocument."""
    if any(package.find(name) for name in _OOXML_WORKBOOK_PARTS):
        raise LoadError(
            f"'{package.file_name}' was refused: it holds both OpenDocument and Excel workbook parts"
        )
    for name in package.names():
        if name == "content.xml":
            parser = _xml_parser(package.file_name)
            _OdsScan(package.file_name, parser)
            _feed(package, name, parser)
        elif not name.endswith("/"):
            _check_prolog(package, name)
    return Prescan()


class _OdsTable:
    """Counts for one <table:table> as calamine fills it."""

    __slots__ = ("filled_width", "last_filled_row", "position", "row_repeats", "rows_seen", "widest")

    def __init__(self) -> None:
        self.rows_seen = self.last_filled_row = self.widest = 0
        self.row_repeats = self.position = self.filled_width = 0


class _OdsScan:
    """Each ODS table's extent from expat events, namespace prefixes ignored.

    Repeated rows and cells count as many times as they repeat, up to the last row and column holding a
    value or a formula (calamine keeps every repeat of such a cell, and fills a formula grid beside the
    value grid); trailing empty repeats cost calamine nothing and are not counted. Measured against
    python-calamine 0.5.4: a row of 2,000,000,000 empty cells or rows at the end of a table reads in
    milliseconds, while 1,000 rows of 16,000 formula cells take 865 MB.
    """

    def __init__(self, file_name: str, parser: expat.XMLParserType) -> None:
        self.file_name = file_name
        self._tables: list[_OdsTable] = []  # open tables, innermost last (a cell may hold a table)
        self._attribute_names: dict[str, str] = {}
        self._element_names: dict[str, str] = {}  # as written -> local name
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

    def _local_element(self, name: str) -> str:
        local = self._element_names.get(name)
        if local is None:
            local = self._element_names[name] = _local(name)
        return local

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = self._local_element(name)
        if local == "table":
            self._tables.append(_OdsTable())
        elif not self._tables:
            return
        elif local == "table-row":
            self._start_row(attributes)
        elif local in ("table-cell", "covered-table-cell"):
            self._start_cell(attributes)

    def _end(self, name: str) -> None:
        if not self._tables:
            return
        local = self._local_element(name)
        if local == "table":
            table = self._tables.pop()
            _check_extent(self.file_name, table.last_filled_row, table.widest)
        elif local == "table-row":
            self._end_row()

    def _local_name(self, key: str) -> str:
        name = self._attribute_names.get(key)
        if name is None:
            name = self._attribute_names[key] = _local(key)
        return name

    def _repeats(self, attributes: dict[str, str], local_name: str) -> int:
        """A repeat count under any prefix (calamine reads only table:, so the largest is taken)."""
        counts = [
            _parse_count(self.file_name, value)
            for key, value in attributes.items()
            if self._local_name(key) == local_name
        ]
        return max(counts, default=1)

    def _start_row(self, attributes: dict[str, str]) -> None:
        table = self._tables[-1]
        table.row_repeats = self._repeats(attributes, "number-rows-repeated")
        table.position = table.filled_width = 0

    def _end_row(self) -> None:
        table = self._tables[-1]
        table.rows_seen += table.row_repeats
        if table.filled_width:
            table.last_filled_row = table.rows_seen
            table.widest = max(table.widest, table.filled_width)

    def _start_cell(self, attributes: dict[str, str]) -> None:
        table = self._tables[-1]
        table.position += self._repeats(attributes, "number-columns-repeated")
        if any(self._local_name(key) in _ODS_HOLDING for key in attributes):
            table.filled_width = table.position


# --- .xls ---------------------------------------------------------------------------------------

_BIFF_MAX_RECORD_BYTES = 8224  # [MS-XLS] 2.1.4
_EOF, _BOUNDSHEET, _LBL, _SST = 0x000A, 0x0085, 0x0018, 0x00FC
_DIMENSIONS, _MERGECELLS, _ROW, _MULRK, _MULBLANK = 0x0200, 0x00E5, 0x0208, 0x00BD, 0x00BE
# NUMBER, LABELSST, LABEL, RK, BLANK, BOOLERR, FORMULA: one cell each, its row and column first.
_ONE_CELL_RECORDS = frozenset({0x0203, 0x00FD, 0x0204, 0x027E, 0x0201, 0x0205, 0x0006})
_SPANNING_RECORDS = frozenset({_MULRK, _MULBLANK, _ROW})  # a row's cells from a first to a last column
_TWO_WORDS = struct.Struct("<HH")  # a record's type and length; a cell record's row and column
# The shortest record of each type calamine reads without a length check (a shorter one panics in Rust)
# or accepts: BOF, FILEPASS, CODEPAGE, DATE1904, EXTERNSHEET, LBL, XF, FORMAT, BOUNDSHEET, SST, then the
# sheet records above.
_BIFF_MIN_BYTES = {
    0x0809: 2, 0x002F: 2, 0x0042: 2, 0x0022: 2, 0x0017: 2, _LBL: 14, 0x00E0: 4, 0x041E: 2,
    _BOUNDSHEET: 8, _SST: 8, _DIMENSIONS: 10, _MERGECELLS: 2, _ROW: 6, _MULRK: 6, _MULBLANK: 6,
    0x0203: 14, 0x00FD: 10, 0x0204: 6, 0x027E: 10, 0x0201: 6, 0x0205: 8, 0x0006: 20,
}  # fmt: skip
_WORKBOOK_STREAMS = ("workbook", "book")


def check_xls(file_name: str, content: bytes) -> None:
    """Walk an .xls the way python-calamine reads it and refuse what would make it over-allocate.

    calamine sizes buffers from the container header and directory, reserves rows x columns from each
    sheet's DIMENSIONS record, and allocates the rectangle from A1 to its furthest cell (measured: a cell
    at row and column 0xFFFF asks for 137 GB, a DIMENSIONS record of 4 billion rows for 11 PB). A BIFF
    record is at most 8,224 bytes and every sheet is walked once, so the work is linear in the file.
    """
    if zipfile.is_zipfile(io.BytesIO(content)):
        # calamine opens a zip appended to an .xls when reading the .xls fails, past every check here.
        raise LoadError(
            f"'{file_name}' was refused: it holds both an Excel 97-2003 workbook and a zip package"
        )
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as container:
            _check_cfb_sizes(file_name, container, len(content))
            for path in _workbook_stream_paths(file_name, container):
                _check_biff(file_name, container.openstream(path).read())
    except LoadError:
        raise
    except Exception as error:  # olefile raises several types on damaged containers
        raise _damaged(file_name) from error


def _check_cfb_sizes(file_name: str, container: olefile.OleFileIO[str], size: int) -> None:
    """Sector counts in the header and stream sizes in the directory cannot exceed the file: calamine
    reserves memory for them before reading (a header claiming 2**31 FAT sectors aborts it)."""
    # OleFileIO.open() sets these header attributes; types-olefile leaves them out.
    counts = (
        container.num_fat_sectors,  # type: ignore[attr-defined]
        container.num_mini_fat_sectors,  # type: ignore[attr-defined]
        container.num_dir_sectors,  # type: ignore[attr-defined]
        container.num_difat_sectors,  # type: ignore[attr-defined]
    )
    if any(count * container.sectorsize > size for count in counts):  # type: ignore[attr-defined]
        raise _damaged(file_name)
    if any(entry is not None and entry.size > size for entry in container.direntries):  # type: ignore[attr-defined]
        raise _damaged(file_name)


def _workbook_stream_paths(file_name: str, container: olefile.OleFileIO[str]) -> list[list[str]]:
    """Every stream named Workbook or Book (any case, any storage). calamine takes the first directory
    entry with the exact name, so all are walked; an entry olefile cannot reach is a damaged file."""
    paths = [
        path
        for path in container.listdir(streams=True, storages=False)
        if path[-1].lower() in _WORKBOOK_STREAMS
    ]
    distinct = {tuple(part.lower() for part in path) for path in paths}
    named = [name for name in _directory_entry_names(container) if name.lower() in _WORKBOOK_STREAMS]
    if len(distinct) < len(paths) or len(named) != len(paths):
        raise _damaged(file_name)
    return paths


def _directory_entry_names(container: olefile.OleFileIO[str]) -> list[str]:
    """The name of every 128-byte directory entry as calamine decodes it, reachable from the root or not."""
    directory = container.directory_fp  # type: ignore[attr-defined]  # set by open(); not in types-olefile
    directory.seek(0)
    raw = directory.read()
    return [
        raw[offset : offset + 64].decode("utf-16-le", "ignore").split("\0", 1)[0]
        for offset in range(0, len(raw) - 127, 128)
    ]


def _check_biff(file_name: str, stream: bytes) -> None:
    """The globals substream, then each sheet substream from its BOUNDSHEET offset, as calamine walks
    them. Substreams may not overlap: a crafted offset could start a sheet inside another record."""
    reached, sheet_offsets = _check_biff_globals(file_name, stream)
    for offset in sorted(set(sheet_offsets)):
        if offset < reached:
            raise _damaged(file_name)
        reached = _check_biff_sheet(file_name, stream, offset)


def _biff_records(file_name: str, stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(type, data start, data end) of each record from `offset` to the first EOF record or the end.
    A record longer than BIFF allows, shorter than calamine needs, or past the stream is damage."""
    size = len(stream)
    header = _TWO_WORDS.unpack_from
    shortest = _BIFF_MIN_BYTES.get
    while offset + 4 <= size:
        record_type, length = header(stream, offset)
        start = offset + 4
        offset = start + length
        if length > _BIFF_MAX_RECORD_BYTES or offset > size or length < shortest(record_type, 0):
            raise _damaged(file_name)
        yield record_type, start, offset
        if record_type == _EOF:
            return


def _check_biff_globals(file_name: str, stream: bytes) -> tuple[int, list[int]]:
    """Where the globals end, and each sheet's offset. The shared-string count is bounded by the stream,
    as every string takes at least three bytes; a name's formula must fit in its record."""
    reached = 0
    sheet_offsets: list[int] = []
    for record_type, start, end in _biff_records(file_name, stream, 0):
        reached = end
        if record_type == _BOUNDSHEET:
            (offset,) = struct.unpack_from("<I", stream, start)
            if offset >= len(stream):
                raise _damaged(file_name)
            sheet_offsets.append(offset)
        elif record_type == _SST:
            (unique,) = struct.unpack_from("<i", stream, start + 4)
            if unique < 0:
                raise _damaged(file_name)
            if unique > len(stream) // 3 + 1:
                raise LoadError(
                    f"'{file_name}' was refused: its shared-strings table declares an impossible size"
                )
        elif record_type == _LBL and struct.unpack_from("<H", stream, start + 4)[0] > end - start - 14:
            raise _damaged(file_name)
    return reached, sheet_offsets


def _check_biff_sheet(file_name: str, stream: bytes, offset: int) -> int:
    """One sheet's DIMENSIONS, cell extent and merged ranges; returns where the sheet ends. This loop
    runs once per cell record (a million in a full sheet), so it unpacks in place."""
    rows = columns = merged = 0
    end = offset
    row_and_column = _TWO_WORDS.unpack_from
    for record_type, start, end in _biff_records(file_name, stream, offset):
        if record_type in _ONE_CELL_RECORDS:
            row, column = row_and_column(stream, start)
        elif record_type in _SPANNING_RECORDS:
            row, column = _biff_span_end(file_name, record_type, stream[start:end])
        elif record_type == _DIMENSIONS:
            _check_biff_dimensions(file_name, stream[start:end])
            continue
        elif record_type == _MERGECELLS:
            merged += _biff_merge_count(file_name, stream[start:end])
            continue
        else:
            continue
        if row >= rows:
            rows = row + 1
        if column >= columns:
            columns = column + 1
    _check_extent(file_name, rows, columns)
    _check_merged(file_name, merged)
    return end


def _check_biff_dimensions(file_name: str, data: bytes) -> None:
    """calamine reserves (last - first + 1) rows x columns in 32-bit arithmetic, which wraps when last is
    before first, so the claim is measured the same way."""
    if len(data) == 14:
        first_row, row_after, first_column, column_after = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, row_after, first_column, column_after = struct.unpack_from("<HHHH", data)
    else:
        raise _damaged(file_name)
    if row_after >= 1 and column_after >= 1:
        rows = (row_after - first_row) % 2**32
        columns = (column_after - first_column) % 2**32
        _check_extent(file_name, rows, columns)


def _biff_merge_count(file_name: str, data: bytes) -> int:
    """A MERGECELLS record's range count, which must fit in the record (calamine indexes blindly)."""
    count: int
    (count,) = struct.unpack_from("<H", data)
    if 2 + 8 * count > len(data):
        raise _damaged(file_name)
    return count


def _biff_span_end(file_name: str, record_type: int, data: bytes) -> tuple[int, int]:
    """The 0-based (row, column) of the last cell of a MULRK, MULBLANK or ROW record."""
    if record_type == _ROW:
        row, _first, column_after = struct.unpack_from("<HHH", data)
        return row, max(column_after - 1, 0)
    row, first = struct.unpack_from("<HH", data)
    (last,) = struct.unpack_from("<H", data, len(data) - 2)
    width = 6 if record_type == _MULRK else 2
    if last < first or len(data) != 6 + width * (last - first + 1):
        raise _damaged(file_name)
    return row, last
