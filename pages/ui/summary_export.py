"""The quarterly summary download (issue 8): the IJB's table for the sidebar's filters, with the filters
and the data's date written into the file, as CSV and XLSX, logged like every export. The Export page
and each measure page offer it."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import exports
from measures import views
from measures.filters import Filters, filters_document
from pages.ui import data, data_dates
from pages.ui.frame import log_export

SUMMARY = "quarterly summary"
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@st.cache_data(show_spinner=False, max_entries=16)
def summary_files(
    url: str, version: str, filters: Filters, measure_ids: tuple[str, ...]
) -> tuple[int, dict[str, bytes]]:
    """(rows, {"csv": bytes, "xlsx": bytes}) of the quarterly summary of these measures."""
    quarterly = data.quarterly_for(url, version, filters)
    chosen = quarterly[quarterly["measure"].isin(measure_ids)]
    table = views.quarterly_summary(views.with_partial(chosen, filters.as_at))
    notes = views.summary_notes(filters, data_dates.data_date_text(url, version))
    files = {
        "csv": exports.summary_csv_bytes(table, notes),
        "xlsx": exports.summary_xlsx_bytes(table, notes, SUMMARY),
    }
    return len(table), files


def summary_downloads(
    where: DeltaGenerator, url: str, version: str, filters: Filters, measure_ids: tuple[str, ...], key: str
) -> None:
    """A CSV and an XLSX download of the quarterly summary, each recorded in the export log on click."""
    rows, files = summary_files(url, version, filters, measure_ids)
    what = SUMMARY if len(measure_ids) != 1 else f"{SUMMARY} {measure_ids[0]}"
    recorded = filters_document(filters, measure_ids)
    csv_column, xlsx_column = where.columns(2)
    for column, file_format in ((csv_column, "csv"), (xlsx_column, "xlsx")):
        column.download_button(
            f"Quarterly summary ({file_format.upper()})",
            files[file_format],
            file_name=exports.export_file_name(what.replace(" ", "_"), recorded, file_format),
            mime=MIME[file_format],
            key=f"{key}_{file_format}",
            disabled=rows == 0,
            on_click=log_export,
            args=(what, recorded, rows, file_format, files[file_format]),
        )
