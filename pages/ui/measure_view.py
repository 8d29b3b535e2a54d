"""One measure in detail: trend against target, breakdown, days taken, and the cases behind a figure.

Shared by the Assessment timescales, Statutory reviews and Case recording quality pages. Every chart
has its figures in a table beside it (plotly is not readable by every user, nor by the tests).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import charts
from measures import MEASURES, MeasureDef, Rule
from pages.ui import common, state

ALL_QUARTERS = "All quarters"
ALL_STATUSES = "All statuses"
STATUS_CHOICES: tuple[str, ...] = (ALL_STATUSES, "missed", "pending", "met", "excluded", "invalid")
UNIT_WORDS = {
    "working_days": "working days",
    "calendar_days": "calendar days",
    "weeks": "weeks",
    "calendar_months": "calendar months",
}


def rule_text(measure: MeasureDef, url: str, version: str) -> str:
    """The rule in words, e.g. 'Due within 5 working days of the order date; counted in the quarter due.'"""
    where = measure.from_column.replace("_", " ")
    if measure.kind == "proportion":
        return f"Counted in the quarter of the {where}; the rate is the share of records that meet it."
    rule = common.settings_for(url, version).rules[measure.id]
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


def trend_section(measure: MeasureDef, area: str, rows: pd.DataFrame) -> str | None:
    """Chart and table of the quarterly rate against target; returns the quarter clicked, if any."""
    chart_column, table_column = st.columns(2)
    with chart_column:
        event = st.plotly_chart(
            charts.compliance_trend(
                rows, f"{measure.title}: rate per quarter", counted=counted_words(measure)
            ),
            key=state.keyed(state.TREND_CHART, area=area, measure=measure.id),
            on_select="rerun",
            selection_mode="points",
            alt=f"{measure.title}: compliance rate per quarter against the target line.",
        )
    with table_column:
        common.show_table(common.quarterly_table(rows))
    return clicked_quarter(event)


def breakdown_section(
    measure: MeasureDef, area: str, rows: pd.DataFrame, url: str, version: str, filters: common.Filters
) -> None:
    """Rate per team, worker, order type, LS/CMI version or risk level over the sidebar's quarter range."""
    statuses = common.measure_statuses(url, version, filters, measure.id)
    usable = {column: label for column, label in common.BREAKDOWNS.items() if statuses[column].notna().any()}
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
    latest = rows.iloc[-1]
    target, margin = float(latest["target"]), float(latest["amber_margin"])
    table = common.breakdown_for(url, version, filters, measure.id, by, target, margin)
    chart_column, table_column = st.columns(2)
    with chart_column:
        st.plotly_chart(
            charts.breakdown_bar(table, usable[by], target=target, counted=counted_words(measure)),
            key=state.keyed(state.BREAKDOWN_CHART, area=area, measure=measure.id),
            alt=f"{measure.title}: compliance rate by {usable[by].lower()}.",
        )
    with table_column:
        shown = table.assign(rag=table["rag"].map(common.rag_word))
        shown = shown.rename(columns={"group": usable[by], "rate": "Rate %", "rag": "RAG"})
        common.show_table(shown.rename(columns=str.capitalize))


def rule_limit(rule: Rule) -> tuple[int, str]:
    """The timescale in the unit days_taken is counted in (working days, else calendar days)."""
    if rule.unit == "working_days":
        return rule.number, "working days"
    days_per_unit = {"calendar_days": 1, "weeks": 7, "calendar_months": 30}[rule.unit]
    return rule.number * days_per_unit, "calendar days"


@st.cache_data(show_spinner=False, max_entries=32)
def days_figure(url: str, version: str, filters: common.Filters, measure_id: str) -> go.Figure:
    """The days-taken histogram, built once per filter (it reads every record of the measure)."""
    measure = common.MEASURES_BY_ID[measure_id]
    limit, unit = rule_limit(common.settings_for(url, version).rules[measure_id])
    statuses = common.measure_statuses(url, version, filters, measure_id)
    return charts.days_taken_histogram(
        statuses, limit, unit, title=f"{measure.title}: time taken", early_is_met=measure.early_is_met
    )


def days_section(measure: MeasureDef, area: str, url: str, version: str, filters: common.Filters) -> None:
    if measure.kind != "timescale":
        return
    limit, unit = rule_limit(common.settings_for(url, version).rules[measure.id])
    table = common.days_taken_for(url, version, filters, measure.id)
    st.markdown(f"**Time taken** in {unit}; the dashed line is the timescale ({limit} {unit})")
    if table.empty:
        st.caption("No record has both dates yet.")
        return
    chart_column, table_column = st.columns(2)
    with chart_column:
        st.plotly_chart(
            days_figure(url, version, filters, measure.id),
            key=state.keyed(state.DAYS_CHART, area=area, measure=measure.id),
            alt=f"{measure.title}: how many records took each number of {unit}.",
        )
    with table_column:
        within = table["days_taken"].between(0, limit)
        shown = table.assign(timescale=within.map({True: "within", False: "over"}))
        shown.loc[table["days_taken"] < 0, "timescale"] = (
            "early (met)" if measure.early_is_met else "invalid (before the start date)"
        )
        common.show_table(
            shown.rename(
                columns={"days_taken": f"Days taken ({unit})", "records": "Records", "timescale": "Timescale"}
            )
        )


def cases_section(
    measure: MeasureDef, area: str, rows: pd.DataFrame, clicked: str | None, url: str, version: str
) -> None:
    """The records behind a quarter and status: chosen by clicking the chart or from the lists."""
    filters = common.current_filters()
    quarter_key = state.keyed(state.DRILL_QUARTER, area=area, measure=measure.id)
    status_key = state.keyed(state.DRILL_STATUS, area=area, measure=measure.id)
    last_click_key = state.keyed(state.DRILL_LAST_CLICK, area=area, measure=measure.id)
    quarters = [ALL_QUARTERS, *rows["quarter"].astype(str)]
    if clicked and clicked != st.session_state.get(last_click_key):
        st.session_state[last_click_key] = clicked
        if clicked in quarters:
            st.session_state[quarter_key] = clicked
    st.markdown("**Cases behind the figures** (click a quarter on the chart, or choose below)")
    quarter_column, status_column = st.columns(2)
    quarter = quarter_column.selectbox("Quarter", quarters, index=len(quarters) - 1, key=quarter_key)
    status = status_column.selectbox("Status", STATUS_CHOICES, key=status_key)
    total, cases = common.cases_for(
        url,
        version,
        filters,
        measure.id,
        None if quarter == ALL_QUARTERS else quarter,
        None if status == ALL_STATUSES else status,
    )
    shown = f"the first {len(cases):,} are listed; " if total > len(cases) else ""
    st.caption(
        f"{total:,} cases; {shown}overdue (missed and still open) first, then due within "
        f"{common.DUE_SOON_DAYS} days, then the rest. The Export page gives them all."
    )
    common.show_table(cases, key=state.keyed(state.CASES_TABLE, area=area, measure=measure.id))


def render_measure(measure: MeasureDef, area: str) -> None:
    url, version = common.store_url(), common.data_version()
    filters = common.current_filters()
    quarterly = common.quarterly_for(url, version, filters)
    rows = quarterly[quarterly["measure"] == measure.id]
    st.subheader(measure.title)
    st.caption(rule_text(measure, url, version))
    if rows.empty:
        st.info("No records for this measure match the filters in the sidebar.")
        return
    clicked = trend_section(measure, area, rows)
    breakdown_section(measure, area, rows, url, version, filters)
    days_section(measure, area, url, version, filters)
    cases_section(measure, area, rows, clicked, url, version)


def render_area(area: str, heading: str, intro: str) -> None:
    """A page for one area: pick a measure, then see it in detail."""
    st.title(heading)
    url, version = common.store_url(), common.data_version()
    if common.store_is_empty(url, version):
        common.show_get_started()
        return
    st.markdown(intro)
    measures = {measure.id: measure for measure in MEASURES if measure.area == area}
    choice = st.radio(
        "Measure",
        list(measures),
        format_func=lambda measure_id: measures[measure_id].title,
        horizontal=True,
        key=state.keyed(state.MEASURE_CHOICE, area=area),
    )
    render_measure(measures[choice], area)
