"""Quarterly compliance for one measure: a bar per quarter coloured and labelled by RAG, against target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.layout import BASE_LAYOUT, no_records_figure, percent_text
from charts.palette import RAG_COLOURS, RAG_WORDS, TARGET_LINE


def _counts(rows: pd.DataFrame, column: str) -> pd.Series:
    return rows[column].fillna(0).astype(int).astype(str)


def compliance_trend(quarterly: pd.DataFrame, title: str, *, counted: str = "due") -> go.Figure:
    """Bars of the compliance rate per quarter with the target as a step line.

    `quarterly` holds one measure's rows of `measures.quarterly_compliance` (quarter, met, missed,
    pending, excluded, invalid, rate, target, rag). Each bar carries its rate and RAG word as text, so
    the chart reads without colour. `customdata` is the quarter label, so a click selection maps back
    to a quarter. `counted` names what the denominator counts ("due" for timescales, e.g. "held
    reviews" or "audits" for proportions).
    """
    if quarterly.empty:
        return no_records_figure(title)
    rows = quarterly.sort_values("quarter").reset_index(drop=True)
    quarters = rows["quarter"].astype(str)
    rates = rows["rate"].astype(float)
    words = rows["rag"].map(RAG_WORDS)
    rate_text = percent_text(rates)
    bar_text = (rate_text + "<br>" + words).where(rates.notna(), words)
    denominator = (rows["met"].fillna(0) + rows["missed"].fillna(0)).astype(int).astype(str)
    targets = rows["target"].astype(float)
    hover = (
        "<b>"
        + quarters
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
        marker={"color": rows["rag"].map(RAG_COLOURS).tolist(), "line": {"color": "#333333", "width": 0.5}},
        text=bar_text.tolist(),
        textposition="outside",
        cliponaxis=False,
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
    figure.update_layout(
        **BASE_LAYOUT,
        title=title,
        clickmode="event+select",
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": quarters.tolist(),
            "title": None,
        },
        yaxis={
            "range": [0, 115],
            "ticksuffix": "%",
            "title": "Compliance rate",
            "tickvals": [0, 25, 50, 75, 100],
        },
    )
    return figure
