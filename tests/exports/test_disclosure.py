"""Disclosure control, each rule on a table worked out by hand (notes spc-sdc-ijb.md section 2)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from exports.disclosure import (
    DERIVED,
    RATE_COUNTS,
    SECONDARY,
    DisclosureError,
    Rate,
    TableRules,
    level_allowed,
    suppress,
    verify,
)
from measures.settings import Disclosure

C = "c"
DEFAULT = Disclosure()
GRADES = TableRules(
    counts=("good", "adequate", "weak", "audits"), totals={"audits": ("good", "adequate", "weak")}
)
RATES = TableRules(
    counts=("met", "missed", "due"),
    totals={"due": ("met", "missed")},
    rates={"rate": Rate("met", "due", "missed")},
)
RATE_COLUMNS = ("group", "met", "missed", "due", "rate")


def rate_rows(*rows: tuple[str, int, int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["group", "met", "missed"])
    frame["due"] = frame["met"] + frame["missed"]
    frame["rate"] = frame["met"] * 100 / frame["due"]
    return frame


def published(table) -> list[list[object]]:
    return table.values.to_numpy().tolist()


def test_a_suppressed_count_recoverable_from_its_total_takes_the_next_smallest_with_it() -> None:
    # 3 good + 7 adequate + 12 weak = 22 audits. Hiding only the 3 would leave 22 - 7 - 12 = 3 readable,
    # so the smallest other part (7) goes too; the 12 and the total stay.
    frame = pd.DataFrame(
        {"quarter": ["2020-21 Q3"], "good": [3], "adequate": [7], "weak": [12], "audits": [22]}
    )
    table = suppress(
        frame, GRADES, DEFAULT, title="Grades", label_column="quarter", published=tuple(frame.columns)
    )
    assert published(table) == [["2020-21 Q3", C, C, 12, 22]]
    assert [(cell.column, cell.reason) for cell in table.cells] == [
        ("good", "primary: count of 1-4"),
        ("adequate", SECONDARY),
    ]
    verify(table)


def test_zeros_are_shown_and_a_part_whose_others_are_all_zero_hides_the_total() -> None:
    # 0 + 0 + 4 = 4: the 4 and the total are both low counts; 0 + 9 + 2 = 11: the 2 is low, the 9 goes
    # with it (the 0 would protect nothing); 0 + 0 + 12 stays whole.
    frame = pd.DataFrame(
        {
            "quarter": ["Q1", "Q2", "Q3"],
            "good": [0, 0, 0],
            "adequate": [0, 9, 0],
            "weak": [4, 2, 12],
            "audits": [4, 11, 12],
        }
    )
    table = suppress(
        frame, GRADES, DEFAULT, title="Grades", label_column="quarter", published=tuple(frame.columns)
    )
    assert published(table) == [["Q1", 0, 0, C, C], ["Q2", 0, C, C, 11], ["Q3", 0, 0, 12, 12]]
    verify(table)


def test_a_column_total_row_spreads_secondary_suppression_down_the_column() -> None:
    # Missed by team: 3 (low), 6, 11; all teams 20. The 3 is readable from 20 - 6 - 11 unless the 6 goes.
    frame = pd.DataFrame({"team": ["East", "North", "West", "All teams"], "missed": [3, 6, 11, 20]})
    rules = TableRules(counts=("missed",), total_row=True)
    table = suppress(frame, rules, DEFAULT, title="Teams", label_column="team", published=("team", "missed"))
    assert table.values["missed"].tolist() == [C, C, 11, 20]
    verify(table)


def test_a_percentage_of_fewer_than_ten_hides_it_and_both_its_counts_even_a_zero() -> None:
    # 6 of 6 met: 100% of a group of 6. Showing met 6 and missed 0 would reveal the 100%.
    table = suppress(
        rate_rows(("Q3", 6, 0)), RATES, DEFAULT, title="t", label_column="group", published=RATE_COLUMNS
    )
    assert published(table) == [["Q3", C, C, 6, C]]
    reasons = {cell.column: cell.reason for cell in table.cells}
    assert reasons["met"] == RATE_COUNTS and reasons["missed"] == RATE_COUNTS
    assert reasons["rate"].startswith("primary: percentage of fewer than 10")
    verify(table)


def test_a_percentage_of_exactly_ten_with_five_and_five_is_shown_and_a_remainder_of_four_is_not() -> None:
    table = suppress(
        rate_rows(("Q2", 5, 5), ("Q3", 46, 4), ("Q4", 74, 12)),
        RATES,
        DEFAULT,
        title="t",
        label_column="group",
        published=RATE_COLUMNS,
    )
    assert published(table) == [
        ["Q2", 5, 5, 10, 50.0],
        ["Q3", C, C, 50, C],
        ["Q4", 74, 12, 86, 74 * 100 / 86],
    ]
    verify(table)


def test_a_figure_worked_out_from_a_suppressed_one_goes_with_it() -> None:
    # This quarter 74 of 86 is safe; last quarter 8 of 9 is not, so the change (which would give last
    # quarter's rate away) is suppressed and the RAG of this quarter stays.
    frame = pd.DataFrame(
        {
            "measure": ["lscmi"],
            "met": [74],
            "due": [86],
            "rate": [74 * 100 / 86],
            "previous_met": [8],
            "previous_due": [9],
            "previous_rate": [800 / 9],
            "change": [74 * 100 / 86 - 800 / 9],
            "rag": ["red"],
        }
    )
    rules = TableRules(
        counts=("met", "due"),
        rates={"rate": Rate("met", "due"), "previous_rate": Rate("previous_met", "previous_due")},
        derived={"change": ("rate", "previous_rate"), "rag": ("rate",)},
    )
    shown = ("measure", "met", "due", "rate", "previous_rate", "change", "rag")
    table = suppress(frame, rules, DEFAULT, title="Summary", label_column="measure", published=shown)
    assert published(table) == [["lscmi", 74, 86, 74 * 100 / 86, C, C, "red"]]
    assert {cell.column: cell.reason for cell in table.cells}["change"] == DERIVED
    verify(table)


def test_thresholds_come_from_the_settings() -> None:
    frame = pd.DataFrame({"quarter": ["Q3"], "good": [3], "adequate": [7], "weak": [12], "audits": [22]})
    lenient = Disclosure(low_count_max=2)
    table = suppress(
        frame, GRADES, lenient, title="Grades", label_column="quarter", published=tuple(frame.columns)
    )
    assert published(table) == [["Q3", 3, 7, 12, 22]]
    strict = Disclosure(low_count_max=9)  # 3 and 7 are both low now; 12 and 22 stay
    table = suppress(
        frame, GRADES, strict, title="Grades", label_column="quarter", published=tuple(frame.columns)
    )
    assert published(table) == [["Q3", C, C, 12, 22]]


def test_team_level_only_where_every_team_has_ten_and_never_worker_level() -> None:
    assert level_allowed("service", pd.Series([1]), DEFAULT)
    assert level_allowed("team", pd.Series([10, 25, 40]), DEFAULT)
    assert not level_allowed("team", pd.Series([9, 25, 40]), DEFAULT)
    assert not level_allowed("team", pd.Series([], dtype="int64"), DEFAULT)
    assert level_allowed("team", pd.Series([9, 25]), Disclosure(team_min_denominator=5))
    assert not level_allowed("worker", pd.Series([100, 200]), DEFAULT)


def test_verify_refuses_a_low_count_or_a_cell_recoverable_from_its_total() -> None:
    frame = pd.DataFrame({"quarter": ["Q3"], "good": [3], "adequate": [7], "weak": [12], "audits": [22]})
    table = suppress(
        frame, GRADES, DEFAULT, title="Grades", label_column="quarter", published=tuple(frame.columns)
    )
    leaked = dataclasses.replace(table, values=frame.astype(object))
    with pytest.raises(DisclosureError, match=r"'good' for Q3 .* count from 1 to 4"):
        verify(leaked)
    one_hidden = frame.astype(object).assign(good=C)
    with pytest.raises(DisclosureError, match="worked out from its total"):
        verify(dataclasses.replace(table, values=one_hidden))


def test_verify_refuses_a_small_group_percentage_and_one_that_gives_a_hidden_count_away() -> None:
    frame = rate_rows(("Q3", 6, 0))
    table = suppress(frame, RATES, DEFAULT, title="t", label_column="group", published=RATE_COLUMNS)
    with pytest.raises(DisclosureError, match="group is small"):
        verify(dataclasses.replace(table, values=frame[list(RATE_COLUMNS)].astype(object)))
    counts_shown = frame[list(RATE_COLUMNS)].astype(object).assign(rate=C)
    with pytest.raises(DisclosureError, match="could be worked out from it"):
        verify(dataclasses.replace(table, values=counts_shown))
