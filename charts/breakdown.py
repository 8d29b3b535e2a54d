"""Compliance by team, worker or other group: horizontal bars, best first, coloured and labelled by RAG."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.layout import BASE_LAYOUT, as_plain_text, label_trace, no_records_figure, percent_text
from charts.palette import RAG_COLOURS, RAG_PATTERNS, RAG_WORDS, TARGET_LINE
from measures.views import RAG_SYMBOLS

BLANK_GROUP = "(blank)"
LABEL_COLUMN_X = 102  # labels start just right of 100%, past any bar and target line
X_RIGHT = 165  # room for "92.2% ● Green (595 of 645 due)" right of the bars


def breakdown_bar(
    rows: pd.DataFrame,
    group_title: str,
    *,
    target: float | None = None,
    title: str | None = None,
    counted: str = "due",
) -> go.Figure:
    """One bar per group (columns group, met, missed, rate, rag), sorted by rate, highest at the top.

    Groups with no rate go to the bottom as grey "No rate" bars. Group names are shown as literal text
    (never as plotly's HTML); `customdata` holds the group as stored so a click can filter the case list;
    `target`, when given, is drawn as a dashed vertical line.
    """
    if rows.empty:
        return no_records_figure(title)
    ordered = rows.assign(
        group=rows["group"].fillna(BLANK_GROUP).astype(str), rate=rows["rate"].astype(float)
    )
    ordered = ordered.sort_values(["rate", "group"], ascending=[False, True], na_position="last")
    rates = ordered["rate"]
    words = ordered["rag"].map(RAG_SYMBOLS) + " " + ordered["rag"].map(RAG_WORDS)
    met = ordered["met"].fillna(0).astype(int).astype(str)
    denominator = (ordered["met"].fillna(0) + ordered["missed"].fillna(0)).astype(int).astype(str)
    counts = "(" + met + " of " + denominator + " " + counted + ")"
    text = (percent_text(rates) + " " + words + " " + counts).where(rates.notna(), words)

    figure = go.Figure()
    figure.add_bar(
        x=rates.fillna(0).tolist(),
        y=as_plain_text(ordered["group"]).tolist(),
        orientation="h",
        name="Compliance rate",
        marker={
            "color": ordered["rag"].map(RAG_COLOURS).tolist(),
            "line": {"color": "#333333", "width": 0.5},
            "pattern": {"shape": ordered["rag"].map(RAG_PATTERNS).tolist(), "fgcolor": "#333333", "size": 6},
        },
        text=text.tolist(),
        textposition="none",  # drawn in the label column below, clear of the target line
        customdata=ordered["group"].tolist(),
        hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
    )
    # Each group's rate, RAG and counts in a column right of 100%, where no bar or target line crosses them.
    figure.add_trace(
        label_trace(
            [LABEL_COLUMN_X] * len(ordered),
            as_plain_text(ordered["group"]).tolist(),
            text.tolist(),
            "middle right",
        )
    )
    if target is not None:
        figure.add_vline(
            x=target,
            line={"color": TARGET_LINE, "dash": "dash", "width": 2},
            layer="below",  # keeps the bar labels readable where they cross the line
            annotation_text=f"Target {target:g}%",
            annotation_position="top",
        )
    figure.update_layout(
        **BASE_LAYOUT,
        title=title,
        showlegend=False,
        height=max(260, 36 * len(ordered) + 120),
        clickmode="event+select",
        xaxis={
            "range": [0, X_RIGHT],
            "ticksuffix": "%",
            "title": "Compliance rate",
            "tickvals": [0, 25, 50, 75, 100],
        },
        yaxis={"title": group_title, "autorange": "reversed", "type": "category", "automargin": True},
    )
    return figure
