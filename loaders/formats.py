"""Which reader a file needs, decided from its bytes (magic numbers and package contents), never from
its name alone: a browser's type check is only the extension (../shared/notes/security.md 3.1)."""

from __future__ import annotations

from pathlib import PurePath

from loaders import safety
from loaders.result import LoadError

CSV, XLSX, XLSM, XLS, ODS = "csv", "xlsx", "xlsm", "xls", "ods"

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_BINARY = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml": XLSM,
}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Which contents each extension may hold; .xlsx and .xlsm are one family (values are read, macros never run).
_EXTENSION_HOLDS = {
    ".xlsx": {XLSX, XLSM},
    ".xlsm": {XLSX, XLSM},
    ".xls": {XLS},
    ".ods": {ODS},
    ".csv": {CSV},
    ".txt": {CSV},
    ".tsv": {CSV},
}
_DESCRIPTIONS = {
    CSV: "text (CSV)",
    XLSX: "an Excel workbook (.xlsx)",
    XLSM: "a macro-enabled Excel workbook (.xlsm)",
    XLS: "an Excel 97-2003 workbook (.xls)",
    ODS: "an OpenDocument spreadsheet (.ods)",
}


def detect_format(
    file_name: str, content: bytes, max_bytes: int | None = None
) -> tuple[str, safety.Package | None]:
    """The format the bytes hold ("csv", "xlsx", "xlsm", "xls", "ods"), with the checked zip package
    for zip formats. LoadError when the bytes are not a spreadsheet or disagree with the name."""
    safety.check_size(file_name, content, max_bytes)
    package = None
    if content.startswith(_ZIP_MAGIC):
        package = safety.open_package(file_name, content)
        found = _zip_format(file_name, package)
    elif content.startswith(_CFB_MAGIC):
        found = _cfb_format(file_name, content)
    else:
        found = _text_format(file_name, content)
    allowed = _EXTENSION_HOLDS.get(PurePath(file_name).suffix.lower())
    if allowed is not None and found not in allowed:
        extension = PurePath(file_name).suffix.lower()
        raise LoadError(
            f"'{file_name}' is named as {extension} but holds {_DESCRIPTIONS[found]}; "
            "save it again in the format its name says"
        )
    return found, package


def _zip_format(file_name: str, package: safety.Package) -> str:
    names = set(package.names())
    if "mimetype" in names:
        if package.read("mimetype").strip() == _ODS_MIMETYPE:
            return ODS
        raise LoadError(f"'{file_name}' is an OpenDocument file but not a spreadsheet")
    if "[Content_Types].xml" not in names:
        raise LoadError(f"'{file_name}' is a zip archive, not a spreadsheet")
    content_types = package.read("[Content_Types].xml")
    for main_type, kind in _OOXML_MAIN.items():
        if main_type in content_types:
            return kind
    raise LoadError(f"'{file_name}' is an Office document but not an Excel workbook")


def _cfb_format(file_name: str, content: bytes) -> str:
    streams = safety.cfb_stream_names(file_name, content)
    if "EncryptedPackage" in streams:
        raise LoadError(f"'{file_name}' is password-protected: remove the password and save it again")
    if streams & {"Workbook", "Book"}:
        safety.check_xls(file_name, content)  # before any reader: calamine aborts on a crafted .xls
        return XLS
    raise LoadError(f"'{file_name}' is an Office document but not an Excel workbook")


def _text_format(file_name: str, content: bytes) -> str:
    head = content[:4096]
    for magic, description in _OTHER_BINARY.items():
        if head.startswith(magic):
            raise LoadError(f"'{file_name}' holds {description}, not a spreadsheet")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(f"'{file_name}' is UTF-16 text: save it as 'CSV UTF-8' and upload that")
    if b"\x00" in head:
        raise LoadError(f"'{file_name}' is not a spreadsheet this dashboard can read")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table")):
        raise LoadError(
            f"'{file_name}' is a web page (HTML), not a spreadsheet: open it in Excel and save as .xlsx"
        )
    if lowered.startswith(b"<?xml"):
        raise LoadError(
            f"'{file_name}' is an XML file, not a spreadsheet: open it in Excel and save as .xlsx"
        )
    return CSV
