"""Export: a dataset or the measure statuses, filtered by the sidebar, as CSV or XLSX.

Files are built when asked for ("Prepare files") rather than on every rerun, and each download is
recorded in the store (who, when, what, filters, rows) from the button's callback. Every cell is
neutralised against formula injection by the exports room.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import exports
from loaders import DATASETS
from measures import MEASURES
from pages.ui import common, state

common.require_dashboard_frame()

STATUSES = "measure statuses"
CHOICES = {
    "orders": "Orders (order milestones)",
    "reviews": "Statutory reviews",
    "audits": "Case recording audits",
    STATUSES: "Measure statuses (one row per measure and record)",
}
# The date that places a dataset's record in a quarter for the quarter-range filter.
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
EXCEL_MAX_DATA_ROWS = 1_048_575  # an Excel sheet's 1,048,576 rows less the header
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def filters_document(filters: common.Filters, measures: tuple[str, ...]) -> dict[str, object]:
    """The filters as recorded with the export and named in its file name (JSON-safe; URL names)."""
    document: dict[str, object] = {
        "from": filters.from_quarter,
        "to": filters.to_quarter,
        "team": list(filters.teams),
        "worker": list(filters.workers),
        "order_type": list(filters.order_types),
    }
    if measures and len(measures) not in (1, len(MEASURES)):
        document["measures"] = list(measures)
    document["as_at"] = filters.as_at.isoformat()
    return document


def export_subject(what: str, measures: tuple[str, ...]) -> str:
    """What the file holds, for its name and the export log: 'orders', 'lscmi_statuses', ..."""
    if what != STATUSES:
        return what
    if len(measures) == 1:
        return f"{measures[0]}_statuses"
    return "all_measure_statuses" if len(measures) == len(MEASURES) else "measure_statuses"


def dataset_rows(frame: pd.DataFrame, dataset: str, filters: common.Filters) -> pd.DataFrame:
    """A dataset's records kept by the sidebar filters, in the dataset's canonical columns."""
    kept = common.dataset_in_filters(frame, dataset, filters)
    return kept[DATASETS[dataset].column_names].reset_index(drop=True)


@st.cache_resource(show_spinner="Selecting rows…", max_entries=4)
def export_rows(
    url: str, version: str, what: str, measures: tuple[str, ...], filters: common.Filters
) -> pd.DataFrame:
    if what != STATUSES:
        return dataset_rows(common.frames_for(url, version)[what], what, filters)
    chosen = common.filtered_statuses(url, version, filters, measures)
    columns = [column for column in STATUS_COLUMNS if column in chosen.columns]
    rows = chosen[columns]
    categorical = [column for column in columns if isinstance(rows[column].dtype, pd.CategoricalDtype)]
    return rows.astype({column: "object" for column in categorical}).reset_index(drop=True)


@st.cache_resource(show_spinner="Building the files…", max_entries=2)
def export_files(
    url: str, version: str, what: str, measures: tuple[str, ...], filters: common.Filters
) -> dict[str, bytes]:
    """CSV always; XLSX only when the rows fit on one Excel sheet. Bytes are immutable, so shared."""
    rows = export_rows(url, version, what, measures, filters)
    files = {"csv": exports.to_csv_bytes(rows)}
    if len(rows) <= EXCEL_MAX_DATA_ROWS:
        files["xlsx"] = exports.to_xlsx_bytes(rows, "statuses" if what == STATUSES else what)
    return files


def main() -> None:
    st.title("Export")
    url, version = common.store_url(), common.data_version()
    if common.store_is_empty(url, version):
        common.show_get_started()
        return
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
    filters = common.current_filters()
    st.caption(
        "The sidebar filters apply. For a dataset the quarter range is on its own date (order date, "
        "review due date, audit date); for measure statuses, on the quarter each record counts in."
    )
    rows = export_rows(url, version, what, measures, filters)
    st.metric("Rows to export", f"{len(rows):,}")
    st.caption("The first 100 rows:")
    common.show_table(rows.head(100))
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
            on_click=common.log_export,
            args=(recorded_what, recorded_filters, len(rows), file_format, files[file_format]),
        )
        column.caption(name)


main()
