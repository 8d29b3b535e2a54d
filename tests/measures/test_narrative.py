"""The drafted narrative: the numbers a manager reads, worked out by hand."""

from __future__ import annotations

from measures.narrative import MeasureFigures, change_points, change_text, draft_narrative


def test_the_issues_example_sentence() -> None:
    # 74 / 86 = 86.0465% -> 86.0; previous 90.3 (e.g. 65 of 72 = 90.28 -> 90.3); change 86.0 - 90.3 = -4.3.
    figures = MeasureFigures(
        quarter="2020-21 Q3",
        met=74,
        due=86,
        rate=74 * 100 / 86,
        previous_rate=65 * 100 / 72,
        target=90.0,
        missed=12,
        top_team="East Team",
        top_team_missed=9,
    )
    assert draft_narrative(figures) == (
        "86.0% (74 of 86) in 2020-21 Q3, down 4.3 points; below the 90% target; "
        "9 of the 12 missed were in East Team."
    )


def test_halves_round_up_and_the_change_is_between_the_printed_rates() -> None:
    # 333 of 400 = 83.25 -> 83.3 (not 83.2, Python's half-to-even); previous 83.15 -> 83.2; change +0.1.
    assert change_points(83.25, 83.15) == 0.1
    figures = MeasureFigures("2020-21 Q1", 333, 400, 83.25, 83.15, 80.0)
    assert (
        draft_narrative(figures) == "83.3% (333 of 400) in 2020-21 Q1, up 0.1 points; meeting the 80% target."
    )


def test_unchanged_one_point_and_no_previous_quarter() -> None:
    assert change_text(change_points(87.0, 87.04)) == "unchanged"
    assert change_text(change_points(88.0, 87.0)) == "up 1.0 point"
    figures = MeasureFigures("2019-20 Q1", 1_740, 2_000, 87.0, None, 90.0)
    assert draft_narrative(figures) == "87.0% (1,740 of 2,000) in 2019-20 Q1; below the 90% target."


def test_a_suppressed_quarter_and_a_quarter_with_nothing_due_say_so_without_numbers() -> None:
    suppressed = MeasureFigures("2020-21 Q3", None, None, None, 80.0, 90.0, suppressed=True)
    assert "not published" in draft_narrative(suppressed)
    assert draft_narrative(MeasureFigures("2020-21 Q3", 0, 0, None, None, 90.0)) == (
        "No records were due in 2020-21 Q3, so there is no rate."
    )


def test_no_team_sentence_without_published_team_figures() -> None:
    figures = MeasureFigures("2020-21 Q3", 74, 86, 74 * 100 / 86, None, 90.0, missed=12)
    assert draft_narrative(figures) == "86.0% (74 of 86) in 2020-21 Q3; below the 90% target."
