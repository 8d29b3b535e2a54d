"""Action plan events on the quarterly trend: a dotted line and a label where an action started or ended,
so a manager can see whether the rate moved afterwards; the chart is unchanged without them."""

from __future__ import annotations

import pandas as pd

from charts import compliance_trend
from measures.actions import chart_annotations, quarter_annotations

QUARTERS = ["2020-21 Q1", "2020-21 Q2", "2020-21 Q3", "2020-21 Q4"]


def quarterly_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": "cmp",
            "quarter": QUARTERS,
            "met": [30, 33, 40, 46],
            "missed": [20, 17, 10, 4],
            "pending": 0,
            "excluded": 0,
            "invalid": 0,
            "rate": [60.0, 66.0, 80.0, 92.0],
            "target": 90.0,
            "amber_margin": 5.0,
            "rag": ["red", "red", "red", "green"],
        }
    )


def events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["quarter", "event", "title"])


def layout(figure) -> dict:
    return figure.to_dict()["layout"]


def test_without_annotations_the_figure_is_exactly_as_before() -> None:
    plain = compliance_trend(quarterly_rows(), "CMP").to_dict()

    assert compliance_trend(quarterly_rows(), "CMP", annotations=None).to_dict() == plain
    assert compliance_trend(quarterly_rows(), "CMP", annotations=events([])).to_dict() == plain
    assert "shapes" not in plain["layout"] and "annotations" not in plain["layout"]


def test_a_started_action_draws_a_dotted_line_and_a_label_at_its_quarter() -> None:
    figure = compliance_trend(
        quarterly_rows(), "CMP", annotations=events([("2020-21 Q2", "started", "CMP template")])
    )

    (line,) = layout(figure)["shapes"]
    assert (line["type"], line["x0"], line["x1"], line["xref"]) == ("line", "2020-21 Q2", "2020-21 Q2", "x")
    assert line["line"]["dash"] == "dot"
    assert line["y0"] == 0 and line["y1"] > 100, "from the axis up past the bars to its label"
    (label,) = layout(figure)["annotations"]
    assert (label["x"], label["text"]) == ("2020-21 Q2", "▲ started: CMP template")
    assert label["y"] == line["y1"]


def test_several_events_in_one_quarter_share_one_line_and_stack_their_labels() -> None:
    figure = compliance_trend(
        quarterly_rows(),
        "CMP",
        annotations=events(
            [
                ("2020-21 Q3", "completed", "Weekly list"),
                ("2020-21 Q3", "started", "Review audit"),
                ("2020-21 Q1", "started", "Weekly list"),
            ]
        ),
    )

    shapes, labels = layout(figure)["shapes"], layout(figure)["annotations"]
    assert [shape["x0"] for shape in shapes] == ["2020-21 Q1", "2020-21 Q3"]
    assert [label["text"] for label in labels] == [
        "▲ started: Weekly list",
        "✓ completed: Weekly list<br>▲ started: Review audit",
    ]
    assert labels[0]["y"] != labels[1]["y"], "each quarter's labels have a row of their own"


def test_the_labels_sit_above_the_bars_and_the_axis_grows_to_hold_them() -> None:
    figure = compliance_trend(
        quarterly_rows(),
        "CMP",
        annotations=events([("2020-21 Q1", "started", "A"), ("2020-21 Q2", "completed", "A")]),
    )

    yaxis = layout(figure)["yaxis"]
    assert yaxis["range"][1] > 115
    assert list(yaxis["tickvals"]) == [0, 25, 50, 75, 100], "the scale still reads 0-100%"
    assert all(label["y"] > 115 for label in layout(figure)["annotations"])


def test_the_bars_and_target_are_unchanged_by_annotations() -> None:
    plain = compliance_trend(quarterly_rows(), "CMP").to_dict()["data"]
    marked = compliance_trend(
        quarterly_rows(), "CMP", annotations=events([("2020-21 Q4", "completed", "A")])
    ).to_dict()["data"]
    assert marked == plain


def test_action_titles_are_shown_as_typed_never_as_markup() -> None:
    title = '<a href="https://example.org">click</a> & <b>bold</b>'
    figure = compliance_trend(quarterly_rows(), "CMP", annotations=events([("2020-21 Q1", "started", title)]))

    (label,) = layout(figure)["annotations"]
    assert "<a" not in label["text"] and "<b>" not in label["hovertext"]
    assert label["hovertext"] == (
        'started: &lt;a href="https://example.org"&gt;click&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'
    )


def test_a_long_title_is_shortened_on_the_chart_and_given_in_full_on_hover() -> None:
    title = "Case management plan template and 20-working-day reminder"
    figure = compliance_trend(quarterly_rows(), "CMP", annotations=events([("2020-21 Q2", "started", title)]))

    (label,) = layout(figure)["annotations"]
    assert label["text"].startswith("▲ started: Case management") and label["text"].endswith("…")
    assert len(label["text"]) < len("▲ started: " + title)
    assert label["hovertext"] == "started: " + title


def test_events_in_quarters_the_chart_does_not_show_are_left_off_its_axis() -> None:
    figure = compliance_trend(
        quarterly_rows(),
        "CMP",
        annotations=events([("2019-20 Q4", "started", "Too early"), ("2020-21 Q4", "completed", "Shown")]),
    )

    assert [shape["x0"] for shape in layout(figure)["shapes"]] == ["2020-21 Q4"]
    assert list(layout(figure)["xaxis"]["categoryarray"]) == QUARTERS


def test_a_stored_plan_marks_the_measure_chart_in_the_right_quarters() -> None:
    """From a store.list_actions frame to the figure, as a measure page does it."""
    plan = pd.DataFrame(
        {
            "title": ["Weekly list", "Review audit"],
            "measures": [("lscmi", "cmp"), ("review_on_time",)],
            "status": ["complete", "on track"],
            "start_date": pd.to_datetime(["2020-12-31", "2020-07-01"]),
            "completed_on": pd.to_datetime(["2021-01-01", None]),
        }
    )
    marks = quarter_annotations(chart_annotations(plan, "cmp"), QUARTERS)

    labels = layout(compliance_trend(quarterly_rows(), "CMP", annotations=marks))["annotations"]

    assert [(label["x"], label["text"]) for label in labels] == [
        ("2020-21 Q3", "▲ started: Weekly list"),
        ("2020-21 Q4", "✓ completed: Weekly list"),
    ]
    assert labels[0]["hovertext"] == "started 31/12/2020: Weekly list"
    assert labels[1]["hovertext"] == "completed 01/01/2021: Weekly list"
