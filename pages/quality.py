"""Case recording quality: audit grades on the six-point scale per quarter, and audit_good against target."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
from measures import MEASURES_BY_ID, views
from measures.filters import Filters
from pages.ui import data, state
from pages.ui.display import show_table
from pages.ui.frame import page_start
from pages.ui.measure_view import render_measure


@st.cache_data(show_spinner=False, max_entries=32)
def grades_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """How many audits got each grade, per quarter of the audit date (measures.views)."""
    statuses = data.measure_statuses(url, version, filters, "audit_good")
    return views.grades_by_quarter(statuses, filters.as_at)  # an unfinished quarter marked (partial)


def main() -> None:
    start = page_start("Case recording quality")
    if start is None:
        return
    st.markdown(
        "Case file audits graded on the Care Inspectorate six-point scale, counted in the quarter of "
        "the audit date."
    )
    grades = grades_for(start.url, start.version, start.filters)
    st.subheader("Grades per quarter")
    if grades.empty:
        st.info("No audits match the filters in the sidebar.")
    else:
        st.plotly_chart(
            charts.grade_distribution(
                data.measure_statuses(start.url, start.version, start.filters, "audit_good"),
                title="Audit grades per quarter",
                as_at=start.filters.as_at,
            ),
            key=state.GRADES_CHART,
            alt="Audits per quarter by grade, from Excellent to Unsatisfactory.",
        )
        show_table(grades)
    render_measure(MEASURES_BY_ID["audit_good"], "quality", start)


main()
