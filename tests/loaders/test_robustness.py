"""Arbitrary or damaged bytes end in a result or a one-line LoadError, never another exception."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import LoadError, read_extract
from tests.loaders import build

WORKBOOK = build.xlsx([["Case Ref", "Order Date"], ["A1", datetime(2020, 2, 3)]])


def _read_or_refuse(name: str, content: bytes) -> None:
    try:
        read_extract(name, content)
    except LoadError as error:
        assert "\n" not in str(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=2000), name=st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.ods", "x"]))
def test_random_bytes(content, name):
    _read_or_refuse(name, content)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, len(WORKBOOK) - 1), byte=st.integers(0, 255))
def test_a_workbook_with_one_damaged_byte(position, byte):
    damaged = WORKBOOK[:position] + bytes([byte]) + WORKBOOK[position + 1 :]
    _read_or_refuse("x.xlsx", damaged)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_as_csv(text):
    _read_or_refuse("x.csv", ("Case Ref,Order Date\n" + text).encode())


@settings(max_examples=100, deadline=None)
@given(data=st.data(), rows=st.integers(3, 40), notes=st.booleans())
def test_stray_quotes_never_swallow_a_row(data, rows, notes):
    """Quotes opened at the start of random fields: every other row is kept, on its own line, and no
    record is made of several rows."""
    stray = data.draw(st.dictionaries(st.integers(0, rows - 1), st.integers(0, 3), max_size=4))
    lines = ["Case Ref,Order Date,Team,Notes"]
    row_at_line = {}
    for i in range(rows):
        note = '"a note, on\ntwo lines"' if notes and i % 5 == 0 else ""
        fields = [f"Q{i:04d}", "03/02/2020", "North", note]
        if i in stray:
            fields[stray[i]] = '"' + fields[stray[i]]
        row_at_line[sum(line.count("\n") + 1 for line in lines) + 1] = f"Q{i:04d}"
        lines.append(",".join(fields))
    (sheet,) = read_extract("x.csv", ("\n".join(lines) + "\n").encode()).sheets
    records = dict(zip(sheet.records["source_row"], sheet.records["case_ref"], strict=True))
    assert all(row_at_line[line] == case_ref for line, case_ref in records.items())
    kept = {line: case_ref for line, case_ref in row_at_line.items() if int(case_ref[1:]) not in stray}
    assert kept.items() <= records.items()
