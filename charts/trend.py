"""Quarterly compliance for one measure: a bar per quarter coloured and labelled by RAG, against target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.layout import BASE_LAYOUT, as_plain_text, label_trace, no_records_figure, percent_text
from charts.palette import ANNOTATION_LINE, RAG_COLOURS, RAG_MARKERS, RAG_PATTERNS, RAG_WORDS, TARGET_LINE
from measures.views import RAG_SYMBOLS

Y_TOP = 115  # room above a 100% bar for its rate and RAG word
LABEL_ROW_Y = 108  # the row of rate and RAG labels, above the tallest bar and any target
# Action plan events: a symbol that reads without colour, and how much of a title fits a short label.
EVENT_SYMBOLS: dict[str, str] = {"started": "▲", "completed": "✓"}
LABEL_TITLE_CHARS = 28
LABEL_LINE_UNITS = 7  # y-axis units per label line (10 px text on a chart of usual height)
LABEL_ROWS = 6  # a row per annotated quarter above the bars; beyond this many, blocks take turns


def _counts(rows: pd.DataFrame, column: str) -> pd.Series:
    return rows[column].fillna(0).astype(int).astype(str)


def compliance_trend(
    quarterly: pd.DataFrame,
    title: str,
    *,
    counted: str = "due",
    annotations: pd.DataFrame | None = None,
) -> go.Figure:
    """Bars of the compliance rate per quarter with the target as a step line.

    `quarterly` holds one measure's rows of `measures.quarterly_compliance` (quarter, met, missed,
    pending, excluded, invalid, rate, target, rag). Each bar carries its rate and RAG word as text, so
    the chart reads without colour. `customdata` is the quarter label, so a click selection maps back
    to a quarter. `counted` names what the denominator counts ("due" for timescales, e.g. "held
    reviews" or "audits" for proportions).

    `annotations` (quarter, event "started"/"completed", title; e.g. `measures.actions.quarter_annotations`)
    marks when improvement actions started and completed, so a manager can see whether the rate moved
    after them: a dotted line at each annotated quarter and a short label ("▲ started: title"; several
    in one quarter are stacked). Quarters not on the chart are left out; without annotations the figure
    is exactly as before.
    """
    if quarterly.empty:
        return no_records_figure(title)
    rows = quarterly.sort_values("quarter").reset_index(drop=True)
    quarters = rows["quarter"].astype(str)
    # A quarter not finished by the as-at date (measures.views.with_partial) is faded and labelled.
    partial = (
        rows["partial"].astype(bool) if "partial" in rows.columns else pd.Series(False, index=rows.index)
    )
    tick_text = quarters.where(~partial, quarters + "<br>(partial)")
    rates = rows["rate"].astype(float)
    words = rows["rag"].map(RAG_SYMBOLS) + " " + rows["rag"].map(RAG_WORDS)
    rate_text = percent_text(rates)
    bar_text = (rate_text + "<br>" + words).where(rates.notna(), words)
    denominator = (rows["met"].fillna(0) + rows["missed"].fillna(0)).astype(int).astype(str)
    targets = rows["target"].astype(float)
    hover = (
        "<b>"
        + tick_text.str.replace("<br>", " ", regex=False)
        + "</b><br>"
        + rate_text.where(rates.notna(), "No rate")
        + " ("
        + words.where(rates.notna(), "nothing counted")
        + ")<br>met "
        + _counts(rows, "met")
        + " of "
        + denominator
        + " "
        + counted
        + "<br>pending "
        + _counts(rows, "pending")
        + ", excluded "
        + _counts(rows, "excluded")
        + ", invalid "
        + _counts(rows, "invalid")
        + "<br>target "
        + percent_text(targets)
    )

    figure = go.Figure()
    figure.add_bar(
        x=quarters.tolist(),
        y=rates.fillna(0).tolist(),
        name="Compliance rate",
        showlegend=False,  # one colour per RAG: the legend swatch would mislead; the bar texts explain
        marker={
            "color": rows["rag"].map(RAG_COLOURS).tolist(),
            "line": {"color": "#333333", "width": 0.5},
            "pattern": {"shape": rows["rag"].map(RAG_PATTERNS).tolist(), "fgcolor": "#333333", "size": 6},
            "opacity": [0.45 if flag else 1.0 for flag in partial],  # an unfinished quarter is faded
        },
        text=bar_text.tolist(),
        textposition="none",  # drawn by the label row below, clear of the target line
        hovertext=hover.tolist(),
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=quarters.tolist(),
    )
    figure.add_scatter(
        x=quarters.tolist(),
        y=targets.tolist(),
        name="Target",
        mode="lines+markers",
        # "hvh" steps half-way between quarters, i.e. where the target changes; a tick marks each bar.
        line={"shape": "hvh", "color": TARGET_LINE, "dash": "dash", "width": 2},
        marker={"symbol": "line-ew", "size": 28, "line": {"color": TARGET_LINE, "width": 2}},
        hovertemplate="Target %{y:.1f}%<extra></extra>",
    )
    # Each bar's rate and RAG in a row above 100%, where no bar or target line can cross them.
    figure.add_trace(
        label_trace(quarters.tolist(), [LABEL_ROW_Y] * len(quarters), bar_text.tolist(), "middle center")
    )
    figure.update_layout(
        **BASE_LAYOUT,
        title=title,
        clickmode="event+select",
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": quarters.tolist(),
            "tickvals": quarters.tolist(),
            "ticktext": tick_text.tolist(),
            "title": None,
        },
        yaxis={
            "range": [0, Y_TOP],
            "ticksuffix": "%",
            "title": "Compliance rate",
            "tickvals": [0, 25, 50, 75, 100],
        },
    )
    if annotations is not None and not annotations.empty:
        _annotate(figure, annotations, quarters.tolist())
    return figure


def _short(title: str) -> str:
    return title if len(title) <= LABEL_TITLE_CHARS else title[: LABEL_TITLE_CHARS - 1].rstrip() + "…"


def _event_texts(events: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(short label, hover text) per event; titles are typed by users, so they are shown as literal text."""
    titles = events["title"].fillna("").astype(str)
    words = events["event"].astype(str)
    labels = words.map(EVENT_SYMBOLS).fillna("•") + " " + words + ": " + as_plain_text(titles.map(_short))
    when = words
    if "date" in events:
        days = pd.to_datetime(events["date"]).dt.strftime("%d/%m/%Y")
        when = (words + " " + days).where(days.notna(), words)
    return labels, when + ": " + as_plain_text(titles)


def _annotate(figure: go.Figure, annotations: pd.DataFrame, quarters: list[str]) -> None:
    """A dotted line and a label block per annotated quarter, above the bars.

    Blocks take turns over up to LABEL_ROWS rows, earliest at the top, so a label wider than its quarter
    does not overwrite its neighbours'; the y axis grows to hold the rows (its ticks stay 0-100%).
    """
    events = annotations[annotations["quarter"].astype(str).isin(quarters)]
    if events.empty:
        return
    labels, hovers = _event_texts(events)
    in_quarter = events["quarter"].astype(str)
    blocks = [
        (index, quarter, labels[in_quarter == quarter].tolist(), hovers[in_quarter == quarter].tolist())
        for index, quarter in enumerate(quarters)
        if (in_quarter == quarter).any()
    ]
    rows = min(len(blocks), LABEL_ROWS)
    row_lines = [max(len(block[2]) for block in blocks[row::rows]) for row in range(rows)]
    top = Y_TOP + LABEL_LINE_UNITS * sum(row_lines)
    for order, (index, quarter, lines, hover) in enumerate(blocks):
        label_top = top - LABEL_LINE_UNITS * sum(row_lines[: order % rows])
        side = "right" if index >= len(quarters) / 2 else "left"  # keep labels inside the plot
        figure.add_shape(
            type="line",
            xref="x",
            yref="y",
            x0=quarter,
            x1=quarter,
            y0=0,
            y1=label_top,
            line={"color": ANNOTATION_LINE, "width": 1.5, "dash": "dot"},
            layer="below",  # behind the bars: the line shows above a bar, up to its label
        )
        figure.add_annotation(
            x=quarter,
            xref="x",
            y=label_top,
            yref="y",
            yanchor="top",
            xanchor=side,
            align=side,
            text="<br>".join(lines),
            hovertext="<br>".join(hover),
            showarrow=False,
            font={"size": 10, "color": ANNOTATION_LINE},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
    figure.update_yaxes(range=[0, top])


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 200, 48, 6  # SVG user units; the image is stretched to the tile


def _spark_marker(x: float, y: float, rag: str, colour: str) -> str:
    """The last point in the RAG shape: ● green, ▲ amber, ■ red, ○ no rate."""
    if rag == "amber":
        corners = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{corners}" fill="{colour}"/>'
    if rag == "red":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    fill = "white" if rag not in RAG_MARKERS or rag == "grey" else colour
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'


def sparkline(rates: list[float], target: float | None, rag: str) -> str:
    """A tile's small trend as SVG text: the rate in its last quarters as a line in the RAG colour, the
    target as a dashed line, and the latest point in the RAG shape (● green, ▲ amber, ■ red).

    SVG drawn as an image rather than a chart: ten interactive charts would slow the overview, and the
    tile's value, words and target already say the figures; this shows the direction.
    """
    colour = RAG_COLOURS.get(rag, RAG_COLOURS["grey"])
    values = [*rates, *([target] if target is not None else [])]
    low, high = (min(values), max(values)) if values else (0.0, 100.0)
    span = max(high - low, 4.0)
    low, high = low - span * 0.1, high + span * 0.1

    def y_of(rate: float) -> float:
        return SPARK_PAD + (high - rate) / (high - low) * (SPARK_HEIGHT - 2 * SPARK_PAD)

    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(rates) - 1, 1)
    points = [(SPARK_PAD + index * step, y_of(rate)) for index, rate in enumerate(rates)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}">'
    ]
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line x1="{SPARK_PAD}" y1="{y:.1f}" x2="{SPARK_WIDTH - SPARK_PAD}" y2="{y:.1f}" '
            f'stroke="{TARGET_LINE}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(_spark_marker(*points[-1], rag, colour))
    parts.append("</svg>")
    return "".join(parts)
