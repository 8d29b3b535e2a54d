"""Days-taken histogram with the timescale limit, and audit grades per quarter."""

from __future__ import annotations

from datetime import date

import pandas as pd

from charts import GRADE_COLOURS, NO_RECORDS, days_taken_histogram, grade_distribution


def statuses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "days_taken": pd.array([0, 1, 1, 5, 6, 9, 40, -3, None, 2], dtype="Int64"),
            "status": [
                "met",
                "met",
                "met",
                "met",
                "missed",
                "missed",
                "missed",
                "invalid",
                "pending",
                "excluded",
            ],
        }
    )


def by_name(figure) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure.to_dict()["data"]}


def test_bars_split_at_the_limit_and_count_records_per_day() -> None:
    figure = days_taken_histogram(statuses(), limit=5, unit_label="working days")
    bars = by_name(figure)
    within, over = bars["Within timescale"], bars["Over timescale"]
    assert dict(zip(within["x"], within["y"], strict=True)) == {0: 1, 1: 2, 5: 1}
    # 40 days is pooled into the "15 or more" bar (3 x limit); the excluded record is left out.
    assert dict(zip(over["x"], over["y"], strict=True)) == {6: 1, 9: 1, 15: 1}
    assert "15 or more" in over["customdata"]
    assert dict(
        zip(bars["Invalid (date before start)"]["x"], bars["Invalid (date before start)"]["y"], strict=True)
    ) == {-1: 1}
    assert within["marker"]["color"] != over["marker"]["color"]


def test_a_vertical_line_marks_the_timescale_limit() -> None:
    layout = days_taken_histogram(statuses(), limit=5, unit_label="working days").to_dict()["layout"]
    (line,) = layout["shapes"]
    assert line["x0"] == line["x1"] == 5.5, "between the last day within and the first day over"
    assert "Limit: 5 working days" in [note["text"] for note in layout["annotations"]]


def test_histogram_without_days_says_so() -> None:
    only_pending = statuses().loc[lambda frame: frame["status"] == "pending"]
    layout = days_taken_histogram(only_pending, limit=5, unit_label="working days").to_dict()["layout"]
    assert [note["text"] for note in layout["annotations"]] == [NO_RECORDS]


def audits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": ["2020-21 Q2", "2020-21 Q1", "2020-21 Q1", "2020-21 Q1", "2020-21 Q2"],
            "grade": pd.array([6, 4, 4, 1, 5], dtype="Int64"),
        }
    )


def test_grades_stack_per_quarter_with_inspectorate_words() -> None:
    figure = grade_distribution(audits())
    traces = figure.to_dict()["data"]
    assert [trace["name"] for trace in traces] == [
        "1 Unsatisfactory",
        "2 Weak",
        "3 Adequate",
        "4 Good",
        "5 Very Good",
        "6 Excellent",
    ]
    counts = {trace["name"]: list(trace["y"]) for trace in traces}
    assert list(traces[0]["x"]) == ["2020-21 Q1", "2020-21 Q2"]
    assert counts["4 Good"] == [2, 0]
    assert counts["1 Unsatisfactory"] == [1, 0]
    assert counts["6 Excellent"] == [0, 1]
    assert [trace["marker"]["color"] for trace in traces] == [GRADE_COLOURS[grade] for grade in range(1, 7)]
    assert len(set(GRADE_COLOURS.values())) == 6
    assert figure.to_dict()["layout"]["barmode"] == "stack"
    assert traces[3]["hovertext"][0] == "<b>2020-21 Q1</b><br>4 Good: 2 of 3 audits (67%)"


def test_an_unfinished_quarter_of_audits_is_labelled_partial() -> None:
    dated = audits().assign(
        quarter_start=pd.to_datetime(["2020-07-01", "2020-04-01", "2020-04-01", "2020-04-01", "2020-07-01"])
    )
    axis = grade_distribution(dated, as_at=date(2020, 9, 15)).to_dict()["layout"]["xaxis"]
    assert list(axis["ticktext"]) == ["2020-21 Q1", "2020-21 Q2<br>(partial)"]
    finished = grade_distribution(dated, as_at=date(2020, 10, 1)).to_dict()["layout"]["xaxis"]
    assert not any("partial" in text for text in finished["ticktext"])


def test_no_audits_says_so() -> None:
    layout = grade_distribution(audits().iloc[0:0]).to_dict()["layout"]
    assert [note["text"] for note in layout["annotations"]] == [NO_RECORDS]


def test_reviews_held_early_are_met_not_invalid() -> None:
    early = pd.DataFrame(
        {"days_taken": pd.array([-3, -1, 0, 2], dtype="Int64"), "status": ["met"] * 3 + ["missed"]}
    )
    bars = by_name(days_taken_histogram(early, limit=0, unit_label="working days", early_is_met=True))
    assert "Invalid (date before start)" not in bars
    assert sum(bars["Early (met)"]["y"]) == 2
    # Met, so a blue like "within", but a legend entry of its own needs its own colour (issue 8).
    assert bars["Early (met)"]["marker"]["color"] not in (
        bars["Within timescale"]["marker"]["color"],
        bars["Over timescale"]["marker"]["color"],
    )


def test_the_axis_names_the_pooled_bars_as_the_table_does() -> None:
    xaxis = days_taken_histogram(statuses(), limit=5, unit_label="working days").to_dict()["layout"]["xaxis"]
    ticks = dict(zip(xaxis["tickvals"], xaxis["ticktext"], strict=True))
    assert ticks[15] == "15 or more"
    assert ticks[-1] == "before start"
    assert ticks[0] == "0"


def test_a_one_day_limit_says_day_not_days() -> None:
    layout = days_taken_histogram(statuses(), limit=1, unit_label="working days").to_dict()["layout"]
    assert "Limit: 1 working day" in [note["text"] for note in layout["annotations"]]


def test_early_reviews_have_a_legend_colour_of_their_own() -> None:
    early = statuses()  # its -3 is a review held three days before it was due
    bars = by_name(days_taken_histogram(early, limit=5, unit_label="working days", early_is_met=True))
    colours = [trace["marker"]["color"] for trace in bars.values()]
    assert "Early (met)" in bars and len(set(colours)) == len(colours)
    ticks = days_taken_histogram(early, limit=5, unit_label="working days", early_is_met=True).to_dict()
    assert "before due" in ticks["layout"]["xaxis"]["ticktext"]
