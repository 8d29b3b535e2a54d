"""Case recording quality: audit grades on the six-point scale per quarter, and audit_good against target."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
from loaders.schema import GRADE_WORDS
from pages.ui import common, state
from pages.ui.measure_view import render_measure

common.require_dashboard_frame()

GRADE_COLUMNS = [f"{grade} {GRADE_WORDS[grade]}" for grade in sorted(GRADE_WORDS, reverse=True)]


@st.cache_data(show_spinner=False, max_entries=32)
def grades_by_quarter(url: str, version: str, filters: common.Filters) -> pd.DataFrame:
    """How many audits got each grade, per quarter of the audit date (best grade first)."""
    audits = common.measure_statuses(url, version, filters, "audit_good")
    graded = audits.dropna(subset=["grade"])
    grade_names = graded["grade"].astype("int64").map(lambda grade: f"{grade} {GRADE_WORDS[grade]}")
    counts = pd.crosstab(graded["quarter"].astype(str), grade_names)
    counts = counts.reindex(columns=GRADE_COLUMNS, fill_value=0)
    counts.columns.name = None
    counts["Audits"] = counts.sum(axis=1)
    return counts.reset_index(names="Quarter")


def main() -> None:
    st.title("Case recording quality")
    url, version = common.store_url(), common.data_version()
    if common.store_is_empty(url, version):
        common.show_get_started()
        return
    filters = common.current_filters()
    st.markdown(
        "Case file audits graded on the Care Inspectorate six-point scale, counted in the quarter of "
        "the audit date."
    )
    grades = grades_by_quarter(url, version, filters)
    st.subheader("Grades per quarter")
    if grades.empty:
        st.info("No audits match the filters in the sidebar.")
    else:
        chart_column, table_column = st.columns([3, 2])
        with chart_column:
            st.plotly_chart(
                charts.grade_distribution(
                    common.measure_statuses(url, version, filters, "audit_good"),
                    title="Audit grades per quarter",
                ),
                key=state.GRADES_CHART,
                alt="Audits per quarter by grade, from Excellent to Unsatisfactory.",
            )
        with table_column:
            common.show_table(grades)
    render_measure(common.MEASURES_BY_ID["audit_good"], "quality")


main()
