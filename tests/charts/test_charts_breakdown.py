"""Breakdown by team or worker: sorted by rate, RAG colour and words, optional target line."""

from __future__ import annotations

import pandas as pd

from charts import NO_RECORDS, RAG_COLOURS, breakdown_bar


def team_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["North Team (demo)", "South Team (demo)", None, "East Team (demo)"],
            "met": [18, 30, 0, 9],
            "missed": [2, 0, 0, 6],
            "rate": [90.0, 100.0, float("nan"), 60.0],
            "rag": ["green", "green", "grey", "red"],
        }
    )


def bar(figure) -> dict:
    return figure.to_dict()["data"][0]


def test_groups_are_sorted_best_first_with_no_rate_last() -> None:
    figure = breakdown_bar(team_rows(), "Team")
    trace = bar(figure)
    assert list(trace["y"]) == ["South Team (demo)", "North Team (demo)", "East Team (demo)", "(blank)"]
    assert list(trace["x"]) == [100.0, 90.0, 60.0, 0]
    assert trace["orientation"] == "h"
    assert figure.to_dict()["layout"]["yaxis"]["autorange"] == "reversed", "first row drawn at the top"


def test_colours_and_texts_follow_rag() -> None:
    trace = bar(breakdown_bar(team_rows(), "Team"))
    assert list(trace["marker"]["color"]) == [
        RAG_COLOURS["green"],
        RAG_COLOURS["green"],
        RAG_COLOURS["red"],
        RAG_COLOURS["grey"],
    ]
    assert list(trace["text"]) == [
        "100.0% ● Green (30 of 30 due)",
        "90.0% ● Green (18 of 20 due)",
        "60.0% ■ Red (9 of 15 due)",
        "○ No rate",
    ]
    assert list(trace["customdata"]) == list(trace["y"])


def test_target_line_is_drawn_only_when_asked() -> None:
    with_target = breakdown_bar(team_rows(), "Team", target=90).to_dict()["layout"]
    assert [(shape["x0"], shape["x1"]) for shape in with_target["shapes"]] == [(90, 90)]
    assert "Target 90%" in [note["text"] for note in with_target["annotations"]]
    assert not breakdown_bar(team_rows(), "Team").to_dict()["layout"].get("shapes")


def test_no_groups_gives_a_figure_that_says_so() -> None:
    layout = breakdown_bar(team_rows().iloc[0:0], "Team").to_dict()["layout"]
    assert [note["text"] for note in layout["annotations"]] == [NO_RECORDS]


def test_a_team_name_holding_html_is_drawn_as_typed_not_as_a_link() -> None:
    hostile = '<a href="https://evil.example">click me</a> & <span style="color:red">Team</span>'
    rows = pd.DataFrame({"group": [hostile], "met": [1], "missed": [0], "rate": [100.0], "rag": ["green"]})

    trace = bar(breakdown_bar(rows, "Team"))

    # Plotly turns entities back into the characters, so the label reads exactly as the team is named.
    assert list(trace["y"]) == [
        '&lt;a href="https://evil.example"&gt;click me&lt;/a&gt; &amp; '
        '&lt;span style="color:red"&gt;Team&lt;/span&gt;'
    ]
    assert list(trace["customdata"]) == [hostile]  # a click still filters on the stored name


def test_group_labels_sit_right_of_100_percent_clear_of_bars_and_the_target_line() -> None:
    figure = breakdown_bar(team_rows(), "Team", target=90.0).to_dict()
    labels = next(trace for trace in figure["data"] if trace["name"] == "Rate and RAG")
    assert min(labels["x"]) > 100
    assert labels["text"][2] == "60.0% ■ Red (9 of 15 due)"
    assert figure["layout"]["xaxis"]["range"][1] > 150, "room for the longest label"
