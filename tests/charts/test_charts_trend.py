"""Quarterly trend chart: RAG shown by colour AND words, target line, clickable quarters."""

from __future__ import annotations

import pandas as pd

from charts import NO_RECORDS, RAG_COLOURS, compliance_trend, sparkline


def quarterly_rows() -> pd.DataFrame:
    # Deliberately out of order: the chart must still run in quarter order.
    return pd.DataFrame(
        {
            "measure": "lscmi",
            "quarter": ["2020-21 Q2", "2020-21 Q1", "2020-21 Q3", "2020-21 Q4"],
            "met": [35, 46, 12, 0],
            "missed": [5, 4, 8, 0],
            "pending": [0, 0, 1, 3],
            "excluded": [1, 2, 0, 0],
            "invalid": [0, 1, 0, 0],
            "rate": [87.5, 92.0, 60.0, float("nan")],
            "target": [90.0, 90.0, 95.0, 95.0],
            "amber_margin": 5.0,
            "rag": ["amber", "green", "red", "grey"],
        }
    )


def traces(figure) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure.to_dict()["data"]}


def test_bars_run_in_quarter_order_coloured_by_rag() -> None:
    bars = traces(compliance_trend(quarterly_rows(), "LS/CMI within 28 days"))["Compliance rate"]
    assert list(bars["x"]) == ["2020-21 Q1", "2020-21 Q2", "2020-21 Q3", "2020-21 Q4"]
    assert list(bars["marker"]["color"]) == [
        RAG_COLOURS["green"],
        RAG_COLOURS["amber"],
        RAG_COLOURS["red"],
        RAG_COLOURS["grey"],
    ]
    assert list(bars["y"]) == [92.0, 87.5, 60.0, 0]


def test_every_bar_states_its_rate_and_rag_word_so_colour_is_not_needed() -> None:
    bars = traces(compliance_trend(quarterly_rows(), "LS/CMI"))["Compliance rate"]
    assert list(bars["text"]) == ["92.0%<br>● Green", "87.5%<br>▲ Amber", "60.0%<br>■ Red", "○ No rate"]


def test_red_and_amber_bars_differ_in_pattern_not_only_in_colour() -> None:
    bars = traces(compliance_trend(quarterly_rows(), "LS/CMI"))["Compliance rate"]
    green, amber, red, grey = bars["marker"]["pattern"]["shape"]
    assert amber != red and "" not in (amber, red)
    assert green == grey == ""


def test_target_is_a_step_line_at_the_target_in_force_each_quarter() -> None:
    target = traces(compliance_trend(quarterly_rows(), "LS/CMI"))["Target"]
    assert list(target["x"]) == ["2020-21 Q1", "2020-21 Q2", "2020-21 Q3", "2020-21 Q4"]
    assert list(target["y"]) == [90.0, 90.0, 95.0, 95.0]
    assert target["line"]["shape"] == "hvh", "steps half-way between quarters"


def test_hover_explains_the_counts_behind_the_rate() -> None:
    bars = traces(compliance_trend(quarterly_rows(), "LS/CMI"))["Compliance rate"]
    first, _, _, last = bars["hovertext"]
    assert "met 46 of 50 due" in first
    assert "pending 0, excluded 2, invalid 1" in first
    assert "target 90.0%" in first
    assert "met 0 of 0 due" in last and "No rate" in last


def test_proportion_measures_can_name_what_they_count() -> None:
    bars = traces(compliance_trend(quarterly_rows(), "Audits", counted="audits"))["Compliance rate"]
    assert "met 46 of 50 audits" in bars["hovertext"][0]


def test_customdata_carries_the_quarter_so_a_click_maps_back() -> None:
    figure = compliance_trend(quarterly_rows(), "LS/CMI")
    bars = traces(figure)["Compliance rate"]
    assert list(bars["customdata"]) == list(bars["x"])
    assert figure.to_dict()["layout"]["clickmode"] == "event+select"


def test_no_rows_gives_a_figure_that_says_so() -> None:
    figure = compliance_trend(quarterly_rows().iloc[0:0], "LS/CMI").to_dict()
    assert figure["data"] == []
    assert [note["text"] for note in figure["layout"]["annotations"]] == [NO_RECORDS]


def test_an_unfinished_quarter_is_labelled_partial_and_faded_but_clicks_as_itself() -> None:
    rows = quarterly_rows().assign(partial=[False, False, False, True])  # 2020-21 Q4, in row order 3

    figure = compliance_trend(rows, "LS/CMI within 28 days").to_dict()
    bars = traces(compliance_trend(rows, "LS/CMI within 28 days"))["Compliance rate"]

    assert list(figure["layout"]["xaxis"]["ticktext"]) == [
        "2020-21 Q1",
        "2020-21 Q2",
        "2020-21 Q3",
        "2020-21 Q4<br>(partial)",
    ]
    assert list(bars["marker"]["opacity"]) == [1.0, 1.0, 1.0, 0.45]  # faded: hatching means amber/red
    assert list(bars["customdata"])[-1] == "2020-21 Q4"  # the drill-down still finds the quarter
    assert "2020-21 Q4 (partial)" in bars["hovertext"][-1]


def test_without_the_flag_no_quarter_is_marked() -> None:
    figure = compliance_trend(quarterly_rows(), "LS/CMI within 28 days").to_dict()
    assert not any("partial" in text for text in figure["layout"]["xaxis"]["ticktext"])


def test_a_sparkline_is_drawn_in_its_rag_colour_with_the_target_and_a_rag_shaped_last_point() -> None:
    svg = sparkline([80.0, 85.0, 87.5], 90.0, "amber")
    assert '<polyline points="6.0,' in svg and f'stroke="{RAG_COLOURS["amber"]}"' in svg
    assert 'stroke-dasharray="4 3"' in svg  # the target
    assert "<polygon" in svg  # amber's last point is a triangle
    assert "<rect" in sparkline([50.0], None, "red") and "stroke-dasharray" not in sparkline(
        [50.0], None, "red"
    )
    assert "<circle" in sparkline([95.0, 96.0], 90.0, "green")


def test_a_sparkline_keeps_the_target_line_inside_the_picture_and_above_a_lower_rate() -> None:
    svg = sparkline([60.0, 62.0], 90.0, "red")
    target_y = float(svg.split('<line x1="6" y1="')[1].split('"')[0])
    last_y = float(svg.split('<polyline points="')[1].split('"')[0].split()[-1].split(",")[1])
    assert 0 < target_y < last_y < 48  # SVG y grows downwards: the 90% target is above the 62% rate


def test_rate_labels_sit_in_a_row_above_every_bar_and_target_so_the_line_never_crosses_them() -> None:
    figure = compliance_trend(quarterly_rows(), "LS/CMI")
    labels = traces(figure)["Rate and RAG"]
    assert list(labels["text"]) == ["92.0%<br>● Green", "87.5%<br>▲ Amber", "60.0%<br>■ Red", "○ No rate"]
    assert min(labels["y"]) > 100 >= max(traces(figure)["Target"]["y"])
    assert traces(figure)["Compliance rate"]["textposition"] == "none"
