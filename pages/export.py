"""Export: a dataset, the measure statuses or the quarterly figures, filtered by the sidebar, as CSV or XLSX.

Files are built when asked for ("Prepare files") rather than on every rerun, and each download is
recorded in the store (who, when, what, filters, rows) from the button's callback. Every cell is
neutralised against formula injection by the exports room.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import exports
from loaders import DATASETS
from measures import MEASURES, views
from measures.filters import Filters, dataset_in_filters, filters_document
from pages.ui import data, state
from pages.ui.display import show_preview
from pages.ui.frame import log_export, page_start, record_case_view
from pages.ui.summary_export import SUMMARY, summary_files

STATUSES = "measure statuses"
CHOICES = {
    "orders": "Orders (order milestones)",
    "reviews": "Statutory reviews",
    "audits": "Case recording audits",
    STATUSES: "Measure statuses (one row per measure and record)",
    SUMMARY: "Quarterly summary (the IJB's table: rate per measure and quarter against target, "
    "with the filters and the data's date in the file)",
}
# The columns of a measure statuses file, in this order (those the statuses hold).
STATUS_COLUMNS = [
    "measure",
    "quarter",
    "case_ref",
    "team",
    "worker",
    "order_type",
    "lscmi_version",
    "risk_level",
    "from_date",
    "due_date",
    "to_date",
    "status",
    "days_taken",
    "grade",
]
PREVIEW_ROWS = 100
EXCEL_MAX_DATA_ROWS = 1_048_575  # an Excel sheet's 1,048,576 rows less the header
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_subject(what: str, measures: tuple[str, ...]) -> str:
    """What the file holds, for its name and the export log: 'orders', 'lscmi_statuses', ..."""
    if what != STATUSES:
        return what
    if len(measures) == 1:
        return f"{measures[0]}_statuses"
    return "all_measure_statuses" if len(measures) == len(MEASURES) else "measure_statuses"


@st.cache_resource(show_spinner="Selecting rows…", max_entries=4)
def export_rows(
    url: str, version: str, what: str, measures: tuple[str, ...], filters: Filters
) -> pd.DataFrame:
    if what == SUMMARY:
        quarterly = views.with_partial(data.quarterly_for(url, version, filters), filters.as_at)
        return views.quarterly_summary(quarterly)
    if what != STATUSES:
        kept = dataset_in_filters(data.dataset_for(url, version, what), what, filters)
        return kept[DATASETS[what].column_names].reset_index(drop=True)
    chosen = data.filtered_statuses(url, version, filters, measures)
    rows = chosen[[column for column in STATUS_COLUMNS if column in chosen.columns]]
    return views.without_categories(rows).reset_index(drop=True)


@st.cache_resource(show_spinner="Building the files…", max_entries=2)
def export_files(
    url: str, version: str, what: str, measures: tuple[str, ...], filters: Filters
) -> dict[str, bytes]:
    """CSV always; XLSX only when the rows fit on one Excel sheet. Bytes are immutable, so shared."""
    if what == SUMMARY:
        return summary_files(url, version, filters, tuple(measure.id for measure in MEASURES))[1]
    rows = export_rows(url, version, what, measures, filters)
    files = {"csv": exports.to_csv_bytes(rows)}
    if len(rows) <= EXCEL_MAX_DATA_ROWS:
        files["xlsx"] = exports.to_xlsx_bytes(rows, "statuses" if what == STATUSES else what)
    return files


def main() -> None:
    start = page_start("Export")
    if start is None:
        return
    url, version, filters = start
    what = st.selectbox("What to export", list(CHOICES), format_func=CHOICES.get, key=state.EXPORT_WHAT)
    measures: tuple[str, ...] = ()
    if what == STATUSES:
        titles = {measure.id: measure.title for measure in MEASURES}
        measures = tuple(
            st.multiselect(
                "Measures",
                list(titles),
                default=list(titles),
                format_func=titles.get,
                key=state.EXPORT_MEASURES,
            )
        )
    st.caption(
        "The sidebar filters apply. For a dataset the quarter range is on its own date (order date, "
        "review due date, audit date); for measure statuses and the quarterly summary, on the quarter each "
        "record counts in."
    )
    rows = export_rows(url, version, what, measures, filters)
    st.metric("Rows to export", f"{len(rows):,}")
    preview = rows.head(PREVIEW_ROWS)
    # Dataset rows and statuses are case rows: their preview is recorded; the quarterly summary is not.
    if what != SUMMARY and not record_case_view(
        f"Export preview: {export_subject(what, measures)}", filters_document(filters, measures), len(preview)
    ):
        return
    # Folded away, so the keyboard reaches "Prepare files" without passing through the table.
    with st.expander(f"Preview the first {PREVIEW_ROWS} rows"):
        show_preview(preview)  # as many columns as fit, the rest named
    signature = (version, what, measures, filters)
    if st.button("Prepare files", key=state.EXPORT_PREPARE, disabled=rows.empty):
        st.session_state[state.EXPORT_PREPARED] = signature
    if st.session_state.get(state.EXPORT_PREPARED) != signature:
        return
    files = export_files(url, version, what, measures, filters)
    recorded_what = export_subject(what, measures)
    recorded_filters = filters_document(filters, measures)
    csv_column, xlsx_column = st.columns(2)
    for column, file_format, key in (
        (csv_column, "csv", state.EXPORT_CSV),
        (xlsx_column, "xlsx", state.EXPORT_XLSX),
    ):
        if file_format not in files:
            column.caption(f"Too many rows for one Excel sheet ({EXCEL_MAX_DATA_ROWS:,} at most): use CSV.")
            continue
        name = exports.export_file_name(recorded_what, recorded_filters, file_format)
        column.download_button(
            f"Download {file_format.upper()}",
            files[file_format],
            file_name=name,
            mime=MIME[file_format],
            key=key,
            on_click=log_export,
            args=(recorded_what, recorded_filters, len(rows), file_format, files[file_format]),
        )
        column.caption(name)


main()
