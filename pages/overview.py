"""Overview: the inspection's two improvement areas as tiles, one per measure, latest complete quarter."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from measures import MEASURES, round_rates
from pages.ui import common

common.require_dashboard_frame()

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


def headline_quarter(quarterly: pd.DataFrame, as_at: date) -> tuple[str | None, bool]:
    """(quarter, complete): the last quarter with records that ended by the as-at date; failing that,
    the quarter in progress on the as-at date (complete False); (None, False) when nothing had started."""
    if quarterly.empty:
        return None, False
    starts = quarterly["quarter_start"]
    complete = quarterly[starts + pd.DateOffset(months=3) <= pd.Timestamp(as_at)]
    if not complete.empty:
        return str(complete.loc[complete["quarter_start"].idxmax(), "quarter"]), True
    started = quarterly[starts <= pd.Timestamp(as_at)]
    if started.empty:
        return None, False
    return str(started.loc[started["quarter_start"].idxmax(), "quarter"]), False


def headline_rows(quarterly: pd.DataFrame, quarter: str, measure_ids: list[str]) -> pd.DataFrame:
    """Per measure: the quarter's figures, the previous quarter's rate and the change in points."""
    start = quarterly.loc[quarterly["quarter"] == quarter, "quarter_start"].iloc[0]
    previous_start = start - pd.DateOffset(months=3)
    current = quarterly[quarterly["quarter_start"] == start].set_index("measure")
    previous = quarterly[quarterly["quarter_start"] == previous_start].set_index("measure")["rate"]
    rows = current.reindex(measure_ids)
    rows["previous_rate"] = previous.reindex(measure_ids)
    rows["change"] = rows["rate"] - rows["previous_rate"]
    return rows


def tile(measure_id: str, figures: pd.Series, trend: list[float]) -> None:
    """One measure's tile: rate, change since last quarter, sparkline, and target and RAG in words."""
    title = common.MEASURES_BY_ID[measure_id].title
    name = TILE_NAMES.get(measure_id, title)
    change = figures.get("change")
    delta = None if change is None or pd.isna(change) else f"{change:+.1f} points"
    with st.container(border=True):
        st.metric(
            name,
            common.format_rate(figures.get("rate")),
            delta=delta,
            delta_description="since the previous quarter" if delta else None,
            chart_data=trend or None,
            chart_type="line",
            help=f"{title}. The line shows the rate in each of the last {TREND_QUARTERS} quarters.",
        )
        common.rag_badge(figures.get("rag"))
        target = figures.get("target")
        st.caption("no target" if target is None or pd.isna(target) else f"target {float(target):g}%")


def area_section(heading: str, measure_ids: list[str], quarterly: pd.DataFrame, quarter: str) -> None:
    st.subheader(heading)
    rows = headline_rows(quarterly, quarter, measure_ids)
    start = quarterly.loc[quarterly["quarter"] == quarter, "quarter_start"].iloc[0]
    recent = quarterly[quarterly["quarter_start"] <= start]
    columns = st.columns(len(measure_ids))
    for column, measure_id in zip(columns, measure_ids, strict=True):
        history = recent[recent["measure"] == measure_id].tail(TREND_QUARTERS)["rate"].dropna()
        with column:
            tile(measure_id, rows.loc[measure_id], [round(float(rate), 1) for rate in history])
    table = pd.DataFrame(
        {
            "Measure": [common.MEASURES_BY_ID[m].title for m in measure_ids],
            "Quarter": quarter,
            "Met": rows["met"].fillna(0).astype("int64").to_numpy(),
            "Missed": rows["missed"].fillna(0).astype("int64").to_numpy(),
            "Pending": rows["pending"].fillna(0).astype("int64").to_numpy(),
            "Rate %": round_rates(rows["rate"]).to_numpy(),
            "Previous quarter %": round_rates(rows["previous_rate"]).to_numpy(),
            "Change (points)": rows["change"].round(1).to_numpy(),
            "Target %": rows["target"].to_numpy(),
            "RAG": rows["rag"].map(common.rag_word).to_numpy(),
        }
    )
    with st.expander("Figures behind these tiles", expanded=False):
        common.show_table(table)


def uploads_caption(url: str, version: str) -> str:
    """When each dataset was last uploaded (a live upload; undone ones do not count)."""
    last = common.last_uploads_for(url, version)
    parts = [
        f"{name}: {common.local_time(when)}" if when else f"{name}: never"
        for name, when in sorted(last.items())
    ]
    return "Last uploaded — " + "; ".join(parts)


def main() -> None:
    st.title("Overview")
    url, version = common.store_url(), common.data_version()
    if common.store_is_empty(url, version):
        common.show_get_started()
        return
    filters = common.current_filters()
    quarterly = common.quarterly_for(url, version, filters)
    quarter, complete = headline_quarter(quarterly, filters.as_at)
    st.caption(f"As at {filters.as_at:%d/%m/%Y}. {uploads_caption(url, version)}.")
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
