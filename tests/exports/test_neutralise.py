"""Formula-injection neutraliser: no exported text can start a formula, and nothing else changes."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from exports import FORMULA_TRIGGERS, MAX_CELL_CHARS, neutralise, neutralise_frame

# Text biased towards the dangerous cases: triggers and control characters up front.
risky_text = st.one_of(
    st.text(),
    st.builds(
        lambda prefix, trigger, rest: prefix + trigger + rest,
        st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=3),
        st.sampled_from(FORMULA_TRIGGERS),
        st.text(max_size=20),
    ),
)
not_text = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@given(risky_text)
def test_neutralised_text_never_starts_with_a_formula_trigger(value: str) -> None:
    assert not neutralise(value).startswith(FORMULA_TRIGGERS)


@given(risky_text)
def test_neutralising_twice_changes_nothing_more(value: str) -> None:
    once = neutralise(value)
    assert neutralise(once) == once


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=50))
def test_ordinary_text_is_left_alone(value: str) -> None:
    if not value.startswith(("=", "+", "-", "@")):
        assert neutralise(value) == value


@given(not_text)
def test_numbers_dates_and_blanks_are_untouched(value) -> None:
    assert neutralise(value) is value


def test_control_character_in_front_of_a_formula_is_stripped_then_prefixed() -> None:
    assert neutralise("\x0b=1+1") == "'=1+1"
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("-5") == "'-5"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tcmd") == "'\tcmd"
    assert neutralise("North Team") == "North Team"


def test_a_value_longer_than_an_excel_cell_is_cut_to_the_limit() -> None:
    assert len(neutralise("=" + "x" * 40_000)) == MAX_CELL_CHARS
    assert neutralise("=" + "x" * 40_000).startswith("'=")


@given(st.lists(st.one_of(risky_text, not_text), min_size=1, max_size=20))
@settings(max_examples=50)
def test_frame_neutralising_matches_the_single_value_rule(values: list) -> None:
    frame = pd.DataFrame({"cells": pd.Series(values, dtype=object)})
    result = neutralise_frame(frame)["cells"]
    assert list(result) == [neutralise(value) for value in values]


def test_frame_neutralises_headers_and_text_columns_but_not_typed_columns() -> None:
    frame = pd.DataFrame(
        {
            "=cmd|' /C calc'!A0": ["=1+1", "ok"],
            "amount": [-5, 3],
            "due": pd.to_datetime(["2020-01-02", "2021-03-31"]),
            "team": pd.Series(["+North", None], dtype="string"),
            "when": [date(2020, 1, 2), datetime(2020, 1, 2, 9, 30)],
        }
    )
    result = neutralise_frame(frame)
    assert list(result.columns) == ["'=cmd|' /C calc'!A0", "amount", "due", "team", "when"]
    assert list(result.iloc[:, 0]) == ["'=1+1", "ok"]
    pd.testing.assert_series_equal(result["amount"], frame["amount"])
    pd.testing.assert_series_equal(result["due"], frame["due"])
    assert result["team"].iloc[0] == "'+North"
    assert pd.isna(result["team"].iloc[1])
    assert list(result["when"]) == list(frame["when"])
    assert list(frame.iloc[:, 0]) == ["=1+1", "ok"], "the caller's frame is not modified"
