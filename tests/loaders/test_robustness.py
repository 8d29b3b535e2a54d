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
