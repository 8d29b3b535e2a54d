"""Layout pieces every chart shares, including the figure shown when a filter leaves nothing to plot."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from measures import round_rates

NO_RECORDS = "No records in this period"
BASE_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 90, "b": 50},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    "hoverlabel": {"align": "left"},
}


def no_records_figure(title: str | None) -> go.Figure:
    """An empty chart that says why it is empty, rather than axes with nothing on them."""
    figure = go.Figure()
    figure.update_layout(
        **BASE_LAYOUT,
        title=title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": NO_RECORDS,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 16},
            }
        ],
    )
    return figure


def as_plain_text(values: pd.Series) -> pd.Series:
    """Values from a file (team, worker, order type) as literal chart text.

    Plotly draws a subset of HTML in labels and hover text: a team called ``<a href="…">click</a>`` would
    become a working link and ``<span style=…>`` would be applied. Escaped as entities, they read as typed.
    """
    text = values.astype(str)
    return (
        text.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )


def percent_text(rates: pd.Series) -> pd.Series:
    """Rates as "87.5%" (one decimal, as SPEC 3.2 shows them); an empty string where there is no rate."""
    rates = round_rates(rates)
    return rates.map("{:.1f}%".format).where(rates.notna(), "")


def label_trace(x: Sequence[object], y: Sequence[object], text: Sequence[str], position: str) -> go.Scatter:
    """Rate and RAG words as their own text trace, drawn in a row or column beyond 100% where no bar or
    target line can cross them (issue 8: labels were hidden behind the target line)."""
    return go.Scatter(
        x=x,
        y=y,
        name="Rate and RAG",
        mode="text",
        text=text,
        textposition=position,
        textfont={"size": 11, "color": "#1B2631"},
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
