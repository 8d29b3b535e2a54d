"""One measure in detail: trend against target, SPC chart, breakdown (with its funnel plot), days taken, and
the cases behind a figure.

Shared by the Assessment timescales, Statutory reviews and Case recording quality pages. Every chart
has its figures in a table beside it (plotly is not readable by every user, nor by the tests).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import charts
from measures import MEASURES, MEASURES_BY_ID, MeasureDef, views
from measures.actions import chart_annotations, quarter_annotations
from measures.as_at import quarter_shown
from measures.filters import Filters
from pages.ui import data, spc_view, state
from pages.ui.display import BREAKDOWNS, CASES_SHOWN, show_table
from pages.ui.frame import PageStart, page_start
from pages.ui.summary_export import summary_downloads

# A measure's "to" column as a case list heads it.
COLUMN_WORDS: dict[str, str] = {
    "lscmi_completed": "LS/CMI completed",
    "cmp_completed": "Case plan completed",
    "upw_start": "Unpaid work start",
    "needs_tool": "Needs tool used",
}
ALL_QUARTERS = "All quarters"
ALL_STATUSES = "All statuses"
STATUS_CHOICES: tuple[str, ...] = (ALL_STATUSES, *views.STATUS_ORDER)
UNIT_WORDS = {
    "working_days": "working days",
    "calendar_days": "calendar days",
    "weeks": "weeks",
    "calendar_months": "calendar months",
}


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown_for(
    url: str, version: str, filters: Filters, measure_id: str, by: str, target: float, amber_margin: float
) -> pd.DataFrame:
    """Counts, rate and RAG per value of a column, over the filtered quarters (measures.views.breakdown)."""
    statuses = data.measure_statuses(url, version, filters, measure_id)
    return views.breakdown(statuses, by, target, amber_margin)


@st.cache_data(show_spinner=False, max_entries=64)
def days_taken_for(url: str, version: str, filters: Filters, measure_id: str) -> pd.DataFrame:
    """Records per number of days taken, each within or over the timescale (measures.views)."""
    limit, _ = views.rule_limit(data.settings_for(url, version).rules[measure_id])
    statuses = data.measure_statuses(url, version, filters, measure_id)
    return views.days_taken_counts(statuses, limit, MEASURES_BY_ID[measure_id].early_is_met)


@st.cache_data(show_spinner=False, max_entries=32)
def days_figure(url: str, version: str, filters: Filters, measure_id: str) -> go.Figure:
    """The days-taken histogram, built once per filter (it reads every record of the measure)."""
    measure = MEASURES_BY_ID[measure_id]
    limit, unit = views.rule_limit(data.settings_for(url, version).rules[measure_id])
    statuses = data.measure_statuses(url, version, filters, measure_id)
    return charts.days_taken_histogram(
        statuses, limit, unit, title=f"{measure.title}: time taken", early_is_met=measure.early_is_met
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cases_for(
    url: str, version: str, filters: Filters, measure_id: str, quarter: str | None, status: str | None
) -> tuple[int, pd.DataFrame]:
    """How many records are behind a figure and, in attention order, the first CASES_SHOWN of them."""
    statuses = data.measure_statuses(url, version, filters, measure_id)
    return views.cases_behind(statuses, quarter, status, filters.as_at, CASES_SHOWN, measure_id)


def rule_text(measure: MeasureDef, start: PageStart) -> str:
    """The rule in words, e.g. 'Due within 5 working days of the order date; counted in the quarter due.'"""
    where = measure.from_column.replace("_", " ")
    if measure.kind == "proportion":
        return f"Counted in the quarter of the {where}; the rate is the share of records that meet it."
    rule = data.settings_for(start.url, start.version).rules[measure.id]
    unit = UNIT_WORDS.get(rule.unit, rule.unit)
    if rule.number == 1:
        unit = unit.removesuffix("s")
    return (
        f"Due within {rule.number} {unit} of the {where}; each record counts in the quarter of its due "
        "date, and the rate is met / (met + missed)."
    )


def clicked_quarter(event: object) -> str | None:
    """The quarter of the bar the user clicked (its customdata, else its x value), if any.

    Read by item, not attribute: the selection state is a dict subclass (a plain dict when seeded
    through session state).
    """
    selection = event.get("selection") if isinstance(event, dict) else None
    points = (selection or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    custom = point.get("customdata")
    if isinstance(custom, list | tuple):
        custom = custom[0] if custom else None
    value = custom or point.get("x")
    return str(value) if value else None


def counted_words(measure: MeasureDef) -> str:
    """What a rate's denominator counts, for hover text: due records, held reviews or audits."""
    if measure.kind == "timescale":
        return "due"
    return "audits" if measure.dataset == "audits" else "reviews held"


def action_marks(measure_id: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Where the improvement actions linked to this measure started and were completed, by quarter."""
    plan = data.actions_for(data.store_url(), data.plan_version())
    return quarter_annotations(chart_annotations(plan, measure_id), rows["quarter"].astype(str).tolist())


def trend_section(measure: MeasureDef, area: str, rows: pd.DataFrame, start: PageStart) -> str | None:
    """Chart of the quarterly rate against target with its table beneath (full width, so no column is
    cut off); returns the quarter clicked, if any."""
    event = st.plotly_chart(
        charts.compliance_trend(
            rows,
            f"{measure.title}: rate per quarter",
            counted=counted_words(measure),
            annotations=action_marks(measure.id, rows),
        ),
        key=state.keyed(state.TREND_CHART, area=area, measure=measure.id),
        on_select="rerun",
        selection_mode="points",
        alt=f"{measure.title}: compliance rate per quarter against the target line.",
    )
    show_table(views.quarterly_figures(rows).drop(columns="Measure"))
    key = state.keyed(state.SUMMARY_DOWNLOAD, area=area, measure=measure.id)
    summary_downloads(st.container(), start.url, start.version, start.filters, (measure.id,), key)
    return clicked_quarter(event)


def breakdown_section(measure: MeasureDef, area: str, rows: pd.DataFrame, start: PageStart) -> None:
    """Rate per team, worker, order type, LS/CMI version or risk level over the sidebar's quarter range."""
    statuses = data.measure_statuses(start.url, start.version, start.filters, measure.id)
    usable = {column: label for column, label in BREAKDOWNS.items() if statuses[column].notna().any()}
    if not usable:
        return
    st.markdown("**Breakdown** (every quarter in the sidebar's range, against the latest target)")
    by = st.selectbox(
        "Break down by",
        list(usable),
        format_func=usable.get,
        key=state.keyed(state.BREAKDOWN_BY, area=area, measure=measure.id),
        width=320,
    )
    target, margin = views.latest_target(rows)
    table = breakdown_for(start.url, start.version, start.filters, measure.id, by, target, margin)
    st.plotly_chart(
        charts.breakdown_bar(table, usable[by], target=target, counted=counted_words(measure)),
        key=state.keyed(state.BREAKDOWN_CHART, area=area, measure=measure.id),
        alt=f"{measure.title}: compliance rate by {usable[by].lower()}.",
    )
    shown = table.assign(rag=table["rag"].map(views.rag_label))
    shown = shown.rename(columns={"group": usable[by], "rate": "Rate %", "rag": "RAG"})
    show_table(shown.rename(columns=str.capitalize), labels={"Rag": "RAG"})
    # Below the bars: the same groups against limits that allow for their size (issue 9).
    spc_view.funnel_chart(measure, area, by, usable[by], start, counted_words(measure))
    spc_view.funnel_words(measure, by, usable[by], start)


def days_section(measure: MeasureDef, area: str, start: PageStart) -> None:
    if measure.kind != "timescale":
        return
    limit, unit = views.rule_limit(data.settings_for(start.url, start.version).rules[measure.id])
    table = days_taken_for(start.url, start.version, start.filters, measure.id)
    st.markdown(f"**Time taken** in {unit}; the dashed line is the timescale ({limit} {unit})")
    if table.empty:
        st.caption("No record has both dates yet.")
        return
    st.plotly_chart(
        days_figure(start.url, start.version, start.filters, measure.id),
        key=state.keyed(state.DAYS_CHART, area=area, measure=measure.id),
        alt=f"{measure.title}: how many records took each number of {unit}.",
    )
    show_table(
        table.rename(
            columns={"days_taken": f"Days taken ({unit})", "records": "Records", "timescale": "Timescale"}
        )
    )


def cases_section(
    measure: MeasureDef, area: str, rows: pd.DataFrame, clicked: str | None, start: PageStart
) -> None:
    """The records behind a quarter and status: chosen by clicking the chart or from the lists.

    The case rows are recorded in the audit trail (once per session for each measure, quarter, status
    and filters) before they are shown, and not shown if that fails.
    """
    from pages.ui.frame import filters_record, record_case_view  # kept here: one function's concern

    quarter_key = state.keyed(state.DRILL_QUARTER, area=area, measure=measure.id)
    status_key = state.keyed(state.DRILL_STATUS, area=area, measure=measure.id)
    last_click_key = state.keyed(state.DRILL_LAST_CLICK, area=area, measure=measure.id)
    quarters = [ALL_QUARTERS, *rows["quarter"].astype(str)]
    partial_quarters = set(rows.loc[rows["partial"].astype(bool), "quarter"].astype(str))
    if clicked and clicked != st.session_state.get(last_click_key):
        st.session_state[last_click_key] = clicked
        if clicked in quarters:
            st.session_state[quarter_key] = clicked
    st.markdown("**Cases behind the figures** (click a quarter on the chart, or choose below)")
    quarter_column, status_column = st.columns(2)
    # Opens on the latest finished quarter's missed cases: the ones a manager asks about first. A default
    # is given only while the key holds no value: a clicked bar sets the key, and a default beside it
    # would make Streamlit warn of a value set through the Session State API.
    opening = views.latest_complete_quarter(rows, start.filters.as_at)
    quarter = quarter_column.selectbox(
        "Quarter",
        quarters,
        index=None
        if quarter_key in st.session_state
        else (quarters.index(opening) if opening in quarters else len(quarters) - 1),
        key=quarter_key,
        format_func=lambda label: quarter_shown(label, label in partial_quarters),
    )
    status = status_column.selectbox(
        "Status",
        STATUS_CHOICES,
        index=None if status_key in st.session_state else STATUS_CHOICES.index("missed"),
        key=status_key,
    )
    total, cases = cases_for(
        start.url,
        start.version,
        start.filters,
        measure.id,
        None if quarter == ALL_QUARTERS else quarter,
        None if status == ALL_STATUSES else status,
    )
    shown = f"the first {len(cases):,} are listed; " if total > len(cases) else ""
    st.caption(
        f"{total:,} cases; {shown}overdue (missed and still open) first, then due within "
        f"{views.DUE_SOON_DAYS} days, then the rest. The Export page gives them all."
    )
    seen = filters_record(start.filters, measure=measure.id, quarter=quarter, status=status)
    if record_case_view(f"{area} page: cases behind the figures", seen, len(cases)):
        show_table(
            cases,
            key=state.keyed(state.CASES_TABLE, area=area, measure=measure.id),
            labels=case_labels(measure),
        )


def case_labels(measure: MeasureDef) -> dict[str, str]:
    """The case list's column names as a person reads them, the dates named after this measure's own."""
    return {
        "case_ref": "Case ref",
        "team": "Team",
        "worker": "Worker",
        "order_type": "Order type",
        "from_date": measure.from_column.replace("_", " ").capitalize(),
        "due_date": "Due date",
        "to_date": COLUMN_WORDS.get(measure.to_column, measure.to_column.replace("_", " ").capitalize()),
        "status": "Status",
        "days_taken": "Days taken",
        "grade": "Grade",
        "attention": "Attention",
    }


def render_measure(measure: MeasureDef, area: str, start: PageStart) -> None:
    quarterly = data.quarterly_for(start.url, start.version, start.filters)
    rows = views.with_partial(quarterly[quarterly["measure"] == measure.id], start.filters.as_at)
    st.subheader(measure.title)
    st.caption(rule_text(measure, start))
    if rows.empty:
        st.info("No records for this measure match the filters in the sidebar.")
        return
    clicked = trend_section(measure, area, rows, start)
    spc_view.spc_section(measure, area, start, counted_words(measure))
    breakdown_section(measure, area, rows, start)
    days_section(measure, area, start)
    cases_section(measure, area, rows, clicked, start)


def render_area(area: str, heading: str, intro: str) -> None:
    """A page for one area: pick a measure, then see it in detail."""
    start = page_start(heading)
    if start is None:
        return
    st.markdown(intro)
    measures = {measure.id: measure for measure in MEASURES if measure.area == area}
    spc_view.choose_linked_measure(area, list(measures))  # a link from the SPC summary names a measure
    choice = st.radio(
        "Measure",
        list(measures),
        format_func=lambda measure_id: measures[measure_id].title,
        horizontal=True,
        key=state.keyed(state.MEASURE_CHOICE, area=area),
    )
    render_measure(measures[choice], area, start)
