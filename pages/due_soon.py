"""Due soon: the open cases that will miss a timescale unless someone acts, overdue first (SPEC 7.2)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import exports
from measures.filters import filters_document
from measures.worklist import (
    DEFAULT_WITHIN_DAYS,
    work_counts,
    work_in_filters,
    work_totals,
    worklist_table,
)
from pages.ui import data, state
from pages.ui.display import CASES_SHOWN, show_table
from pages.ui.frame import log_export, page_start, record_case_view

MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EVERYONE = ""

# Pixel widths that fit the worklist's nine columns in the main area at 1400 px; long names wrap.
WORKLIST_WIDTHS: dict[str, int] = {
    "Due date": 90,
    "Working days left": 75,
    "When": 75,
    "Measure": 160,
    "Case ref": 95,
    "Team": 120,
    "Worker": 130,
    "Order date": 90,
    "Review due": 90,
}


def worker_label(counts: pd.DataFrame):
    """'Name: 2 overdue, 5 open' for the worker picker; the blank choice is everyone."""
    by_name = counts.set_index("worker")

    def label(worker: str) -> str:
        if worker == EVERYONE:
            return "Everyone in the filters"
        row = by_name.loc[worker]
        return f"{worker}: {row['overdue']} overdue, {row['total']} open"

    return label


@st.cache_data(show_spinner="Building the files…", max_entries=4)
def worklist_files(table: pd.DataFrame) -> dict[str, bytes]:
    return {"csv": exports.to_csv_bytes(table), "xlsx": exports.to_xlsx_bytes(table, "Due soon")}


def downloads(table: pd.DataFrame, filters: dict[str, object]) -> None:
    """CSV and XLSX of the cases shown, each download logged (who, filters, rows; never the rows)."""
    files = worklist_files(table)
    columns = st.columns(2)
    for column, file_format, key in zip(
        columns, ("csv", "xlsx"), (state.DUE_CSV, state.DUE_XLSX), strict=True
    ):
        name = exports.export_file_name("due_soon", filters, file_format)
        column.download_button(
            f"Download {file_format.upper()}",
            files[file_format],
            file_name=name,
            mime=MIME[file_format],
            key=key,
            on_click=log_export,
            args=("due_soon", filters, len(table), file_format, files[file_format]),
            disabled=table.empty,
        )


def main() -> None:
    start = page_start("Due soon", quarter_range=False)
    if start is None:
        return
    url, version, filters = start
    within = st.number_input(
        "Working days ahead",
        min_value=0,
        max_value=60,
        value=DEFAULT_WITHIN_DAYS,
        step=1,
        key=state.DUE_WITHIN,
        help="Open cases due up to this many working days after the as-at date, and every overdue one.",
    )
    st.caption(
        f"Open cases due within {within} working days of {filters.as_at:%d/%m/%Y}, overdue first. "
        "The team, worker and order type filters apply; the quarter range does not: an open case "
        "is listed whenever it started."
    )
    work = work_in_filters(data.worklist_for(url, version, filters.as_at, int(within)), filters)
    totals = work_totals(work)
    for column, (label, when) in zip(
        st.columns(4),
        (
            ("Overdue", "overdue"),
            ("Due this week", "this week"),
            ("Due next week", "next week"),
            ("Later", "later"),
        ),
        strict=True,
    ):
        column.metric(label, f"{totals[when]:,}", border=True)
    if work.empty:
        st.success("Nothing open is due in this period for the filters chosen.")
        return

    by_team, by_worker = work_counts(work, "team"), work_counts(work, "worker")
    st.subheader("By team")
    show_table(by_team.rename(columns=str.capitalize))
    st.subheader("By worker")
    show_table(by_worker.rename(columns=str.capitalize))

    st.subheader("The cases")
    workers = [EVERYONE, *by_worker["worker"]]
    if st.session_state.get(state.DUE_WORKER) not in workers:
        st.session_state[state.DUE_WORKER] = EVERYONE  # a worker no longer in the list
    chosen = st.selectbox(
        "Show the cases of",
        workers,
        format_func=worker_label(by_worker),
        key=state.DUE_WORKER,
        help="Workers are listed most overdue first.",
    )
    shown = work if chosen == EVERYONE else work[work["worker"].fillna("(not recorded)").eq(chosen)]
    table = worklist_table(shown)
    whose = "" if chosen == EVERYONE else f" of {chosen}"
    st.caption(f"{len(table):,} open cases{whose}, most urgent first.")
    if len(table) > CASES_SHOWN:
        st.caption(
            f"The first {CASES_SHOWN:,} of {len(table):,} open cases are shown; the download has them all."
        )
    # The quarter range does not apply here, so the record and the file name leave it out.
    recorded = filters_document(filters._replace(from_quarter=None, to_quarter=None)) | {
        "within": f"{int(within)} working days",
        "shown_worker": chosen or None,
    }
    if not record_case_view("Due soon: open cases", recorded, min(len(table), CASES_SHOWN)):
        return
    show_table(table.head(CASES_SHOWN), widths=WORKLIST_WIDTHS, wrap=True)
    downloads(table, recorded)


main()
