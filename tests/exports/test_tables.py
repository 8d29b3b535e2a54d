"""CSV and XLSX downloads: safe to open in Excel, and holding exactly the table the user saw."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports import FORMULA_TRIGGERS, neutralise, safe_sheet_name, to_csv_bytes, to_xlsx_bytes

texts = st.one_of(
    st.text(max_size=30),
    st.builds(lambda trigger, rest: trigger + rest, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=10)),
    st.just("\x0b=1+1"),
)
text_tables = st.lists(
    st.tuples(st.one_of(st.none(), texts), st.integers(-1000, 1000)), min_size=1, max_size=8
)


def read_csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx_sheet(content: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def statuses_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_ref": ["DEMO-00001", '=HYPERLINK("http://evil")', "00412"],
            "due_date": pd.to_datetime(["2020-04-03", "2021-03-31", None]),
            "days_taken": pd.array([3, None, -2], dtype="Int64"),
            "rate": [87.5, float("nan"), -1.25],
            "participated": pd.array([True, False, None], dtype="boolean"),
            "team": ["North Team (demo)", None, "@South"],
        }
    )


@given(text_tables, texts)
@settings(max_examples=60, deadline=None)
def test_no_csv_cell_can_start_a_formula_after_a_round_trip(rows, header: str) -> None:
    frame = pd.DataFrame(rows, columns=[header, "number"])
    cells = read_csv_cells(to_csv_bytes(frame))
    assert len(cells) == len(rows) + 1
    assert all(len(line) == 2 for line in cells)
    assert cells[0][0] == neutralise(header)
    for (text, number), line in zip(rows, cells[1:], strict=True):
        assert line[0] == ("" if text is None else neutralise(text))
        assert not line[0].startswith(FORMULA_TRIGGERS)
        assert line[1] == str(number), "numbers keep their sign and are not prefixed"


@given(text_tables, texts)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_xlsx_cell_is_a_formula_or_starts_with_a_trigger_after_a_round_trip(rows, header: str) -> None:
    frame = pd.DataFrame(rows, columns=[header, "number"])
    sheet = read_xlsx_sheet(to_xlsx_bytes(frame, "Statuses"))
    assert sheet.max_row == len(rows) + 1
    assert sheet.max_column == 2
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_TRIGGERS)
    assert [cell.value for cell in sheet["B"][1:]] == [number for _, number in rows]


def test_csv_is_excel_friendly_and_holds_exactly_the_given_table() -> None:
    content = to_csv_bytes(statuses_table())
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM makes Excel read UTF-8"
    assert content.decode("utf-8-sig").splitlines()[0] == (
        '"case_ref","due_date","days_taken","rate","participated","team"'
    )
    assert read_csv_cells(content)[1:] == [
        ["DEMO-00001", "03/04/2020", "3", "87.5", "Yes", "North Team (demo)"],
        ['\'=HYPERLINK("http://evil")', "31/03/2021", "", "", "No", ""],
        ["00412", "", "-2", "-1.25", "", "'@South"],
    ]


def test_empty_table_exports_its_header_only() -> None:
    empty = statuses_table().iloc[0:0]
    assert read_csv_cells(to_csv_bytes(empty)) == [list(empty.columns)]
    sheet = read_xlsx_sheet(to_xlsx_bytes(empty, "Nothing"))
    assert [cell.value for cell in sheet[1]] == list(empty.columns)
    assert sheet.max_row == 1


def test_xlsx_has_typed_cells_uk_dates_and_a_usable_header() -> None:
    frame = statuses_table()
    sheet = read_xlsx_sheet(to_xlsx_bytes(frame, "LS/CMI [statuses]: 2020-21 Q1 to 2020-21 Q4"))
    assert sheet.title == "LS CMI statuses 2020-21 Q1 to 2"
    assert (sheet.max_row, sheet.max_column) == (4, 6)
    header = sheet[1]
    assert [cell.value for cell in header] == list(frame.columns)
    assert all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"

    case_ref, due, days, rate, participated, team = (sheet.cell(2, column) for column in range(1, 7))
    assert (case_ref.value, case_ref.data_type) == ("DEMO-00001", "s")
    assert due.is_date and due.number_format == "dd/mm/yyyy"
    assert due.value == pd.Timestamp("2020-04-03").to_pydatetime()
    assert (days.value, rate.value, participated.value, team.value) == (3, 87.5, "Yes", "North Team (demo)")

    assert sheet.cell(3, 1).value == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(3, 1).data_type == "s"
    assert sheet.cell(4, 1).value == "00412", "case references keep their leading zeros"
    assert sheet.cell(4, 3).value == -2 and sheet.cell(4, 4).value == -1.25, "negative numbers stay numbers"
    assert sheet.cell(4, 2).value is None and sheet.cell(4, 5).value is None


@given(st.text(max_size=60))
def test_any_sheet_name_is_made_acceptable_to_excel(name: str) -> None:
    safe = safe_sheet_name(name)
    assert 1 <= len(safe) <= 31
    assert not any(character in safe for character in "[]:*?/\\")
    assert not safe.startswith("'") and not safe.endswith("'")


@pytest.mark.parametrize("name", ["", "'", "[]:*?/\\", "'quoted'", "x" * 40 + "'"])
def test_awkward_sheet_names_still_give_a_workbook(name: str) -> None:
    sheet = read_xlsx_sheet(to_xlsx_bytes(statuses_table(), name))
    assert sheet.max_row == 4
