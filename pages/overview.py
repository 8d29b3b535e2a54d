"""Overview: the inspection's two improvement areas as tiles, one per measure, latest complete quarter.

Each tile also carries the measure's SPC icons (variation and assurance of its monthly series, in words),
so a RAG colour is never read alone.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
from measures import MEASURES_BY_ID, spc, views
from measures.actions import ASSESSMENT_AREA, IMPROVEMENT_AREAS, REVIEWS_AREA, action_table, overdue_first
from measures.worklist import DEFAULT_WITHIN_DAYS, work_by_area, work_in_filters
from pages.ui import data, spc_data, state
from pages.ui.display import (
    ColumnWidth,
    format_change,
    format_rate,
    format_target,
    local_time,
    rag_badge_markdown,
    show_table,
    svg_markdown,
)
from pages.ui.frame import page_link, page_start
from pages.ui.spc_view import icon_lines

TREND_QUARTERS = 8
ICON_PERIOD = "month"  # SPC needs 15 points: months reach it in 15 months, quarters in nearly four years
AREA_HEADINGS: dict[str, str] = {
    ASSESSMENT_AREA: "Improvement area 1: assessment and case management plan timescales",
    REVIEWS_AREA: "Improvement area 2: quality assurance of statutory reviews and case recording",
}
PLAN_COLUMNS = ["Action", "Status", "Due", "Overdue", "Owner"]
# The figures table fits the main area at 1400 px (904 px), its long words wrapping in their columns.
HEADLINE_WIDTHS: dict[str, ColumnWidth] = {
    "Measure": 150,
    "Quarter": 90,
    "Met": 50,
    "Missed": 60,
    "Pending": 65,
    "Rate %": 65,
    "Previous quarter %": 100,
    "Change (points)": 115,
    "Target %": 70,
    "RAG": 120,
}
HEADLINE_LABELS = {"Previous quarter %": "Last quarter %"}
TILE_LINE_BREAK = "  \n"  # markdown's hard line break: the tile's lines under its rate, one block


def tile(measure_id: str, figures: pd.Series, trend: list[float], chart: spc.SpcChart) -> None:
    """One measure's tile: its plain name, rate, change since last quarter (in full words), trend line in
    the RAG colour against the target, target and RAG in words, and the SPC icons of its monthly series.

    The measure's full title and id (as the command line and exports name it) are in the name's help.
    Everything under the rate is one block of markdown: the browser's cost of a page grows with its
    elements, and ten tiles of eight elements each were a third of the overview's drawing.
    """
    measure = MEASURES_BY_ID[measure_id]
    delta = format_change(figures.get("change"))
    target = figures.get("target")
    target_rate = None if target is None or pd.isna(target) else float(target)
    rag = str(figures.get("rag"))
    about = (
        f"{measure.title} (measure id `{measure.id}`). The line shows the rate in each of the last "
        f"{TREND_QUARTERS} quarters; the dashed line is the target."
    )
    lines = [":small[since the previous quarter]"] if delta else []
    if trend:
        alt = f"{measure.plain_name}: rate in the last {len(trend)} quarters against the target."
        lines.append(svg_markdown(charts.sparkline(trend, target_rate, rag), alt))
    lines += [rag_badge_markdown(rag), f":small[{format_target(target)}]", *icon_lines(chart)]
    with st.container(border=True):
        # The name as markdown, which wraps on a narrow tile where a metric's label is cut short.
        st.markdown(f"**{measure.plain_name}**", help=about)
        st.metric(
            measure.plain_name, format_rate(figures.get("rate")), delta=delta, label_visibility="collapsed"
        )
        st.markdown(TILE_LINE_BREAK.join(lines))


def open_work_line(open_now: pd.Series) -> None:
    """How many of the area's cases are overdue now and due soon, with the way to the worklist."""
    text = (
        f"Open now: **{open_now['overdue']:,} overdue**, {open_now['due soon']:,} due within "
        f"{DEFAULT_WITHIN_DAYS} working days."
    )
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(text)
    page_link(right, "due_soon", label="See the cases due soon", icon=":material/alarm:")


def actions_line(area: str, actions: pd.DataFrame) -> None:
    """The area's improvement actions, overdue first, with the way to the action plan; open at first
    when any is overdue. Its label carries the counts, so a change of them (another as-at date, an edited
    plan) starts it afresh: open again when something is overdue."""
    overdue = int(actions["Overdue"].ne("").sum())
    summary = f"{len(actions)} improvement actions" + (
        f", **{overdue} overdue**" if overdue else ", none overdue"
    )
    listed = st.expander(
        summary,
        expanded=bool(overdue),
        key=state.keyed(state.OVERVIEW_ACTIONS_OPEN, area=area),
        on_change="rerun",
    )
    if listed.open:
        with listed:
            show_table(actions[PLAN_COLUMNS])
            page_link(
                st.container(), "action_plan", label="Open the action plan", icon=":material/checklist:"
            )


def area_section(
    area: str,
    measure_ids: list[str],
    quarterly: pd.DataFrame,
    quarter: str,
    open_now: pd.Series,
    actions: pd.DataFrame,
    spc_charts: dict[str, spc.SpcChart],
) -> None:
    st.subheader(AREA_HEADINGS[area])
    open_work_line(open_now)
    if not actions.empty:
        actions_line(area, actions)
    rows = views.headline_rows(quarterly, quarter, measure_ids)
    trends = views.rate_histories(quarterly, quarter, measure_ids, TREND_QUARTERS)
    columns = st.columns(len(measure_ids))
    for column, measure_id in zip(columns, measure_ids, strict=True):
        with column:
            tile(measure_id, rows.loc[measure_id], trends[measure_id], spc_charts[measure_id])
    figures = st.expander(
        "Figures behind these tiles",
        key=state.keyed(state.OVERVIEW_FIGURES_OPEN, area=area),
        on_change="rerun",
    )
    if figures.open:
        with figures:
            show_table(
                views.headline_table(rows, quarter), labels=HEADLINE_LABELS, widths=HEADLINE_WIDTHS, wrap=True
            )


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
    work = work_in_filters(
        data.worklist_for(start.url, start.version, as_at, DEFAULT_WITHIN_DAYS), start.filters
    )
    open_by_area = work_by_area(work, IMPROVEMENT_AREAS).set_index("area")
    plan = overdue_first(data.actions_for(start.url, data.plan_version()), as_at)
    shown_plan = action_table(plan)
    spc_charts = spc_data.charts_for(start.url, start.version, start.filters, ICON_PERIOD)
    for area, measure_ids in IMPROVEMENT_AREAS.items():
        area_section(
            area,
            list(measure_ids),
            quarterly,
            quarter,
            open_by_area.loc[area],
            shown_plan[plan["improvement_area"].eq(area).to_numpy()],
            spc_charts,
        )
    st.caption(
        "Under each tile, the SPC icons of the measure's monthly rate (NHS England's Making Data Count): "
        "variation (special cause improvement or concern, or common cause) and assurance (whether the "
        "process consistently passes or fails its target, or hits and misses). The SPC summary page lists "
        "them all."
    )


main()
