"""Statistical process control figures: the XmR / run / p-chart of one measure, and the funnel of its teams.

MDC's conventions: blue is improvement, orange concern, grey common cause; every special-cause point also
has its own shape (a triangle pointing the way it moved), its flag and rules in words in the hover, and
the page's table repeats them, so neither colour nor hover is the only way to read a chart. Limits are
broken where a rebase starts a new segment, with the reason written at the break.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.layout import BASE_LAYOUT, as_plain_text, no_records_figure, percent_text
from charts.palette import ANNOTATION_LINE, TARGET_LINE
from measures.spc import CHART_WORDS, POSITION_WORDS, POSITIONS, VARIATION_WORDS, Funnel, SpcChart

IMPROVEMENT = "#0072B2"  # Okabe-Ito blue (MDC: blue is improvement)
CONCERN = "#E69F00"  # Okabe-Ito orange (MDC: orange is concern)
COMMON = "#7F7F7F"  # grey: common cause
LIMIT_LINE = "#555555"
# No two legend entries share a colour (issue 8); dash and width tell the lines apart as well.
CENTRE_LINE = "#1A1A1A"
SIGMA_LINE = "#A6A6A6"
SMALL_NUMBERS = "#4D4D4D"
BENCHMARK_LINE = "#CC79A7"  # Okabe-Ito reddish purple: the (first) national figure
BENCHMARK_LINES: tuple[str, ...] = (BENCHMARK_LINE, "#009E73", "#56B4E9", "#D55E00", "#F0E442")
FUNNEL_LIMITS: dict[str, str] = {"99.8": "#555555", "95": "#A6A6A6"}
FLAG_STYLES: dict[str, tuple[str, str, str]] = {  # flag -> (legend name, colour, marker symbol)
    "": (VARIATION_WORDS["common"], COMMON, "circle"),
    "improvement": (VARIATION_WORDS["improvement"], IMPROVEMENT, "triangle-up"),
    "concern": (VARIATION_WORDS["concern"], CONCERN, "triangle-down"),
}
POSITION_STYLES: dict[str, tuple[str, str]] = {  # funnel position -> (colour, marker symbol)
    "above_99.8": (IMPROVEMENT, "triangle-up"),
    "above_95": ("#56B4E9", "triangle-up-open"),  # Okabe-Ito sky blue: a lighter improvement
    "within": (COMMON, "circle"),
    "below_95": ("#F5C242", "triangle-down-open"),  # a lighter concern orange
    "below_99.8": (CONCERN, "triangle-down"),
}
CENTRE_NAMES: dict[str, str] = {"xmr": "Centre (mean)", "run": "Median", "p": "Centre (p̄, pooled)"}
SMALL_NUMBERS_NAME = "Small numbers (open marker): limits approximate"
Y_TOP = 108  # room above 100% for the markers and the benchmark label
# An SPC chart has up to eight legend entries: below the plot, where they do not cover the title.
LEGEND_BELOW = {
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
    "margin": {"l": 60, "r": 20, "t": 70, "b": 150},
}


def spc_figure(
    chart: SpcChart,
    title: str,
    *,
    counted: str = "due",
    benchmarks: pd.DataFrame | None = None,
) -> go.Figure:
    """The chart of one measure's series (`measures.spc.spc_chart` or `p_chart`): points coloured and
    shaped by their flag, the centre, process limits and 2 sigma lines (none for a run chart), the target
    as a step line, and any national figures (`measures.spc.benchmark_lines` over these points: label,
    position, rate, year, source) as a labelled line whose hover names its source.

    `customdata` of each point is its period label, so a click maps back to a period.
    """
    points = chart.points
    if points.empty:
        return no_records_figure(title)
    periods = points["period"].astype(str).tolist()
    figure = go.Figure()
    figure.add_scatter(
        x=periods,
        y=points["rate"].tolist(),
        mode="lines",
        name="Rate",
        line={"color": COMMON, "width": 1.5},
        hoverinfo="skip",
        showlegend=False,
    )
    _lines(figure, chart, periods)
    _target(figure, points, periods)
    if benchmarks is not None and not benchmarks.empty:
        _benchmarks(figure, benchmarks, periods)
    _points(figure, chart, periods, counted)
    for period, rebase in chart.breaks:
        _rebase_mark(figure, period, rebase.reason, rebase.set_by, rebase.set_on)
    figure.update_layout(
        **{**BASE_LAYOUT, **LEGEND_BELOW},
        title={"text": f"{title}<br><sup>{CHART_WORDS[chart.chart]}</sup>"},
        height=540,
        clickmode="event+select",
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": periods, "title": None},
        yaxis={"range": [0, Y_TOP], "ticksuffix": "%", "title": "Rate", "tickvals": [0, 25, 50, 75, 100]},
    )
    return figure


def _segmented(points: pd.DataFrame, periods: list[str], column: str) -> tuple[list[object], list[object]]:
    """x and y of a line broken (a None gap) wherever the segment changes."""
    x: list[object] = []
    y: list[object] = []
    segments = points["segment"].to_numpy()
    values = points[column].to_numpy(dtype=float)
    for index, period in enumerate(periods):
        if index and segments[index] != segments[index - 1]:
            x.append(None)
            y.append(None)
        x.append(period)
        y.append(None if np.isnan(values[index]) else float(values[index]))
    return x, y


def _lines(figure: go.Figure, chart: SpcChart, periods: list[str]) -> None:
    """Centre, process limits (3 sigma) and 2 sigma lines; each pair shares one legend entry."""
    points = chart.points
    # p-chart limits change at every point: drawn as steps centred on the point ("hvh").
    shape = "hvh" if chart.chart == "p" else "linear"
    x, y = _segmented(points, periods, "centre")
    figure.add_scatter(
        x=x,
        y=y,
        mode="lines",
        name=CENTRE_NAMES[chart.chart],
        line={"color": CENTRE_LINE, "width": 1.5, "shape": shape},
        connectgaps=False,
        hovertemplate=f"{CENTRE_NAMES[chart.chart]} %{{y:.1f}}%<extra></extra>",
    )
    if chart.chart == "run":
        return
    for columns, name, dash, width, colour in (
        (("upper", "lower"), "Process limits (3σ)", "dash", 1.5, LIMIT_LINE),
        (("sigma_upper", "sigma_lower"), "2σ lines", "dot", 1, SIGMA_LINE),
    ):
        for index, column in enumerate(columns):
            x, y = _segmented(points, periods, column)
            figure.add_scatter(
                x=x,
                y=y,
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=index == 0,
                line={"color": colour, "dash": dash, "width": width, "shape": shape},
                connectgaps=False,
                hovertemplate=f"{name}: %{{y:.1f}}%<extra></extra>",
            )


def _target(figure: go.Figure, points: pd.DataFrame, periods: list[str]) -> None:
    targets = points["target"].astype(float)
    if targets.isna().all():
        return
    figure.add_scatter(
        x=periods,
        y=[None if np.isnan(value) else value for value in targets],
        mode="lines",
        name="Target",
        line={"shape": "hvh", "color": TARGET_LINE, "dash": "dash", "width": 2},
        hovertemplate="Target %{y:.1f}%<extra></extra>",
    )


def _benchmarks(figure: go.Figure, lines: pd.DataFrame, periods: list[str]) -> None:
    """A line per national figure's label, labelled at its end with rate and year; hover names the source.

    Labels and sources are typed by users, so they are shown as literal text.
    """
    for number, (label, rows) in enumerate(lines.groupby("label", sort=False)):
        colour = BENCHMARK_LINES[number % len(BENCHMARK_LINES)]
        positions = rows["position"].astype(int).tolist()
        x = [periods[position] for position in positions]
        name = as_plain_text(pd.Series([str(label)])).iloc[0]
        sources = as_plain_text(rows["source"].astype(str))
        hover = (
            name
            + " "
            + percent_text(rows["rate"].astype(float))
            + " ("
            + rows["year"]
            + ")<br>Source: "
            + sources
        )
        figure.add_scatter(
            x=x,
            y=rows["rate"].astype(float).tolist(),
            mode="lines",
            name=f"{name} (national figure)",
            line={"shape": "hvh", "color": colour, "dash": "dashdot", "width": 2},
            hovertext=hover.tolist(),
            hovertemplate="%{hovertext}<extra></extra>",
        )
        last = rows.iloc[-1]
        figure.add_annotation(
            x=x[-1],
            y=float(last["rate"]),
            text=f"{name} {percent_text(pd.Series([float(last['rate'])])).iloc[0]} ({last['year']})",
            hovertext=f"Source: {sources.iloc[-1]}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 10, "color": colour},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )


def _points(figure: go.Figure, chart: SpcChart, periods: list[str], counted: str) -> None:
    """One trace per flag, so the legend explains colour and shape; small-number points are open."""
    points = chart.points.reset_index(drop=True)
    rate_text = percent_text(points["rate"].astype(float))
    counts = points["met"].astype(int).astype(str) + " of " + points["denominator"].astype(int).astype(str)
    small = points["small_numbers"].astype(bool)
    hover = (
        "<b>"
        + points["period"].astype(str)
        + "</b><br>"
        + rate_text
        + " ("
        + counts
        + " "
        + counted
        + ")<br>"
        + points["signal"].astype(str)
        + np.where(small, "<br>Small numbers: the p-chart's limits are approximate here", "")
    )
    small_mask = small.to_numpy()
    for flag, (name, colour, symbol) in FLAG_STYLES.items():
        flagged = points["flag"].astype(str).eq(flag).to_numpy()
        # Points with small numbers are drawn open, as a second trace of the same legend entry, so the
        # legend always shows the filled marker.
        shown_legend = False
        for mine, marker_symbol in (
            (flagged & ~small_mask, symbol),
            (flagged & small_mask, f"{symbol}-open"),
        ):
            if not mine.any():
                continue
            figure.add_scatter(
                x=[periods[index] for index in np.flatnonzero(mine)],
                y=points.loc[mine, "rate"].tolist(),
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=not shown_legend,
                marker={
                    "color": colour,
                    "symbol": marker_symbol,
                    "size": 9 if flag == "" else 12,
                    "line": {"color": colour if marker_symbol.endswith("-open") else "#333333", "width": 1},
                },
                hovertext=hover[mine].tolist(),
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=points.loc[mine, "period"].astype(str).tolist(),
            )
            shown_legend = True
    if small.any():
        figure.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=SMALL_NUMBERS_NAME,
            marker={"color": SMALL_NUMBERS, "symbol": "circle-open", "size": 9},
            hoverinfo="skip",
        )


def _rebase_mark(figure: go.Figure, period: str, reason: str, set_by: str, set_on: object) -> None:
    """A dotted line where the new segment starts, the reason written beside it, who set it in the hover."""
    who = f"set by {as_plain_text(pd.Series([set_by])).iloc[0]}" if set_by else ""
    when = f" on {set_on:%d/%m/%Y}" if set_on is not None and hasattr(set_on, "strftime") else ""
    figure.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=period,
        x1=period,
        y0=0,
        y1=1,
        line={"color": ANNOTATION_LINE, "width": 1.5, "dash": "dot"},
        layer="below",
    )
    figure.add_annotation(
        x=period,
        xref="x",
        y=1,
        yref="paper",
        yanchor="top",
        xanchor="left",
        text=f"Rebased: {as_plain_text(pd.Series([reason])).iloc[0]}",
        hovertext=f"New limits from {period}; {who}{when}".rstrip("; "),
        showarrow=False,
        font={"size": 10, "color": ANNOTATION_LINE},
        bgcolor="rgba(255, 255, 255, 0.85)",
    )


# --- funnel ----------------------------------------------------------------------------------------------

MAX_LABELLED_GROUPS = 12  # beyond this many outside the limits, names go in the hover only


def funnel_figure(result: Funnel, title: str, group_title: str, *, counted: str = "due") -> go.Figure:
    """Each group's rate against how many it counted, with 95% and 99.8% limits around the service rate.

    A group outside the funnel differs from the service by more than chance explains; a small group's
    limits are wide, so one missed case does not put it there. Group names are literal text.
    """
    points = result.points
    if points.empty or np.isnan(result.service_rate):
        return no_records_figure(title)
    figure = go.Figure()
    curve = result.curve
    for level, dash in (("99.8", "dot"), ("95", "dash")):
        for index, side in enumerate(("upper", "lower")):
            name = f"{level}% limits"
            figure.add_scatter(
                x=curve["denominator"].tolist(),
                y=curve[f"{side}_{level}"].tolist(),
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=index == 0,
                line={"color": FUNNEL_LIMITS[level], "dash": dash, "width": 1.2},
                hovertemplate=f"{name}: %{{y:.1f}}% at %{{x:.0f}} {counted}<extra></extra>",
            )
    figure.add_hline(
        y=result.service_rate,
        line={"color": LIMIT_LINE, "width": 1.5},
        annotation_text=f"Service {percent_text(pd.Series([result.service_rate])).iloc[0]}",
        annotation_position="top right",
    )
    names = as_plain_text(points["group"].astype(str))
    hover = (
        "<b>"
        + names
        + "</b><br>"
        + percent_text(points["rate"].astype(float))
        + " ("
        + points["met"].astype(str)
        + " of "
        + points["denominator"].astype(str)
        + " "
        + counted
        + ")<br>"
        + points["position"].map(POSITION_WORDS)
        + np.where(points["small_numbers"], "<br>Small numbers: limits approximate", "")
    )
    for position in POSITIONS:
        mine = points["position"].eq(position).to_numpy()
        if not mine.any():
            continue
        colour, symbol = POSITION_STYLES[position]
        # Groups outside the limits are named on the chart; those within, in the hover and the table.
        labelled = position != "within" and mine.sum() <= MAX_LABELLED_GROUPS
        figure.add_scatter(
            x=points.loc[mine, "denominator"].tolist(),
            y=points.loc[mine, "rate"].tolist(),
            mode="markers+text" if labelled else "markers",
            text=names[mine].tolist() if labelled else None,
            textposition="top center",
            name=POSITION_WORDS[position].split(":")[0],
            marker={"color": colour, "symbol": symbol, "size": 12, "line": {"color": colour, "width": 2}},
            hovertext=hover[mine].tolist(),
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=points.loc[mine, "group"].astype(str).tolist(),
        )
    figure.update_layout(
        **{**BASE_LAYOUT, **LEGEND_BELOW},
        title=title,
        height=480,
        xaxis={"title": f"Records counted per {group_title.lower()} ({counted})", "rangemode": "tozero"},
        yaxis={"range": [0, Y_TOP], "ticksuffix": "%", "title": "Rate", "tickvals": [0, 25, 50, 75, 100]},
    )
    return figure
