"""Layout pieces every chart shares, including the figure shown when a filter leaves nothing to plot."""

from __future__ import annotations

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
