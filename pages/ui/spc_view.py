"""How SPC is shown: the variation and assurance icons, links to a measure's page, the measure pages' SPC
chart (XmR / run / p-chart) with its table, and the funnel beside the team breakdown.

The figures come from pages.ui.spc_data (measures.spc); this module only draws them. Icons are badges
whose material icon, colour and words all say the same thing (MDC: blue improvement, orange concern,
grey common cause), so none of the three is needed alone.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

import charts
from measures import MEASURES, MEASURES_BY_ID, MeasureDef, spc
from pages.ui import spc_data, state
from pages.ui.display import plain
from pages.ui.frame import PageStart, page_path

VARIATION_BADGES: dict[str, tuple[str, str]] = {
    "improvement": ("blue", ":material/trending_up:"),
    "common": ("gray", ":material/timeline:"),
    "concern": ("orange", ":material/trending_down:"),
}
ASSURANCE_BADGES: dict[str, tuple[str, str]] = {
    "pass": ("blue", ":material/verified:"),
    "hit_and_miss": ("gray", ":material/swap_vert:"),
    "fail": ("orange", ":material/report:"),
    spc.NO_ASSURANCE: ("gray", ":material/remove:"),
}
# The page each area's measures are shown on (pages/<name>.py).
AREA_PAGES: dict[str, str] = {"assessment": "assessment", "reviews": "reviews", "quality": "quality"}
TABLE_HEIGHT = 420  # the points table scrolls below its chart rather than running down the page
PERIOD_CHOICES: dict[str, str] = {"month": "Monthly", "quarter": "Quarterly"}
VIEW_CHOICES: dict[str, str] = {"spc": "SPC chart (XmR)", "p": "p-chart"}
MDC_NOTE = (
    "Statistical process control as NHS England's *Making Data Count*: points outside the limits, runs "
    "and trends are special causes (blue improvement, orange concern); the rest is common-cause variation. "
    "Assurance compares the target with the process limits: can the process hit it every time?"
)


NO_ICONS_YET = "No SPC icons yet: no complete period with records."


def _icons(chart: spc.SpcChart) -> list[tuple[tuple[str, str], str]]:
    """The chart's (colour, icon) and words for its variation and then its assurance; none without a
    complete period."""
    if chart.variation is None:
        return []
    assurance = chart.assurance or spc.NO_ASSURANCE
    words = spc.ASSURANCE_WORDS[assurance]
    if chart.assurance is None:
        words += " (run chart)" if chart.chart == "run" else " (no target)"
    return [
        (VARIATION_BADGES[chart.variation], spc.VARIATION_WORDS[chart.variation]),
        (ASSURANCE_BADGES[assurance], words),
    ]


def icon_badges(chart: spc.SpcChart) -> None:
    """The variation and assurance icons of a measure's series, each a badge with its words."""
    icons = _icons(chart)
    if not icons:
        st.caption(NO_ICONS_YET)
    for (colour, icon), text in icons:
        st.badge(text, icon=icon, color=colour)


def icon_lines(chart: spc.SpcChart) -> list[str]:
    """The same icons as lines of markdown for an overview tile: coloured icon and words that wrap,
    where a badge would cut its words."""
    icons = _icons(chart)
    if not icons:
        return [f":small[{NO_ICONS_YET}]"]
    return [f":{colour}[{icon} {text}]" for (colour, icon), text in icons]


def measure_link(measure_id: str, *, label: str | None = None) -> None:
    """A link to the page showing `measure_id`, opening with that measure chosen (its full title in the
    link's help when `label` is a short name).

    Someone whose navigation lacks that page (a role that sees service-level pages only) gets the
    measure's name without a link, rather than an error.
    """
    measure = MEASURES_BY_ID[measure_id]
    several = sum(other.area == measure.area for other in MEASURES) > 1
    try:
        st.page_link(
            page_path(AREA_PAGES[measure.area]),
            label=label or measure.title,
            help=f"{measure.title} (measure id `{measure.id}`)",
            query_params={state.MEASURE_QUERY: measure_id} if several else None,
        )
    except StreamlitAPIException:  # the page is not in this person's navigation
        st.markdown(plain(label or measure.title))


def choose_linked_measure(area: str, measure_ids: list[str]) -> None:
    """Select the measure a link asked for (the MEASURE_QUERY parameter), then drop the parameter so the
    user's own choice is not overridden on the next rerun."""
    wanted = st.query_params.get(state.MEASURE_QUERY)
    if wanted is None:
        return
    if wanted in measure_ids:
        st.session_state[state.keyed(state.MEASURE_CHOICE, area=area)] = wanted
    del st.query_params[state.MEASURE_QUERY]


def _choice(label: str, choices: dict[str, str], key: str) -> str:
    """A segmented control that always has a value (clicking the chosen option again keeps it)."""
    picked = st.segmented_control(
        label, list(choices), format_func=choices.get, default=next(iter(choices)), key=key
    )
    return picked or next(iter(choices))


def spc_section(measure: MeasureDef, area: str, start: PageStart, counted: str) -> None:
    """The measure's SPC chart (monthly or quarterly; XmR, run chart, or the p-chart view) and its table."""
    st.markdown("**Statistical process control**")
    st.caption(MDC_NOTE)
    period_column, view_column = st.columns(2)
    with period_column:
        period = _choice(
            "Points", PERIOD_CHOICES, state.keyed(state.SPC_PERIOD, area=area, measure=measure.id)
        )
    with view_column:
        view = _choice("Chart", VIEW_CHOICES, state.keyed(state.SPC_VIEW, area=area, measure=measure.id))
    xmr = spc_data.charts_for(start.url, start.version, start.filters, period)[measure.id]
    icon_badges(xmr)
    comparison = spc_data.summary_for(start.url, start.version, start.filters, period).set_index("measure")
    national = str(comparison.loc[measure.id, "benchmark"])
    if national:
        st.markdown(f"Against the national figure: {plain(national)}")
    chart = (
        spc_data.p_chart_for(start.url, start.version, start.filters, period, measure.id)
        if view == "p"
        else xmr
    )
    if chart.chart == "none":
        st.info(chart.note)
        return
    lines = spc_data.benchmark_lines_for(start.url, start.version, start.filters, period, measure.id)
    st.plotly_chart(
        charts.spc_figure(
            chart,
            f"{measure.title}: {PERIOD_CHOICES[period].lower()} rate",
            counted=counted,
            benchmarks=lines,
        ),
        key=state.keyed(state.SPC_CHART, area=area, measure=measure.id),
        alt=(
            f"{measure.title}: {spc.CHART_WORDS[chart.chart]} of the {PERIOD_CHOICES[period].lower()} "
            "rate; the table below it lists every point and its signal."
        ),
    )
    # Below the chart at full width, scrolling within its own height rather than running down the page.
    st.table(spc.points_table(chart), hide_index=True, height=TABLE_HEIGHT)
    notes = [chart.note] if chart.note else []
    for period_label, rebase in chart.breaks:
        who = f", set by {plain(rebase.set_by)}" if rebase.set_by else ""
        when = f" on {rebase.set_on:%d/%m/%Y}" if rebase.set_on else ""
        notes.append(f"New limits from {period_label}: {plain(rebase.reason)}{who}{when}.")
    sources = sorted(set(lines["source"].astype(str))) if not lines.empty else []
    if sources:
        notes.append("National figures: " + "; ".join(plain(source) for source in sources) + ".")
    for note in notes:
        st.caption(note)


FUNNEL_WORDS: dict[str, str] = {
    "above_99.8": "above the 99.8% limit",
    "above_95": "above the 95% limit",
    "below_95": "below the 95% limit",
    "below_99.8": "below the 99.8% limit",
}


def funnel_chart(measure: MeasureDef, area: str, by: str, label: str, start: PageStart, counted: str) -> None:
    """The funnel plot of the breakdown's groups (drawn in the chart column, below the bars)."""
    result = spc_data.funnel_for(start.url, start.version, start.filters, measure.id, by)
    st.plotly_chart(
        charts.funnel_figure(
            result, f"{measure.title}: {label.lower()} compared fairly", label, counted=counted
        ),
        key=state.keyed(state.FUNNEL_CHART, area=area, measure=measure.id),
        alt=f"{measure.title}: each {label.lower()}'s rate against how many it counted, with funnel limits.",
    )


def funnel_words(measure: MeasureDef, by: str, label: str, start: PageStart) -> None:
    """What the funnel says, in words: which groups are outside its limits (names shown as typed)."""
    result = spc_data.funnel_for(start.url, start.version, start.filters, measure.id, by)
    if result.points.empty:
        return
    outside = spc.funnel_outside(result)
    kind = label.lower()
    if not outside:
        st.caption(
            f"Funnel plot: every {kind} is within the 95% limits around the service rate, so the differences "
            "between them are no more than chance would give."
        )
        return
    parts = [
        f"{', '.join(plain(name) for name in names)} {FUNNEL_WORDS[position]}"
        for position, names in outside.items()
    ]
    st.caption(
        f"Funnel plot: {'; '.join(parts)}. Limits widen for a {kind} with fewer records, so a small {kind} "
        "is not singled out for a case or two; outside 99.8% is more than chance explains."
    )
