"""SPC summary: every measure's variation and assurance (NHS England's Making Data Count), the matrix that
groups measures by both, and each measure against the national figure."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from measures import MEASURES_BY_ID, spc
from pages.ui import spc_data, state
from pages.ui.display import show_table
from pages.ui.frame import page_start
from pages.ui.spc_view import (
    ASSURANCE_BADGES,
    MDC_NOTE,
    PERIOD_CHOICES,
    VARIATION_BADGES,
    measure_link,
)

ASSURANCE_COLUMNS: tuple[str, ...] = (*spc.ASSURANCES, spc.NO_ASSURANCE)
# Pixel widths that fit the summary in the main area at 1400 px; the long texts wrap.
SUMMARY_WIDTHS: dict[str, int] = {
    "Measure": 160,
    "Variation": 125,
    "Assurance": 95,
    "Latest": 70,
    "Rate %": 60,
    "Target %": 70,
    "National comparison": 210,
    "Chart": 80,
    "Points": 55,
}


def heading(words: str, badge: tuple[str, str]) -> str:
    """A matrix heading: the icon in its colour, then the words (markdown)."""
    colour, icon = badge
    return f":{colour}[{icon}] **{words}**"


def matrix(summary: pd.DataFrame) -> None:
    """Variation (rows) by assurance (columns); each cell lists its measures as links to their pages."""
    cells = spc.icon_matrix(summary)
    widths = [2, *([3] * len(ASSURANCE_COLUMNS))]
    header = st.columns(widths)
    header[0].markdown("**Variation \\ assurance**")
    for column, assurance in zip(header[1:], ASSURANCE_COLUMNS, strict=True):
        column.markdown(heading(spc.ASSURANCE_WORDS[assurance], ASSURANCE_BADGES[assurance]))
    for variation in spc.VARIATIONS:
        row = st.columns(widths)
        row[0].markdown(heading(spc.VARIATION_WORDS[variation], VARIATION_BADGES[variation]))
        for column, assurance in zip(row[1:], ASSURANCE_COLUMNS, strict=True):
            with column.container(border=True):
                measures = cells[(variation, assurance)]
                if not measures:
                    st.caption("None")
                for measure_id in measures:
                    measure_link(measure_id, label=MEASURES_BY_ID[measure_id].plain_name)


def main() -> None:
    start = page_start("SPC summary")
    if start is None:
        return
    st.caption(MDC_NOTE)
    chosen = st.segmented_control(
        "Points",
        list(PERIOD_CHOICES),
        format_func=PERIOD_CHOICES.get,
        default="month",
        key=state.SPC_SUMMARY_PERIOD,
    )
    period = chosen or "month"
    summary = spc_data.summary_for(start.url, start.version, start.filters, period)
    st.markdown(
        f"As at {start.filters.as_at:%d/%m/%Y}, from each measure's complete {period}s in the sidebar's "
        "filters. A measure needs 15 points for an SPC chart; with fewer it has a run chart and no assurance."
    )
    show_table(
        spc.summary_table(summary),
        key=state.SPC_SUMMARY_TABLE,
        widths=SUMMARY_WIDTHS,
        wrap=True,
    )
    st.subheader("Variation and assurance")
    st.caption("Each measure sits in one cell; open it to see its chart.")
    matrix(summary)
    uncharted = summary.loc[summary["chart"] == "none", "title"].tolist()
    if uncharted:
        st.caption(f"No complete {period} with records yet: {', '.join(uncharted)}.")


main()
