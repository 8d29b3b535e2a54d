"""Overview: the inspection's two improvement areas as tiles, one per measure, latest complete quarter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from measures import MEASURES, MEASURES_BY_ID, views
from pages.ui import data
from pages.ui.display import format_change, format_rate, format_target, local_time, rag_badge, show_table
from pages.ui.frame import page_start

TREND_QUARTERS = 8
# Tiles are narrow: a short name on the tile, the measure's full title in its help.
TILE_NAMES: dict[str, str] = {
    "first_contact": "First contact",
    "induction": "Induction",
    "upw_start": "Unpaid work start",
    "lscmi": "LS/CMI completed",
    "cmp": "Case plan (CMP)",
    "review_on_time": "Review on time",
    "review_recorded": "Review recorded",
    "review_participation": "Took part",
    "review_needs_tool": "Needs tool",
    "audit_good": "Audit Good+",
}
IMPROVEMENT_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Improvement area 1: assessment and case management plan timescales",
        ("assessment",),
    ),
    (
        "Improvement area 2: quality assurance of statutory reviews and case recording",
        ("reviews", "quality"),
    ),
)


def tile(measure_id: str, figures: pd.Series, trend: list[float]) -> None:
    """One measure's tile: rate, change since last quarter, trend line, and target and RAG in words."""
    title = MEASURES_BY_ID[measure_id].title
    delta = format_change(figures.get("change"))
    with st.container(border=True):
        st.metric(
            TILE_NAMES.get(measure_id, title),
            format_rate(figures.get("rate")),
            delta=delta,
            delta_description="since the previous quarter" if delta else None,
            chart_data=trend or None,
            chart_type="line",
            help=f"{title}. The line shows the rate in each of the last {TREND_QUARTERS} quarters.",
        )
        rag_badge(figures.get("rag"))
        st.caption(format_target(figures.get("target")))


def area_section(heading: str, measure_ids: list[str], quarterly: pd.DataFrame, quarter: str) -> None:
    st.subheader(heading)
    rows = views.headline_rows(quarterly, quarter, measure_ids)
    columns = st.columns(len(measure_ids))
    for column, measure_id in zip(columns, measure_ids, strict=True):
        with column:
            tile(
                measure_id,
                rows.loc[measure_id],
                views.rate_history(quarterly, quarter, measure_id, TREND_QUARTERS),
            )
    with st.expander("Figures behind these tiles", expanded=False):
        show_table(views.headline_table(rows, quarter))


def uploads_caption(url: str, version: str) -> str:
    """When each dataset was last uploaded (a live upload; undone ones do not count)."""
    last = data.last_uploads_for(url, version)
    parts = [
        f"{name}: {local_time(when)}" if when else f"{name}: never" for name, when in sorted(last.items())
    ]
    return "Last uploaded — " + "; ".join(parts)


def main() -> None:
    start = page_start("Overview")
    if start is None:
        return
    as_at = start.filters.as_at
    quarterly = data.quarterly_for(start.url, start.version, start.filters)
    quarter, complete = views.headline_quarter(quarterly, as_at)
    st.caption(f"As at {as_at:%d/%m/%Y}. {uploads_caption(start.url, start.version)}.")
    if quarter is None:
        st.info("No records match the filters in the sidebar up to the as-at date.")
        return
    if complete:
        st.markdown(f"Latest complete quarter: **{quarter}**")
    else:
        st.markdown(f"No quarter has ended by the as-at date; showing **{quarter}**, still in progress.")
    for heading, areas in IMPROVEMENT_AREAS:
        measure_ids = [measure.id for measure in MEASURES if measure.area in areas]
        area_section(heading, measure_ids, quarterly, quarter)


main()
