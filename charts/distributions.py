"""How long things took, and how audit grades spread: the shape behind a single compliance rate."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.layout import BASE_LAYOUT, no_records_figure
from charts.palette import (
    EARLY_MET,
    GRADE_COLOURS,
    GRADE_LABELS,
    GRADE_TEXT_COLOURS,
    INVALID,
    OVER_TIMESCALE,
    TARGET_LINE,
    WITHIN_TIMESCALE,
)
from measures.as_at import quarter_is_partial, quarter_shown
from measures.views import days_labels, days_tail, pooled_days


def _pooled(days: np.ndarray, tail: int) -> list[int]:
    """The pooled bars (before the start, and the tail) whose labels must show even when ticks are thinned."""
    step = max(1, round(len(days) / 15))
    shown = set(days[::step].tolist())
    return [int(day) for day in days if (day == tail or day == -1) and day not in shown]


def days_taken_histogram(
    statuses: pd.DataFrame,
    limit: int,
    unit_label: str,
    *,
    title: str | None = None,
    early_is_met: bool = False,
) -> go.Figure:
    """Records per number of days taken (columns days_taken, status), split at the timescale `limit`.

    Bars up to `limit` are "Within timescale", later ones "Over timescale", negative ones (to-date
    before from-date) "Invalid" — or "Early (met)" when `early_is_met` (a review held before its due date,
    SPEC 3.2). Days from 3 x limit (at least limit + 10) are pooled into one bar (measures.views.pooled_days,
    the same rule as the table beside the chart).
    The dashed line sits on the boundary between day `limit` and day `limit + 1` (x = limit + 0.5),
    so every bar left of it met the timescale. Excluded records are left out.
    """
    taken = statuses.loc[statuses["status"] != "excluded", "days_taken"].dropna().astype(int)
    if taken.empty:
        return no_records_figure(title)
    tail = days_tail(limit)
    counts = pooled_days(taken, limit).value_counts().sort_index()
    days = counts.index.to_numpy()
    labels = pd.Series(days_labels(pd.Series(days), limit, early_is_met).to_numpy(), index=counts.index)

    figure = go.Figure()
    groups = (
        ("Within timescale", (days >= 0) & (days <= limit), WITHIN_TIMESCALE),
        ("Over timescale", days > limit, OVER_TIMESCALE),
        ("Early (met)", days < 0, EARLY_MET)
        if early_is_met
        else ("Invalid (date before start)", days < 0, INVALID),
    )
    for name, in_group, colour in groups:
        if not in_group.any():
            continue
        figure.add_bar(
            x=days[in_group].tolist(),
            y=counts.to_numpy()[in_group].tolist(),
            name=name,
            marker={"color": colour},
            customdata=labels.to_numpy()[in_group].tolist(),
            hovertemplate=f"%{{customdata}} {unit_label}: %{{y}} records<extra>{name}</extra>",
        )
    figure.add_vline(
        x=limit + 0.5,
        line={"color": TARGET_LINE, "dash": "dash", "width": 2},
        annotation_text=f"Limit: {limit} {unit_label.removesuffix('s') if limit == 1 else unit_label}",
        annotation_position="top right",
    )
    figure.update_layout(
        **BASE_LAYOUT,
        title=title,
        barmode="overlay",
        bargap=0.1,
        # Every bar's own label on the axis where it is not a plain number ("21 or more", "before due").
        xaxis={
            "title": f"Time taken ({unit_label})",
            "tickmode": "array",
            "tickvals": days[:: max(1, round(len(days) / 15))].tolist() + _pooled(days, tail),
            "ticktext": labels.to_numpy()[:: max(1, round(len(days) / 15))].tolist()
            + [labels[day] for day in _pooled(days, tail)],
        },
        yaxis={"title": "Records"},
    )
    return figure


def grade_distribution(
    audits: pd.DataFrame, *, title: str | None = None, as_at: date | None = None
) -> go.Figure:
    """Audits per quarter stacked by Care Inspectorate grade (1 Unsatisfactory at the bottom, 6 on top).

    With `as_at` (and the audits' `quarter_start`), a quarter not finished by then is labelled
    "(partial)" on the axis, as every quarterly chart and table marks it (issue 8)."""
    graded = audits.dropna(subset=["quarter", "grade"])
    if graded.empty:
        return no_records_figure(title)
    counts = pd.crosstab(graded["quarter"].astype(str), graded["grade"].astype(int))
    counts = counts.reindex(columns=list(GRADE_LABELS), fill_value=0).sort_index()
    totals = counts.sum(axis=1)
    shares = counts.div(totals, axis=0).mul(100).round().astype(int)
    quarters = counts.index.tolist()

    figure = go.Figure()
    for grade in sorted(GRADE_LABELS):
        hover = (
            "<b>"
            + counts.index.to_series()
            + f"</b><br>{GRADE_LABELS[grade]}: "
            + counts[grade].astype(str)
            + " of "
            + totals.astype(str)
            + " audits ("
            + shares[grade].astype(str)
            + "%)"
        )
        figure.add_bar(
            x=quarters,
            y=counts[grade].tolist(),
            name=GRADE_LABELS[grade],
            marker={"color": GRADE_COLOURS[grade]},
            text=np.where(counts[grade] > 0, counts[grade].astype(str), "").tolist(),
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,  # with uniformtext "hide", counts that don't fit are hidden, not turned sideways
            textfont={"color": GRADE_TEXT_COLOURS[grade]},
            customdata=quarters,
            hovertext=hover.tolist(),
            hovertemplate="%{hovertext}<extra></extra>",
        )
    tick_text = quarters
    if as_at is not None and "quarter_start" in graded.columns:
        starts = graded.groupby(graded["quarter"].astype(str))["quarter_start"].first().reindex(quarters)
        partial = quarter_is_partial(starts.reset_index(drop=True), as_at)
        tick_text = [
            quarter_shown(quarter, flag).replace(" (", "<br>(")
            for quarter, flag in zip(quarters, partial, strict=True)
        ]
    figure.update_layout(
        **{**BASE_LAYOUT, "legend": {**BASE_LAYOUT["legend"], "traceorder": "reversed"}},
        title=title,
        barmode="stack",
        uniformtext={"minsize": 9, "mode": "hide"},
        xaxis={"type": "category", "title": None, "tickvals": quarters, "ticktext": tick_text},
        yaxis={"title": "Audits"},
    )
    return figure
