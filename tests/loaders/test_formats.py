"""Each format reads to the same records; the bytes, not the name, decide the reader."""

from __future__ import annotations

import io
from datetime import datetime

import msoffcrypto.format.ooxml
import pandas as pd
import pytest

from loaders import LoadError, read_extract
from tests.loaders import build

ROWS = [
    ["Case Ref", "Order Date", "Order Type", "Team"],
    ["00412", datetime(2020, 2, 3), "CPO", "North"],
    ["00413", datetime(2021, 3, 31), "DTTO", "South"],
]
CSV_TEXT = "Case Ref,Order Date,Order Type,Team\n00412,03/02/2020,CPO,North\n00413,31/03/2021,DTTO,South\n"


def _orders(result) -> pd.DataFrame:
    (sheet,) = result.sheets
    assert sheet.dataset == "orders"
    return sheet.records


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("orders.xlsx", build.xlsx(ROWS)),
        ("orders.xls", build.xls(ROWS)),
        (
            "orders.ods",
            build.ods(
                [ROWS[0], ["00412", "03/02/2020", "CPO", "North"], ["00413", "31/03/2021", "DTTO", "South"]]
            ),
        ),
        ("orders.csv", build.csv(CSV_TEXT)),
    ],
    ids=["xlsx", "xls", "ods", "csv"],  # workbook bytes carry a timestamp: never let them name a test
)
def test_every_format_gives_the_same_records(name, content):
    records = _orders(read_extract(name, content))
    assert records["case_ref"].tolist() == ["00412", "00413"]
    assert records["order_date"].tolist() == [pd.Timestamp(2020, 2, 3), pd.Timestamp(2021, 3, 31)]
    assert records["team"].tolist() == ["North", "South"]
    assert records["source_row"].tolist() == [2, 3]


def test_xlsm_values_are_read_and_its_macros_are_not_needed():
    xlsx = build.xlsx(ROWS)
    content_types = build.member(xlsx, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    xlsm = build.rezip(
        xlsx, replace={"[Content_Types].xml": content_types}, add={"xl/vbaProject.bin": b"\x00" * 64}
    )
    records = _orders(read_extract("orders.xlsm", xlsm))
    assert records["case_ref"].tolist() == ["00412", "00413"]


def test_file_name_without_extension_is_routed_by_its_bytes():
    assert len(_orders(read_extract("export", build.xlsx(ROWS)))) == 2
    assert len(_orders(read_extract("export", build.csv(CSV_TEXT)))) == 2


def test_sha256_is_of_the_raw_bytes():
    import hashlib

    content = build.csv(CSV_TEXT)
    assert read_extract("a.csv", content).sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("orders.xlsx", build.csv(CSV_TEXT), "holds text (CSV)"),
        ("orders.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG image"),
        ("orders.xlsx", b"%PDF-1.7\n" + b"x" * 40, "PDF document"),
        ("orders.csv", build.xlsx(ROWS), "holds an Excel workbook (.xlsx)"),
        ("orders.xls", build.xlsx(ROWS), "holds an Excel workbook (.xlsx)"),
        ("orders.xlsx", build.xls(ROWS), "Excel 97-2003"),
        ("orders.ods", build.xlsx(ROWS), "named as .ods"),
        (
            "orders.xls",
            b"<html><body><table><tr><td>Case Ref</td></tr></table></body></html>",
            "web page (HTML)",
        ),
        ("orders.csv", "Case Ref,Order Date\n1,2\n".encode("utf-16"), "UTF-16"),
        ("orders.xlsx", b"", "is empty"),
        ("orders.xlsx", build.xlsx(ROWS)[:300], "damaged or incomplete"),
        ("orders.xls", build.xls(ROWS)[:700], "damaged or incomplete"),
    ],
    ids=lambda value: value if isinstance(value, str) else "bytes",
)
def test_wrong_or_broken_bytes_are_refused_with_a_one_line_reason(name, content, expected):
    with pytest.raises(LoadError) as caught:
        read_extract(name, content)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message


def test_zip_without_content_types_is_not_a_workbook():
    xlsx = build.xlsx(ROWS)
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            if name != "[Content_Types].xml":
                target.writestr(name, source.read(name))
    with pytest.raises(LoadError, match="not a spreadsheet"):
        read_extract("orders.xlsx", buffer.getvalue())


def test_password_protected_xlsx_asks_for_the_password_to_be_removed():
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(build.xlsx(ROWS))).encrypt("secret", encrypted)
    with pytest.raises(LoadError) as caught:
        read_extract("orders.xlsx", encrypted.getvalue())
    assert str(caught.value) == "'orders.xlsx' is password-protected: remove the password and save it again"


def test_unknown_dataset_name_is_refused():
    with pytest.raises(LoadError, match="unknown dataset 'cases'"):
        read_extract("a.csv", build.csv(CSV_TEXT), dataset="cases")
