"""SPC and funnel figures, read through fig.to_dict(): what is drawn, in which colour and shape, and why."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from charts import NO_RECORDS, funnel_figure, spc_figure
from charts.spc import BENCHMARK_LINE, CONCERN, IMPROVEMENT, SMALL_NUMBERS_NAME
from measures import spc
from measures.settings import Benchmark, Rebase, Target


def monthly(rates: list[int], first: str = "2019-04") -> pd.DataFrame:
    starts = pd.date_range(first, periods=len(rates), freq="MS")
    return pd.DataFrame(
        {"period": starts.strftime("%Y-%m"), "period_start": starts, "met": rates, "denominator": 100}
    )


def traces(figure) -> dict[str, dict]:
    return {trace.get("name"): trace for trace in figure.to_dict()["data"]}


def xmr(rates: list[int], **options) -> spc.SpcChart:
    return spc.spc_chart(monthly(rates), measure="lscmi", period="month", **options)


def test_special_cause_points_differ_in_colour_and_shape_and_say_their_rule() -> None:
    # 14 points at 50/52, a high 90 (beyond the upper limit), then a low 10 (beyond the lower limit).
    chart = xmr([50, 52] * 7 + [90, 10])
    drawn = traces(spc_figure(chart, "LS/CMI", counted="due"))
    improvement, concern = drawn["Special cause improvement"], drawn["Special cause concern"]
    assert (improvement["marker"]["color"], concern["marker"]["color"]) == (IMPROVEMENT, CONCERN)
    assert improvement["marker"]["symbol"] == "triangle-up"
    assert concern["marker"]["symbol"] == "triangle-down"
    assert drawn["Common cause"]["marker"]["symbol"] == "circle"
    assert list(improvement["x"]) == ["2020-06"]
    assert "Special cause improvement: above the upper process limit" in improvement["hovertext"][0]
    assert "90.0% (90 of 100 due)" in improvement["hovertext"][0]
    assert list(improvement["customdata"]) == ["2020-06"]


def test_xmr_draws_centre_limits_and_sigma_lines_with_one_legend_entry_each() -> None:
    figure = spc_figure(xmr([50, 52] * 8), "LS/CMI")
    data = figure.to_dict()["data"]
    names = [trace.get("name") for trace in data if trace.get("showlegend", True) is not False]
    assert "Centre (mean)" in names and "Process limits (3σ)" in names and "2σ lines" in names
    limits = [trace for trace in data if trace.get("name") == "Process limits (3σ)"]
    assert len(limits) == 2  # upper and lower
    assert limits[0]["y"][0] == pytest.approx(51 + 2.66 * 2)
    assert "SPC chart (XmR)" in figure.to_dict()["layout"]["title"]["text"]


def test_a_rebase_breaks_the_limits_and_is_annotated_with_its_reason() -> None:
    rebase = Rebase(
        date(2020, 2, 1), "2020-02", "action plan started", "officer@example.org", date(2020, 3, 1)
    )
    chart = xmr([50, 54] * 5 + [80, 82] * 5, rebases=[rebase])
    figure = spc_figure(chart, "LS/CMI").to_dict()
    centre = next(trace for trace in figure["data"] if trace.get("name") == "Centre (mean)")
    gap = list(centre["x"]).index(None)
    assert list(centre["x"])[gap - 1 : gap + 2] == ["2020-01", None, "2020-02"]
    assert centre["y"][gap - 1] == pytest.approx(52) and centre["y"][gap + 1] == pytest.approx(81)
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == ["2020-02"]
    note = next(note for note in figure["layout"]["annotations"] if note["text"].startswith("Rebased"))
    assert note["text"] == "Rebased: action plan started"
    assert "officer@example.org" in note["hovertext"] and "01/03/2020" in note["hovertext"]


def test_a_run_chart_has_a_median_and_no_limits() -> None:
    figure = spc_figure(xmr([50, 52] * 5), "LS/CMI")
    names = {trace.get("name") for trace in figure.to_dict()["data"]}
    assert "Median" in names
    assert "Process limits (3σ)" not in names and "2σ lines" not in names
    assert "Run chart" in figure.to_dict()["layout"]["title"]["text"]


def test_target_is_a_step_line() -> None:
    chart = xmr([50, 52] * 8, targets=[Target(date(2000, 1, 1), 80.0), Target(date(2020, 1, 1), 90.0)])
    target = traces(spc_figure(chart, "LS/CMI"))["Target"]
    assert target["line"]["shape"] == "hvh"
    assert target["y"][0] == 80.0 and target["y"][-1] == 90.0


def test_benchmark_line_is_labelled_with_its_year_and_names_its_source() -> None:
    chart = xmr([50, 52] * 8)  # April 2019 to July 2020
    figures = [
        Benchmark("lscmi", "2019-20", 72.7, "SG 2020-21, Table 13"),
        Benchmark("lscmi", "2020-21", 49.3, "SG 2020-21, Table 13"),
    ]
    lines = spc.benchmark_lines(chart.points["period_start"].to_numpy(), figures)
    figure = spc_figure(chart, "LS/CMI", benchmarks=lines).to_dict()
    line = next(trace for trace in figure["data"] if trace.get("name") == "Scotland (national figure)")
    assert line["line"]["color"] == BENCHMARK_LINE
    assert list(line["y"])[:12] == [72.7] * 12 and list(line["y"])[12:] == [49.3] * 4
    assert "Source: SG 2020-21, Table 13" in line["hovertext"][0]
    label = next(note for note in figure["layout"]["annotations"] if note["text"].startswith("Scotland"))
    assert label["text"] == "Scotland 49.3% (2020-21)"
    assert "Source: SG 2020-21, Table 13" in label["hovertext"]


def test_user_typed_text_is_shown_literally() -> None:
    rebase = Rebase(date(2020, 2, 1), "2020-02", "<a href='x'>plan</a>", "<b>me</b>")
    chart = xmr([50, 54] * 5 + [80, 82] * 5, rebases=[rebase])
    lines = spc.benchmark_lines(
        chart.points["period_start"].to_numpy(), [Benchmark("lscmi", "2019-20", 70, "<script>", "<i>X</i>")]
    )
    figure = spc_figure(chart, "LS/CMI", benchmarks=lines).to_dict()
    texts = " ".join(
        str(note.get("text")) + str(note.get("hovertext")) for note in figure["layout"]["annotations"]
    )
    assert "<a href" not in texts and "&lt;a href" in texts
    assert "<b>me" not in texts and "<i>X" not in texts
    names = [trace.get("name") for trace in figure["data"]]
    assert "&lt;i&gt;X&lt;/i&gt; (national figure)" in names


def test_p_chart_marks_small_numbers_with_an_open_marker_and_says_so() -> None:
    points = pd.DataFrame(
        {
            "period": ["2020-04", "2020-05", "2020-06"],
            "period_start": pd.to_datetime(["2020-04-01", "2020-05-01", "2020-06-01"]),
            "met": [45, 40, 5],
            "denominator": [50, 50, 10],
        }
    )
    chart = spc.p_chart(points, measure="lscmi", period="month")
    data = spc_figure(chart, "LS/CMI").to_dict()["data"]
    common = [trace for trace in data if trace.get("name") == "Common cause"]
    assert [(trace["marker"]["symbol"], list(trace["x"])) for trace in common] == [
        ("circle", ["2020-04", "2020-05"]),
        ("circle-open", ["2020-06"]),
    ]
    assert [trace["showlegend"] for trace in common] == [True, False]  # the legend shows the filled marker
    assert "Small numbers" in common[1]["hovertext"][0]
    drawn = traces(spc_figure(chart, "LS/CMI"))
    assert SMALL_NUMBERS_NAME in drawn
    assert drawn["Process limits (3σ)"]["line"]["shape"] == "hvh"  # limits change at every point
    assert "p-chart" in spc_figure(chart, "x").to_dict()["layout"]["title"]["text"]


def test_no_points_gives_a_figure_that_says_so() -> None:
    chart = spc.spc_chart(monthly([]), measure="lscmi", period="month")
    layout = spc_figure(chart, "LS/CMI").to_dict()["layout"]
    assert layout["annotations"][0]["text"] == NO_RECORDS


def test_funnel_places_each_team_by_colour_shape_and_words() -> None:
    groups = pd.DataFrame({"group": ["A", "B", "C"], "met": [900, 4, 160], "denominator": [1000, 5, 200]})
    figure = funnel_figure(spc.funnel(groups), "LS/CMI by team", "Team").to_dict()
    drawn = {trace.get("name"): trace for trace in figure["data"]}
    within = drawn["Within the limits"]
    assert sorted(within["customdata"]) == ["A", "B"]
    assert "text" not in within  # only groups outside the limits are named on the chart
    below = drawn["Below the 99.8% limit"]
    assert list(below["text"]) == ["C"] and below["marker"]["symbol"] == "triangle-down"
    assert below["marker"]["color"] == CONCERN
    assert "worse than chance explains" in below["hovertext"][0]
    assert "Small numbers" in within["hovertext"][list(within["customdata"]).index("B")]
    assert {"95% limits", "99.8% limits"} <= set(drawn)
    assert any("Service 88.3%" in note["text"] for note in figure["layout"]["annotations"])


def test_funnel_with_no_groups_says_so() -> None:
    empty = spc.funnel(pd.DataFrame({"group": [], "met": [], "denominator": []}))
    assert funnel_figure(empty, "x", "Team").to_dict()["layout"]["annotations"][0]["text"] == NO_RECORDS


def legend_colours(figure) -> dict[str, str]:
    """Each legend entry's colour (its line's, else its marker's)."""
    colours = {}
    for trace in figure.to_dict()["data"]:
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        colour = (trace.get("line") or {}).get("color") if trace["mode"] == "lines" else None
        colours[trace["name"]] = colour or trace["marker"]["color"]
    return colours


def test_no_two_legend_entries_of_an_spc_chart_share_a_colour() -> None:
    chart = xmr([50, 52, 51, 53, 50, 52, 51, 90, 50, 52, 51, 53, 50, 52, 51, 10, 50])
    lines = spc.benchmark_lines(
        chart.points["period_start"].to_numpy(),
        [
            Benchmark("lscmi", "2019-20", 70, "S", "Scotland (CPO)"),
            Benchmark("lscmi", "2019-20", 60, "S", "DTTO"),
        ],
    )
    colours = legend_colours(spc_figure(chart, "LS/CMI", benchmarks=lines))
    assert {"Process limits (3σ)", "2σ lines", "Target"} - set(colours) <= {"Target"}
    assert len(colours) >= 6 and len(set(colours.values())) == len(colours), colours


def test_no_two_legend_entries_of_a_funnel_share_a_colour() -> None:
    groups = pd.DataFrame(
        {"group": list("ABCDE"), "met": [990, 4, 100, 700, 500], "denominator": [1000, 5, 200, 1000, 600]}
    )
    colours = legend_colours(funnel_figure(spc.funnel(groups), "LS/CMI by team", "Team"))
    assert len(set(colours.values())) == len(colours), colours
